"""The form's live cost line (issue 16): what the request on the form would cost, and why.

Computed by the main screen (the form widget only shows the text it is handed): the form's input
is built quietly, as Generate would build it; an input that does not validate yet shows no
estimate (the form says what is wrong when Generate is pressed).
"""

from __future__ import annotations

from typing import Any

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.domain.prices import money


def price_book(app: Any) -> Any:
    """The prices in force: the services' tables with the loaded config's ``[prices]``."""
    from jimeng_tui.pricing import PriceBook

    config = getattr(getattr(getattr(app, "engine", None), "loaded", None), "config", None)
    return PriceBook.from_config(config) if config is not None else PriceBook()


def form_estimate_text(app: Any, build: Any) -> str:
    """ "≈ 5.01 CNY · 1280×720 … × 46.00 CNY/1M tokens (third-party price)", "cost unknown: …",
    or "" when ``build()`` (the form's request) does not validate."""
    from textual.css.query import QueryError

    from jimeng_tui.pricing import estimate
    from jimeng_tui.services import registry

    try:
        request = build()
        caps = registry.find_model(request.summary.model)[0]
        found = estimate(request.summary, caps, price_book(app))
    except (JimengError, TypeError, ValueError, AttributeError, QueryError):
        # QueryError: a field not mounted yet while the form swaps a model's fields
        return ""
    if found.amount is None:
        return f"cost unknown: {found.why}"
    return f"≈ {money(found.amount, found.currency)} · {found.why}"
