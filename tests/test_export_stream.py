"""The streamed export (jobs/export.py ``export_history``): today's bytes, every row once, in
order, in flat memory; and its fast local time is datetime's."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import time
import tracemalloc
from datetime import datetime
from pathlib import Path

import pytest
from helpers.export_fixture import TZ, build_history

from jimeng_tui.jobs.export import export_history, export_jobs
from jimeng_tui.jobs.export_lines import local_time
from jimeng_tui.store.history import History, HistoryQuery

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def timezone(monkeypatch):
    """Switch the process's local time zone (``timezone("Asia/Kolkata")``), restored after."""

    def switch(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield switch
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_the_streamed_export_writes_the_bytes_the_old_one_wrote(tmp_path, timezone, kind):
    """export_before.* were written by the export before it streamed, from the same rows."""
    timezone(TZ)
    with History(build_history(tmp_path / "h.sqlite3")) as history:
        count = export_history(history, HistoryQuery(limit=None), tmp_path / f"out.{kind}")
        # the old path (decoded rows, one dict each) still writes the same bytes too
        export_jobs(history.export_rows(HistoryQuery(limit=None)), tmp_path / f"old.{kind}")
    assert count == 60
    expected = (FIXTURES / f"export_before.{kind}").read_bytes()
    assert (tmp_path / f"out.{kind}").read_bytes() == expected
    assert (tmp_path / f"old.{kind}").read_bytes() == expected


@pytest.mark.parametrize(
    "zone",
    [
        "America/New_York",  # summer time, an hour that happens twice
        "Australia/Lord_Howe",  # half an hour of summer time
        "Asia/Kolkata",  # +05:30
        "Africa/Monrovia",  # -00:44:30 until 1972: an offset with seconds
        "UTC",
    ],
)
def test_local_time_is_datetimes_isoformat(timezone, zone):
    timezone(zone)
    stamps = [0.0, 1.9999996, 2.0000004, 59.5, -1.25, 63_072_000.0 - 0.0000004]
    for year_start in (63_590_400, 1_762_063_200 - 7200, 1_743_868_800, 1_759_593_600):
        stamps += [year_start + i * 601.7 for i in range(-30, 30)]
    stamps += [stamp + 7 for stamp in stamps]  # the same minutes again, from the cache
    for stamp in stamps:
        expected = datetime.fromtimestamp(stamp).astimezone().isoformat(timespec="seconds")
        assert local_time(stamp) == expected, stamp
    assert local_time(None) == ""


@pytest.mark.parametrize("zone", ["America/New_York", "Australia/Lord_Howe", "Africa/Monrovia"])
def test_the_times_sqlite_writes_are_datetimes_isoformat(tmp_path, timezone, zone):
    """The CSV's times come from SQLite (export_times.py), the rare ones from Python: either
    way datetime's text, across summer-time changes and offsets with minutes and seconds."""
    timezone(zone)
    stamps = [1.9999996, 59.5, 63_072_000.0 - 0.0000004, -1.25]
    for year_start in (63_590_400, 1_762_063_200 - 7200, 1_743_868_800, 1_759_593_600):
        stamps += [year_start + i * 601.7 for i in range(-30, 30)]
    stamps += [stamp + 0.9995 for stamp in stamps[:40]]  # a millisecond from the next second
    db = tmp_path / "h.sqlite3"
    History(db).close()
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO jobs (id, created_at, submitted_at, finished_at, saved_at, prompt, "
            "mode, req_key, params, state, image_hashes, meta, favourite, poll_count) "
            "VALUES (?, ?, ?, ?, ?, 'p', 't2v_720p', 'k', '{}', 'saved', '[]', '{}', 0, 0)",
            [(i + 1, s, s + 7, s + 3600.5, None) for i, s in enumerate(stamps)],
        )
    with History(db) as history:
        export_history(history, HistoryQuery(limit=None, order="oldest"), tmp_path / "t.csv")
    with (tmp_path / "t.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = {int(r["id"]): r for r in csv.DictReader(fh)}

    def iso(stamp: float) -> str:
        return datetime.fromtimestamp(stamp).astimezone().isoformat(timespec="seconds")

    for i, stamp in enumerate(stamps):
        row = rows[i + 1]
        assert row["created_at"] == iso(stamp), stamp
        assert (row["submitted_at"], row["finished_at"]) == (iso(stamp + 7), iso(stamp + 3600.5))
        assert row["saved_at"] == ""


def _many_rows(path: Path, count: int) -> None:
    """``count`` jobs written straight into the history's table (fast), ids 1..count, created
    in id order, some sharing a time (so the id decides their order)."""
    History(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO jobs (id, created_at, prompt, mode, req_key, params, state, "
            "image_hashes, meta, favourite, poll_count) "
            "SELECT i, 1700000000 + i / 2, 'prompt ' || i || ' 猫', 't2v_720p', 'k', "
            "'{\"duration\": 5, \"seed\": ' || i || '}', 'saved', '[]', '{}', i % 2, 0 FROM n",
            (count,),
        )


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_100k_rows_are_each_written_once_in_order_in_flat_memory(tmp_path, kind):
    count = 100_000
    db = tmp_path / "h.sqlite3"
    _many_rows(db, count)
    out = tmp_path / f"all.{kind}"
    seen: list[int] = []
    with History(db) as history:
        tracemalloc.start()
        try:
            written = export_history(history, HistoryQuery(limit=None), out, seen.append)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert written == count and seen[-1] == count and seen == sorted(seen)
    # streamed in batches: a few MB; the rows or the text held whole would be over 50 MB
    # (10 MB since the cost fields made each JSON line longer: it was near 8 MB before)
    assert peak < 10_000_000, peak
    if kind == "csv":
        with out.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
        ids = [int(r["id"]) for r in rows]
        assert rows[0]["seed"] == str(count) and rows[-1]["favourite"] == "true"
    else:
        rows = json.loads(out.read_text(encoding="utf-8"))
        ids = [r["id"] for r in rows]
        assert rows[0]["params"] == {"duration": 5, "seed": count} and rows[-1]["favourite"]
    assert ids == list(range(count, 0, -1))  # newest first, every row once


def test_an_export_holds_no_one_up(tmp_path):
    """While an export reads (its own connection, one snapshot), the history still takes
    writes, and the export has the rows as they were when it began."""
    db = tmp_path / "h.sqlite3"
    _many_rows(db, 5000)
    with History(db) as history:
        batches = history.stream_rows(HistoryQuery(limit=None), ("id",), batch=1000)
        first = next(batches)
        history.set_favourite(1, True)  # a write in the middle of the export
        history.delete(10)
        rest = [row for batch in batches for row in batch]
    ids = [r[0] for r in first + rest]
    assert ids == list(range(5000, 0, -1))


def test_limit_and_filters_are_kept(tmp_path):
    db = tmp_path / "h.sqlite3"
    _many_rows(db, 300)
    with History(db) as history:
        q = HistoryQuery(text="猫", favourite=True, order="oldest", limit=4)
        assert export_history(history, q, tmp_path / "four.json") == 4
    rows = json.loads((tmp_path / "four.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in rows] == [1, 3, 5, 7]


def test_an_empty_match_still_writes_a_valid_file(tmp_path):
    db = tmp_path / "h.sqlite3"
    _many_rows(db, 10)
    with History(db) as history:
        q = HistoryQuery(text="nowhere to be found")
        assert export_history(history, q, tmp_path / "none.json") == 0
        assert export_history(history, q, tmp_path / "none.csv") == 0
    assert json.loads((tmp_path / "none.json").read_text()) == []
    assert (tmp_path / "none.csv").read_text(encoding="utf-8-sig").startswith("id,created_at")
    assert os.path.getsize(tmp_path / "none.csv") < 1000


def test_the_cost_columns_come_after_the_old_ones_unchanged():
    """Issue 16: the cost columns were appended; the columns exports had before keep their
    place, so spreadsheets built on them still read the same cells."""
    header = (FIXTURES / "export_before.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    columns = header.split(",")
    assert columns[-3:] == ["cost", "currency", "tokens"]
    assert columns[:3] == ["id", "created_at", "status"]
    assert columns[-4] == "other_parameters"


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_a_saved_seedance_jobs_cost_is_exported(tmp_path, kind):
    """A saved Ark job: 108 900 tokens × 46.00 CNY/1M = 5.0094 CNY, in both export paths."""
    from jimeng_tui.domain.job import Job, JobState
    from jimeng_tui.domain.meta import JobMeta
    from jimeng_tui.domain.prices import PER_MILLION_TOKENS, Price

    price = Price(46.0, PER_MILLION_TOKENS, "CNY", "third-party", third_party=True)
    meta = JobMeta(service="ark", usage_tokens=108_900, price=price.to_json(), currency="CNY")
    job = Job(
        id=None,
        created_at=1_762_063_200.0,
        prompt="a cat",
        mode="doubao-seedance-2-0",
        req_key="",
        params={"prompt": "a cat", "duration": 5},
        state=JobState.SAVED,
        task_id="cgt-1",
        meta=meta,
    )
    with History(tmp_path / "h.sqlite3") as history:
        history.add(job)
        export_history(history, HistoryQuery(limit=None), tmp_path / f"out.{kind}")
        export_jobs(history.export_rows(HistoryQuery(limit=None)), tmp_path / f"old.{kind}")
    streamed = (tmp_path / f"out.{kind}").read_bytes()
    assert streamed == (tmp_path / f"old.{kind}").read_bytes()
    if kind == "csv":
        rows = list(csv.DictReader(streamed.decode("utf-8-sig").splitlines()))
        assert (rows[0]["cost"], rows[0]["currency"], rows[0]["tokens"]) == (
            "5.0094",
            "CNY",
            "108900",
        )
    else:
        row = json.loads(streamed)[0]
        assert (row["cost"], row["currency"], row["tokens"]) == (5.0094, "CNY", 108_900)
