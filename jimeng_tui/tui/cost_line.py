"""The estimated cost shown before a paid action (issue 16): "Estimated cost: ≈ 1.50 CNY (…)"."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.markup import escape

if TYPE_CHECKING:
    from jimeng_tui.services.base import BuiltRequest


def cost_line(app: Any, requests: Sequence[BuiltRequest]) -> str:
    """A paragraph for the paid-action confirmation ("" when nothing can be said)."""
    from jimeng_tui.domain.errors import JimengError
    from jimeng_tui.pricing import describe_total, estimate
    from jimeng_tui.services import registry
    from jimeng_tui.tui.form_estimate import price_book

    book = price_book(app)
    try:
        estimates = [
            estimate(r.summary, registry.find_model(r.summary.model)[0], book) for r in requests
        ]
    except (JimengError, TypeError, ValueError):
        return ""  # a request no service knows: the confirmation says what it can without it
    said = describe_total(estimates).removeprefix("cost ")  # "unknown (…)" or "≈ 1.50 CNY (…)"
    return f"\n\nEstimated cost: {escape(said)}"  # the dialog reads markup: "[prices]" stays
