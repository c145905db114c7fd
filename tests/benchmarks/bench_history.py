"""History at scale: 100,000 rows, the list page and search-as-you-type.

Run on demand (excluded from the normal run by ``--ignore=tests/benchmarks``):

    /work/venv/bin/pytest tests/benchmarks/bench_history.py -s -q

Each History call is timed next to the same SQL on a raw sqlite3 connection in the same run, so
the printed ratio is the cost of the History layer (locking, row → Job decoding), not the machine.
"""

from __future__ import annotations

import sqlite3
import statistics
import time

import pytest
from bench_support import TYPED_EN, TYPED_ZH, synthetic_jobs

from jimeng_tui.domain.job import JOB_FIELDS
from jimeng_tui.store.history import History, HistoryQuery

ROWS = 100_000
REPEAT = 15


@pytest.fixture(scope="module")
def big_history(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "history.sqlite3"
    history = History(path)
    start = time.perf_counter()
    jobs = synthetic_jobs(ROWS, seed=7)
    while True:
        batch = [job for _, job in zip(range(5000), jobs, strict=False)]
        if not batch:
            break
        history.add_many(batch)
    print(
        f"\ninserted {ROWS:,} rows in {time.perf_counter() - start:.1f} s "
        f"({path.stat().st_size / 1e6:.0f} MB + WAL)"
    )
    raw = sqlite3.connect(path)
    yield history, raw
    raw.close()
    history.close()


def median_ms(fn) -> float:
    fn()  # warm the page cache
    samples = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


COLUMNS = ", ".join(JOB_FIELDS)


def raw_search_sql(text: str) -> tuple[str, list]:
    clauses, args = [], []
    words = text.split()
    long = [w for w in words if len(w) >= 3]
    if long:
        clauses.append("id IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH ?)")
        args.append(" AND ".join(f'"{w}"' for w in long))
    for w in words:
        if len(w) < 3:
            clauses.append("prompt LIKE ?")
            args.append(f"%{w}%")
    where = " WHERE " + " AND ".join(clauses) if clauses else ""
    return f"SELECT {COLUMNS} FROM jobs{where} ORDER BY created_at DESC, id DESC LIMIT 100", args


def report(label: str, ours: float, raw: float, rows: int) -> float:
    ratio = ours / raw if raw else float("inf")
    print(f"{label:<34} {rows:>5} rows  history {ours:8.2f} ms  raw {raw:8.2f} ms  ×{ratio:5.2f}")
    return ratio


def test_list_page(big_history):
    history, raw = big_history
    q = HistoryQuery(limit=100)
    sql = f"SELECT {COLUMNS} FROM jobs ORDER BY created_at DESC, id DESC LIMIT 100"
    ours = median_ms(lambda: history.query(q))
    theirs = median_ms(lambda: raw.execute(sql).fetchall())
    assert len(history.query(q)) == 100
    print()
    report("query(limit=100)", ours, theirs, 100)
    count_ours = median_ms(lambda: history.count(HistoryQuery()))
    count_raw = median_ms(lambda: raw.execute("SELECT COUNT(*) FROM jobs").fetchone())
    report("count()", count_ours, count_raw, 1)
    for label, q2, where, args in (
        ("query(status='failed')", HistoryQuery(status="failed"), "state = ?", ("failed",)),
        ("query(favourite=True)", HistoryQuery(favourite=True), "favourite = ?", (1,)),
        ("query(mode='ti2v_pro')", HistoryQuery(mode="ti2v_pro"), "mode = ?", ("ti2v_pro",)),
    ):
        raw_sql = (
            f"SELECT {COLUMNS} FROM jobs WHERE {where} ORDER BY created_at DESC, id DESC LIMIT 100"
        )
        report(
            label,
            median_ms(lambda q2=q2: history.query(q2)),
            median_ms(lambda s=raw_sql, a=args: raw.execute(s, a).fetchall()),
            len(history.query(q2)),
        )
    page = HistoryQuery(limit=100, offset=10_000, status="saved", mode="t2v_1080p")
    report(
        "query(status, mode, offset=10k)",
        median_ms(lambda: history.query(page)),
        median_ms(
            lambda: raw.execute(
                f"SELECT {COLUMNS} FROM jobs WHERE state = ? AND mode = ? "
                "ORDER BY created_at DESC, id DESC LIMIT 100 OFFSET 10000",
                ("saved", "t2v_1080p"),
            ).fetchall()
        ),
        len(history.query(page)),
    )
    assert ours < 100  # a page must feel instant


@pytest.mark.parametrize("typed", [TYPED_EN, TYPED_ZH], ids=["english", "chinese"])
def test_search_as_you_type(big_history, typed):
    history, raw = big_history
    print()
    worst = 0.0
    for end in range(1, len(typed) + 1):
        prefix = typed[:end]
        if prefix.endswith(" "):
            continue
        q = HistoryQuery(text=prefix, limit=100)
        sql, args = raw_search_sql(prefix)
        rows = history.query(q)
        assert [j.id for j in rows] == [r[0] for r in raw.execute(sql, args).fetchall()]
        ours = median_ms(lambda q=q: history.query(q))
        theirs = median_ms(lambda sql=sql, args=args: raw.execute(sql, args).fetchall())
        report(f"text={prefix!r}", ours, theirs, len(rows))
        worst = max(worst, ours)
    print(f"worst keystroke: {worst:.1f} ms")
    assert worst < 500
