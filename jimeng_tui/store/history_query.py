"""What the history's search asks for (HistoryQuery) and the SQL it becomes.

Pure functions over a query: :class:`jimeng_tui.store.history.History` runs what they build.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.domain.job import JobState

ORDERS: dict[str, str] = {
    "newest": "created_at DESC, id DESC",
    "oldest": "created_at ASC, id ASC",
    # NULLs sort first ascending and last descending, so "longest" can walk jobs_duration backwards
    "longest": "duration_s DESC, created_at DESC, id DESC",
    "shortest": "duration_s ASC NULLS LAST, created_at DESC, id DESC",
}
FTS_MIN_CHARS = 3  # the trigram tokenizer needs 3 characters; shorter terms use LIKE


@dataclass
class HistoryQuery:
    text: str = ""  # words to find in prompts (all must match; any substring, any script)
    status: str | None = None  # a JobState value, or several separated by commas
    mode: str | None = None
    since: float | None = None  # created_at >= since
    until: float | None = None  # created_at < until
    favourite: bool | None = None
    order: str = "newest"  # newest | oldest | longest | shortest (by duration_s)
    limit: int | None = 100  # None (or negative): no limit
    offset: int = 0


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def where_clause(q: HistoryQuery, *, like_only: bool = False) -> tuple[str, list[Any]]:
    """The WHERE clause of ``q``; ``like_only`` matches every term with LIKE (a substring
    test, as the trigram index does) instead of the FTS index."""
    clauses: list[str] = []
    args: list[Any] = []
    terms = q.text.split() if q.text else []
    long_terms = [t for t in terms if len(t) >= FTS_MIN_CHARS and not like_only]
    if long_terms:
        clauses.append("id IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?)")
        args.append(" AND ".join(_fts_phrase(t) for t in long_terms))
    for term in terms:
        if like_only or len(term) < FTS_MIN_CHARS:
            clauses.append("prompt LIKE ? ESCAPE '\\'")
            args.append(_like_pattern(term))
    if q.status:
        states = [s.strip() for s in q.status.split(",") if s.strip()]
        allowed = tuple(s.value for s in JobState)
        bad = [s for s in states if s not in allowed]
        if bad:
            raise ValidationError("status", f"unknown state {bad[0]!r}", allowed)
        clauses.append(f"state IN ({', '.join('?' for _ in states)})")
        args.extend(states)
    if q.mode:
        clauses.append("mode = ?")
        args.append(q.mode)
    if q.since is not None:
        clauses.append("created_at >= ?")
        args.append(q.since)
    if q.until is not None:
        clauses.append("created_at < ?")
        args.append(q.until)
    if q.favourite is not None:
        clauses.append("favourite = ?")
        args.append(int(q.favourite))
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return where, args


def order_by(q: HistoryQuery) -> str:
    try:
        return ORDERS[q.order]
    except KeyError:
        raise ValidationError("order", f"unknown order {q.order!r}", tuple(ORDERS)) from None


__all__ = ["FTS_MIN_CHARS", "ORDERS", "HistoryQuery", "order_by", "where_clause"]
