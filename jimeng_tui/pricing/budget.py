"""Budget caps: a job that would pass ``[budget] daily`` / ``monthly`` (or a run's
``--max-cost``) is refused before anything is written or sent, with the numbers.

``check_budget`` is the rule (pure); :class:`SpendGuard` is what the runner holds, and
:func:`admit` the one call in ``Runner.create``: it prices the job, checks the caps and records
the price, the estimate and any ``--over-budget`` on the job's meta.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field

from jimeng_tui.domain.capabilities import Capabilities
from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.domain.meta import JobMeta
from jimeng_tui.domain.prices import Estimate, money
from jimeng_tui.pricing.book import PriceBook
from jimeng_tui.pricing.estimate import estimate
from jimeng_tui.services.base import RequestSummary, Service
from jimeng_tui.store.config import Config
from jimeng_tui.store.config_cost import BudgetConfig
from jimeng_tui.store.history import History
from jimeng_tui.store.spend import PeriodSpend, period_spend

OVERRIDE_HINT = "pass --over-budget to send it anyway"


@dataclass(frozen=True)
class BudgetRefusal:
    cap: str  # "daily" | "monthly" | "max-cost"
    limit: float
    spent: float  # what already counts against the cap
    estimate: Estimate

    @property
    def numbers(self) -> str:
        """ "over the daily budget: today 41.20 of 50.00 CNY; this job ~12.00 CNY"."""
        cur = self.estimate.currency
        where = {"daily": "today", "monthly": "this month", "max-cost": "this run"}[self.cap]
        if self.estimate.amount is None:
            this = f"this job's cost is unknown ({self.estimate.why})"
        else:
            this = f"this job ~{money(self.estimate.amount, cur)}"
        return (
            f"over the {self.cap} budget: {where} {self.spent:.2f} of {money(self.limit, cur)}; "
            f"{this}"
        )

    @property
    def message(self) -> str:
        setting = "--max-cost" if self.cap == "max-cost" else f"[budget] {self.cap}"
        return f"{self.numbers}. Nothing was sent. Raise {setting}, or {OVERRIDE_HINT}."


class BudgetExceeded(ValidationError):
    """Nothing was written or sent (exit 2, field "budget")."""

    def __init__(self, refusal: BudgetRefusal):
        super().__init__("budget", refusal.message)
        self.refusal = refusal


def check_budget(
    spent: PeriodSpend,
    est: Estimate,
    budget: BudgetConfig,
    *,
    max_cost: float | None = None,
    run_spent: float = 0.0,
) -> BudgetRefusal | None:
    """The first cap the job would pass, or None. An unknown cost passes no cap only when no
    cap is set (it could be anything)."""
    caps = [
        ("max-cost", max_cost or 0.0, run_spent),
        ("daily", budget.daily, spent.today.committed),
        ("monthly", budget.monthly, spent.month.committed),
    ]
    for name, limit, already in caps:
        if limit <= 0:
            continue
        if est.amount is None or already + est.amount > limit + 1e-9:
            return BudgetRefusal(name, limit, already, est)
    return None


@dataclass
class SpendGuard:
    """The runner's prices and caps; the CLI sets ``over_budget`` and ``max_cost``."""

    book: PriceBook = field(default_factory=PriceBook)
    budget: BudgetConfig = field(default_factory=BudgetConfig)
    over_budget: bool = False
    max_cost: float | None = None  # for this run (a batch): the sum of its jobs' estimates
    run_spent: float = 0.0
    # a batch stops at the first refusal: no later (cheaper) line slips in after it
    stop_after_refusal: bool = False
    stopped: BudgetRefusal | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_config(cls, config: Config) -> SpendGuard:
        return cls(PriceBook.from_config(config), config.budget)

    @property
    def has_caps(self) -> bool:
        return bool(self.budget.daily > 0 or self.budget.monthly > 0 or self.max_cost)

    def admit(
        self, history: History, caps: Capabilities, summary: RequestSummary, meta: JobMeta
    ) -> JobMeta:
        """``meta`` with the price and estimate recorded; BudgetExceeded past a cap (unless
        ``over_budget``, which is recorded on the job when a cap was passed)."""
        est = estimate(summary, caps, self.book)
        with self._lock:  # two creates of one run never both take the last of a cap
            refusal = self.stopped
            if refusal is None and self.has_caps:
                spent = period_spend(history.path, currency=self.book.currency)
                refusal = check_budget(
                    spent, est, self.budget, max_cost=self.max_cost, run_spent=self.run_spent
                )
            # the user said yes to passing a cap: --over-budget, or for one job (the TUI's
            # question) a meta that arrives with over_budget set
            if refusal is not None and not (self.over_budget or meta.over_budget):
                if self.stop_after_refusal:
                    self.stopped = refusal
                raise BudgetExceeded(refusal)
            self.run_spent += est.amount or 0.0
        out = meta.copy()
        out.price = est.price.to_json() if est.price is not None else None
        out.estimate = est.amount
        out.currency = self.book.currency
        out.over_budget = refusal is not None
        return out


async def admit(
    guard: SpendGuard | None,
    history: History,
    service: Service,
    summary: RequestSummary,
    meta: JobMeta | None,
) -> JobMeta:
    """The runner's one call in ``create`` (issue 16): the job priced and checked against the
    caps (BudgetExceeded: nothing written, nothing sent). No guard: default prices, no caps."""
    guard = guard or SpendGuard()
    caps = service.capabilities()
    return await asyncio.to_thread(guard.admit, history, caps, summary, meta or JobMeta())
