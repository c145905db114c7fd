"""What a request should cost before it is sent: the service's meter × the price in force."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimeng_tui.domain.capabilities import Capabilities
from jimeng_tui.domain.prices import PER_MILLION_TOKENS, Estimate
from jimeng_tui.pricing.book import PriceBook
from jimeng_tui.services import registry
from jimeng_tui.services.base import RequestSummary


def estimate(summary: RequestSummary, caps: Capabilities, book: PriceBook) -> Estimate:
    """The estimate of one built request (``BuiltRequest.summary``) on service ``caps``."""
    model = caps.model(summary.model)
    params: dict[str, Any] = {**summary.params, "duration": summary.duration_s}
    return estimate_params(params, caps, book, model_id=model.id)


def estimate_params(
    params: Mapping[str, Any], caps: Capabilities, book: PriceBook, *, model_id: str
) -> Estimate:
    model = caps.model(model_id)
    table = caps.prices
    if table is None or table.meter is None:
        return Estimate(None, book.currency, f"{caps.label} has no price table")
    metered = table.meter(model, params)
    price = book.price(caps, model, metered.variant)
    tokens = metered.quantity if table.unit == PER_MILLION_TOKENS else None
    if price.amount is None:
        why = f"{metered.why}; price unknown"
        if price.note:
            why += f" ({price.note})"
        why += f': set [prices] "{model.id}" in config.toml'
        return Estimate(None, book.currency, why, tokens, price)
    if metered.quantity is None:
        return Estimate(None, book.currency, metered.why, None, price)
    if table.unit == PER_MILLION_TOKENS:
        amount = metered.quantity * price.amount / 1_000_000
        why = f"{metered.why} × {price.per_unit_text()}"
    else:
        amount = metered.quantity * price.amount
        why = f"{metered.why}; {price.per_unit_text()}"
    if price.third_party:
        why += " (third-party price)"
    return Estimate(round(amount, 6), book.currency, why, tokens, price)


def estimate_request(request: Any, book: PriceBook) -> Estimate:
    """The estimate of a service's own request object (Jimeng 3.0's ``mode`` or Ark's ``model``,
    ``duration``, ``to_params()``), its service found in the registry by the model."""
    caps, model = registry.find_model(getattr(request, "model", None) or request.mode)
    params = {**request.to_params(), "duration": request.duration}
    return estimate_params(params, caps, book, model_id=model.id)
