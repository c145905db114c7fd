"""Cost (issue 16): the prices in force, estimates before paying, budget caps.

The one interface the engine and the faces read:

- ``estimate(summary, caps, book) -> Estimate`` and ``describe(estimate) -> str`` ("≈ 5.01 CNY
  (1280×720 × 121 frames (5 s) / 1024 = 108 900 tokens × 46.00 CNY/1M tokens …)"); the form's
  live line and the paid-action confirmation show ``describe(...)``;
- ``PriceBook.from_config(config)``: the service tables with ``[prices]`` on top;
- ``check_budget(spent, estimate, budget) -> BudgetRefusal | None`` and ``SpendGuard``/``admit``
  (the runner's one call in ``create``);
- the ledger lives in ``store.spend`` (``spend_report``, ``period_spend``).
"""

from jimeng_tui.domain.prices import Estimate, describe, describe_total, money
from jimeng_tui.pricing.book import PriceBook
from jimeng_tui.pricing.budget import (
    BudgetExceeded,
    BudgetRefusal,
    SpendGuard,
    admit,
    check_budget,
)
from jimeng_tui.pricing.estimate import estimate, estimate_params, estimate_request

__all__ = [
    "BudgetExceeded",
    "BudgetRefusal",
    "Estimate",
    "PriceBook",
    "SpendGuard",
    "admit",
    "check_budget",
    "describe",
    "describe_total",
    "estimate",
    "estimate_params",
    "estimate_request",
    "money",
]
