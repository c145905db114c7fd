"""The estimated cost shown before a paid action (issue 16): "Estimated cost: ≈ 1.50 CNY (…)"."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.markup import escape


def cost_line(app: Any, requests: Sequence[Any]) -> str:
    """A paragraph for the paid-action confirmation ("" when nothing can be said)."""
    from jimeng_tui.domain.errors import JimengError
    from jimeng_tui.pricing import PriceBook, describe_total, estimate_request

    config = getattr(getattr(getattr(app, "engine", None), "loaded", None), "config", None)
    book = PriceBook.from_config(config) if config is not None else PriceBook()
    try:
        estimates = [estimate_request(r, book) for r in requests]
    except (JimengError, AttributeError, TypeError, ValueError):
        return ""  # a request no service knows: the confirmation says what it can without it
    said = describe_total(estimates).removeprefix("cost ")  # "unknown (…)" or "≈ 1.50 CNY (…)"
    return f"\n\nEstimated cost: {escape(said)}"  # the dialog reads markup: "[prices]" stays
