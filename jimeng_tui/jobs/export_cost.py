"""The cost columns of an export (issue 16): what each job cost, in what currency, and the
tokens the service counted (Ark), from the meta kept with the job (``domain.prices.job_cost``).

``cost`` is the bill of a saved job, 0 for jobs that are not billed (failed, never sent), and the
estimate for those that may still be billed (running, submit unknown, expired); empty when the
price is unknown. Both export paths (decoded rows and streamed rows) call ``cost_cells`` so they
write the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from jimeng_tui.domain.prices import job_cost

COST_COLUMNS: tuple[str, ...] = ("cost", "currency", "tokens")
# meta keys a cost is read from: a row whose stored meta names none of them is not decoded
COST_KEYS = ('"price"', '"cost"', '"estimate"', '"usage_tokens"', '"currency"')


def cost_cells(state: str, meta: Mapping[str, Any] | None, has_task: bool) -> list[Any]:
    """``[cost, currency, tokens]`` of one job (None where nothing is known)."""
    meta = meta if isinstance(meta, Mapping) else {}
    service = str(meta.get("service") or "jimeng3")
    cost = job_cost(state, meta, service=service, has_task=has_task)
    tokens = meta.get("usage_tokens")
    if isinstance(tokens, bool) or not isinstance(tokens, int):
        tokens = None
    return [cost.amount, cost.currency or None, tokens]


# the cells of a job whose meta names no price: they follow from its state and task alone
_WITHOUT_PRICE: dict[tuple[str, bool], tuple[Any, ...]] = {}


def cost_cells_from_text(state: str, meta_text: str | None, has_task: bool) -> Sequence[Any]:
    """``cost_cells`` from the meta as the history stored it, decoded only when it holds a cost."""
    if meta_text and any(key in meta_text for key in COST_KEYS):
        try:
            meta = json.loads(meta_text)
        except ValueError:
            meta = {}
        return cost_cells(state, meta, has_task)
    known = _WITHOUT_PRICE.get((state, has_task))
    if known is None:
        known = _WITHOUT_PRICE[(state, has_task)] = tuple(cost_cells(state, {}, has_task))
    return known
