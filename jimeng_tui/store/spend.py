"""The spend ledger: what the jobs of a history cost, totalled per day, month or model.

Reads the history file on its own read-only connection, one row at a time (a history of
100 000 jobs is never loaded whole). What one row cost is ``domain.prices.job_cost``: billed
for finished jobs, the estimate for running ones ("pending") and for those the service may
have billed without our knowing ("maybe"). Amounts in another currency than the one asked for
are counted apart, never added.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jimeng_tui.domain.prices import MAYBE, PENDING, JobCost, job_cost
from jimeng_tui.store.integrity import database_error

GROUPS = ("day", "month", "model")


@dataclass
class SpendLine:
    key: str  # "2026-12-07", "2026-12", a model id, or "total"
    billed: float = 0.0
    pending: float = 0.0  # running jobs' estimates
    maybe: float = 0.0  # submit unknown / expired / Jimeng cancels: possibly billed
    unknown: int = 0  # jobs whose cost nobody knows (no price)
    jobs: int = 0

    @property
    def committed(self) -> float:
        """What counts against a budget: billed, plus what may still be billed."""
        return self.billed + self.pending + self.maybe

    def add(self, cost: JobCost) -> None:
        self.jobs += 1
        if cost.amount is None:
            self.unknown += 1
        elif cost.status == PENDING:
            self.pending += cost.amount
        elif cost.status == MAYBE:
            self.maybe += cost.amount
        else:
            self.billed += cost.amount

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "billed": round(self.billed, 6),
            "pending": round(self.pending, 6),
            "maybe": round(self.maybe, 6),
            "unknown_jobs": self.unknown,
            "jobs": self.jobs,
        }


@dataclass
class SpendReport:
    currency: str
    by: str
    lines: list[SpendLine]
    total: SpendLine
    # jobs priced in another currency (an older [prices] currency): counted, never added
    other_currencies: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    created_at: float
    model: str
    cost: JobCost


def _rows(path: Path, since: float | None) -> Iterator[Row]:
    """Every row since ``since``; a damaged, locked or full history is said as such
    (``HistoryError``), never a traceback."""
    if not path.exists():
        return
    try:
        yield from _read_rows(path, since)
    except sqlite3.Error as exc:
        raise database_error(path, exc) from exc


def _read_rows(path: Path, since: float | None) -> Iterator[Row]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30.0)
    with contextlib.closing(conn):
        cursor = conn.execute(
            "SELECT created_at, mode, state, task_id IS NOT NULL, meta FROM jobs "
            "WHERE created_at >= ? ORDER BY created_at",
            (since if since is not None else float("-inf"),),
        )
        for created_at, mode, state, has_task, raw in cursor:
            try:
                meta = json.loads(raw) if raw else {}
            except ValueError:
                meta = {}
            if not isinstance(meta, dict):
                meta = {}
            service = meta.get("service") or "jimeng3"
            cost = job_cost(state, meta, service=service, has_task=bool(has_task))
            yield Row(float(created_at), str(mode), cost)


def _key(row: Row, by: str) -> str:
    if by == "model":
        return row.model
    stamp = time.localtime(row.created_at)
    return time.strftime("%Y-%m" if by == "month" else "%Y-%m-%d", stamp)


def spend_report(
    path: Path, *, currency: str, since: float | None = None, by: str = "day"
) -> SpendReport:
    """Totals per ``by`` ("day", "month" in local time, or "model") since ``since`` (epoch)."""
    lines: dict[str, SpendLine] = {}
    total = SpendLine("total")
    others: dict[str, int] = {}
    for row in _rows(path, since):
        if row.cost.currency and row.cost.currency != currency and row.cost.amount:
            others[row.cost.currency] = others.get(row.cost.currency, 0) + 1
            continue
        key = _key(row, by)
        lines.setdefault(key, SpendLine(key)).add(row.cost)
        total.add(row.cost)
    ordered = sorted(lines.values(), key=lambda line: line.key)
    return SpendReport(currency, by, ordered, total, others)


def start_of_day(now: float) -> float:
    t = time.localtime(now)
    return time.mktime((t.tm_year, t.tm_mon, t.tm_mday, 0, 0, 0, 0, 0, -1))


def start_of_month(now: float) -> float:
    t = time.localtime(now)
    return time.mktime((t.tm_year, t.tm_mon, 1, 0, 0, 0, 0, 0, -1))


@dataclass(frozen=True)
class PeriodSpend:
    """What counts against the budget caps now (``SpendLine.committed``)."""

    today: SpendLine
    month: SpendLine


def period_spend(path: Path, *, currency: str, now: float | None = None) -> PeriodSpend:
    now = time.time() if now is None else now
    day_start = start_of_day(now)
    today, month = SpendLine("today"), SpendLine("month")
    for row in _rows(path, start_of_month(now)):
        if row.cost.currency and row.cost.currency != currency and row.cost.amount:
            continue
        month.add(row.cost)
        if row.created_at >= day_start:
            today.add(row.cost)
    return PeriodSpend(today, month)
