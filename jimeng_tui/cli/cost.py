"""Cost on the command line (issue 16): ``--dry-run``, ``--over-budget`` and ``--max-cost`` for
``generate`` and ``batch``, estimates before paying, and the budget as it stands.

Cheap to import (the parser reads ``cost_flags``); the rest imports what it needs when it
runs. Each command hooks in with one call: ``cost_flags()``, ``apply_cost_flags(ns,
engine)`` once the engine is open, ``dry_run_generate(...)``, ``BatchCosts`` in batch's dry run.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jimeng_tui.cli.flags import Flag, FlagGroup

if TYPE_CHECKING:
    from jimeng_tui.domain.prices import Estimate
    from jimeng_tui.jobs.engine import Engine
    from jimeng_tui.services.base import BuiltRequest


def _amount(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an amount (e.g. 20 or 12.5)") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be an amount greater than 0")
    return value


def cost_flags(*, dry_run: bool = True) -> FlagGroup:
    """``--dry-run`` (unless the command has its own), ``--over-budget``, ``--max-cost``."""
    flags = (
        Flag(
            "--dry-run",
            action="store_true",
            help="check the request, print its estimated cost and the exact body that would be "
            "sent; send nothing (exit 0)",
        ),
        Flag(
            "--over-budget",
            action="store_true",
            help="send even if it passes a [budget] cap or --max-cost (recorded on the job)",
        ),
        Flag(
            "--max-cost",
            type=_amount,
            metavar="AMOUNT",
            default=None,
            help="refuse (send nothing more) once this run's estimated cost would pass AMOUNT, "
            "in your [prices] currency; a batch stops submitting new lines there",
        ),
    )
    return "cost options", flags if dry_run else flags[1:]


def apply_cost_flags(ns: argparse.Namespace, engine: Engine, *, batch: bool = False) -> None:
    """Hand the command's cost flags to the engine's spend guard."""
    from jimeng_tui.pricing import SpendGuard

    settings = engine.runner.settings
    if settings.spend is None:
        settings.spend = SpendGuard.from_config(engine.loaded.config)
    settings.spend.over_budget = bool(getattr(ns, "over_budget", False))
    settings.spend.max_cost = getattr(ns, "max_cost", None)
    settings.spend.stop_after_refusal = batch  # a batch sends no later line after a refusal


def estimate_json(est: Estimate) -> dict[str, Any]:
    return {
        "amount": None if est.amount is None else round(est.amount, 6),
        "currency": est.currency,
        "tokens": est.tokens,
        "why": est.why,
        "price_source": est.price.source if est.price else None,
    }


def _estimate_request(request: Any) -> Estimate:
    from jimeng_tui.pricing import PriceBook, estimate_request
    from jimeng_tui.session.config import load_config
    from jimeng_tui.store.paths import app_paths

    return estimate_request(request, PriceBook.from_config(load_config(app_paths()).config))


def _estimate_built(built: BuiltRequest) -> Estimate:
    from jimeng_tui.pricing import PriceBook, estimate
    from jimeng_tui.services import registry
    from jimeng_tui.session.config import load_config
    from jimeng_tui.store.paths import app_paths

    book = PriceBook.from_config(load_config(app_paths()).config)
    return estimate(built.summary, registry.capabilities(built.service), book)


def budget_words(ns: argparse.Namespace, amount: float | None) -> tuple[str | None, Any]:
    """Where the caps stand with ``amount`` more: (a sentence or None, its JSON)."""
    from jimeng_tui.domain.prices import Estimate
    from jimeng_tui.pricing import check_budget
    from jimeng_tui.session.config import load_config
    from jimeng_tui.store.paths import app_paths
    from jimeng_tui.store.spend import period_spend

    paths = app_paths()
    config = load_config(paths).config
    budget, currency = config.budget, config.prices.currency
    max_cost = getattr(ns, "max_cost", None)
    if not (budget.daily or budget.monthly or max_cost):
        return None, None
    db = paths.sandbox_history_db if getattr(ns, "sandbox", False) else paths.history_db
    spent = period_spend(db, currency=currency)
    est = Estimate(amount, currency, "")
    refusal = check_budget(spent, est, budget, max_cost=max_cost)
    data = {
        "daily": budget.daily or None,
        "monthly": budget.monthly or None,
        "today": round(spent.today.committed, 6),
        "month": round(spent.month.committed, 6),
        "would_refuse": refusal.cap if refusal else None,
    }
    if refusal is None:
        today, month = spent.today.committed, spent.month.committed
        return f"within budget (today {today:.2f}, this month {month:.2f} {currency})", data
    return f"would be refused: {refusal.message}", data


def dry_run_generate(ns: argparse.Namespace, built: BuiltRequest) -> int:
    """``generate --dry-run``: the estimate and the exact body (image data left out) that would
    be sent; nothing is sent or written. Exit 0."""
    import asyncio

    from jimeng_tui.cli.errors import EXIT_OK
    from jimeng_tui.cli.output import print_json
    from jimeng_tui.cli.text import json_safe, printable
    from jimeng_tui.domain.prices import describe
    from jimeng_tui.services import registry
    from jimeng_tui.services.base import Target, wire_body

    service_name = built.service

    async def body() -> tuple[dict[str, object], Any]:
        nowhere = Target(base_url="http://dry-run.invalid", credentials={})  # never reached
        service = registry.create(service_name, nowhere)
        try:
            request = service.request_from_params(built.params)
            service.validate(request)
            return wire_body(await service.build_body(request)).redacted, request
        finally:
            await service.aclose()

    from jimeng_tui.cli.spend import warn_unknown_price_keys

    sent, request = asyncio.run(body())
    est = _estimate_request(request)
    warn_unknown_price_keys()  # a typo in [prices] would silently price nothing
    words, budget = budget_words(ns, est.amount)
    if ns.json:
        print_json(
            {
                "dry_run": True,
                "service": service_name,
                "estimate": estimate_json(est),
                "budget": budget,
                "body": sent,
                "exit_code": EXIT_OK,
            }
        )
        return EXIT_OK
    import json

    print(f"estimate: {printable(describe(est))}")
    if words:
        print(f"budget: {words}")
    print(f"would send: {json_safe(json.dumps(sent, ensure_ascii=False))}")
    print("dry run: nothing was sent", file=sys.stderr)
    return EXIT_OK


@dataclass
class BatchCosts:
    """Per-line estimates and the total for ``batch --dry-run``."""

    currency: str = ""
    total: float = 0.0
    unknown: int = 0
    lines: int = 0
    estimates: list[Estimate] = field(default_factory=list)

    def add(self, built: BuiltRequest) -> Estimate:
        est = _estimate_built(built)
        self.currency = est.currency
        self.lines += 1
        if est.amount is None:
            self.unknown += 1
        else:
            self.total += est.amount
        return est

    def line_text(self, est: Estimate) -> str:
        from jimeng_tui.domain.prices import describe

        return f"  estimate: {describe(est)}"

    def total_text(self, ns: argparse.Namespace, noun: tuple[str, str] = ("line", "lines")) -> str:
        """``estimated total: 12.00 CNY for 3 lines (1 of unknown cost not included)``; with no
        price known at all it says so instead of a total of zero."""
        from jimeng_tui.domain.prices import money

        what = f"{self.lines} {noun[0] if self.lines == 1 else noun[1]}"
        if self.lines and self.unknown == self.lines:
            return (
                f"estimated total: unknown for {what}: no price is known for "
                f"{'it' if self.lines == 1 else 'any of them'} (set [prices] in config.toml; "
                'README, "Cost")'
            )
        text = f"estimated total: {money(self.total, self.currency or 'CNY')} for {what}"
        if self.unknown:
            text += f" ({self.unknown} of unknown cost not included)"
        words, _ = budget_words(ns, self.total)
        return text + (f"; {words}" if words else "")

    def total_json(self) -> dict[str, Any]:
        return {
            "amount": round(self.total, 6),
            "currency": self.currency,
            "lines": self.lines,
            "unknown_lines": self.unknown,
        }
