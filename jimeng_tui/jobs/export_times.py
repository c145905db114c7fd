"""The CSV export's local times, written by SQLite: the text ``export_lines.local_time`` gives,
at a fraction of its cost.

Local time is UTC plus an offset that changes a few times a year. The offsets over the
history's span are found here once per export (``time.localtime`` every few hours, and to the
second where the offset changes), and each time cell becomes one SQL ``CASE`` on those
changes: ``strftime`` of the UTC time plus that offset, and the offset's text. A time outside
that span, before 1970, or within a millisecond of the next second (SQLite rounds to the
millisecond, Python to the microsecond) is returned as stored, and ``local_time`` writes it.
"""

from __future__ import annotations

import time

from jimeng_tui.jobs.export_cost import COST_KEYS
from jimeng_tui.jobs.export_lines import offset_text
from jimeng_tui.store.history import History, HistoryQuery

STEP_S = 3 * 3600  # no time zone changes its offset twice within three hours
SQL_FORMAT = "%Y-%m-%dT%H:%M:%S"


def _offset(seconds: int) -> int:
    return time.localtime(seconds).tm_gmtoff


def offset_spans(start: int, end: int) -> list[tuple[int, int]]:
    """``[(from, offset)…]``: the UTC offset from each ``from`` second on, over [start, end)."""
    spans = [(start, _offset(start))]
    at = start
    while at < end:
        step_end = min(at + STEP_S, end)
        if _offset(step_end) != spans[-1][1]:
            low, high = at, step_end  # the offset is spans[-1][1] at low, another at high
            while high - low > 1:
                middle = (low + high) // 2
                if _offset(middle) == spans[-1][1]:
                    low = middle
                else:
                    high = middle
            spans.append((high, _offset(high)))
        at = step_end
    return spans


def local_time_sql(column: str, start: float, end: float) -> str:
    """An SQL expression: ``column`` (an epoch time) as ``local_time`` writes it, or as stored
    (NULL, or a number for ``local_time`` to write) where SQLite's text could differ."""
    first, last = max(0, int(start)), max(0, int(end))
    spans = offset_spans(first, last)
    branches = []
    for (_, offset), (until, _) in zip(spans, [*spans[1:], (last, 0)], strict=True):
        text = (
            f"strftime('{SQL_FORMAT}', {column} + {offset}, 'unixepoch') || '{offset_text(offset)}'"
        )
        branches.append((until, text))
    whens = " ".join(f"WHEN {column} < {until} THEN {text}" for until, text in branches[:-1])
    choose = f"CASE {whens} ELSE {branches[-1][1]} END" if whens else branches[-1][1]
    return (
        f"CASE WHEN typeof({column}) IN ('integer', 'real') AND {column} >= {first} "
        f"AND {column} < {last} AND {column} - CAST({column} AS INTEGER) < 0.999 "
        f"THEN {choose} ELSE {column} END"
    )


_TIME_COLUMNS = ("created_at", "submitted_at", "finished_at", "saved_at")
# A CSV row reads the meta (often the whole request sent) only for its output and its cost:
# rows whose meta names neither get NULL, which is never turned into a Python string.
_META = {
    "meta": "CASE WHEN "
    + " OR ".join(f"instr(meta, '{key}')" for key in ('"output"', *COST_KEYS))
    + " THEN meta END"
}
DAY_S = 86400


def csv_select_with_times(history: History, columns: tuple[str, ...]) -> tuple[str, ...]:
    """``columns`` (export_lines.CSV_SELECT) with each time column written by SQLite over the
    history's span (from a day before its oldest job to two days after now, or its newest),
    and the meta read only where a CSV cell needs it."""
    ends: list[float] = []
    for order in ("oldest", "newest"):
        for batch in history.stream_rows(HistoryQuery(order=order, limit=1), ("created_at",)):
            ends.extend(float(row[0]) for row in batch if isinstance(row[0], int | float))
    if not ends:
        return columns
    start, end = min(ends) - DAY_S, max(time.time(), *ends) + 2 * DAY_S
    return tuple(
        local_time_sql(name, start, end) if name in _TIME_COLUMNS else _META.get(name, name)
        for name in columns
    )
