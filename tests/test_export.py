"""jobs/export.py: history rows to JSON or CSV, never overwriting, written atomically."""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import stat
import tracemalloc
from datetime import datetime

import pytest

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.domain.meta import BatchOrigin, JobMeta
from jimeng_tui.jobs.export import CSV_COLUMNS, ExportError, export_jobs
from jimeng_tui.services.jimeng.request import GenerationRequest
from jimeng_tui.store.history import History, HistoryQuery


def job(prompt: str, **fields) -> Job:
    return Job(
        id=fields.pop("id", None),
        created_at=fields.pop("created_at", 1_764_000_000.0),
        prompt=prompt,
        mode="t2v_720p",
        req_key="jimeng_t2v_v30",
        params={"prompt": prompt, "duration": 5, "fps": 24, "seed": fields.pop("seed", 42)},
        state=fields.pop("state", JobState.SAVED),
        **fields,
    )


@pytest.fixture
def history(tmp_path):
    with History(tmp_path / "h.sqlite3") as h:
        h.add(job("一只猫在草地上奔跑", image_hashes=["ab" * 32], favourite=True, duration_s=5.0))
        h.add(job('quotes "and", commas\nand a newline', state=JobState.FAILED, error_code=50412))
        yield h


def test_json_from_history_rows_round_trips(history, tmp_path):
    rows = history.export_rows(HistoryQuery(limit=None))
    out = tmp_path / "all.json"
    assert export_jobs(rows, out) == 2
    back = json.loads(out.read_text(encoding="utf-8"))
    # the same dicts (params a dict, hashes a list, favourite a bool) and the cost fields
    costs = [{k: row.pop(k) for k in ("cost", "currency", "tokens")} for row in back]
    assert back == rows
    failed = next(i for i, row in enumerate(rows) if row["state"] == "failed")
    assert costs[failed] == {"cost": 0.0, "currency": None, "tokens": None}  # not billed
    assert "一只猫" in out.read_text(encoding="utf-8")  # not \\u-escaped


def test_json_from_job_objects_matches_history_rows(history, tmp_path):
    jobs = history.query(HistoryQuery(limit=None))
    export_jobs(jobs, tmp_path / "jobs.json")
    export_jobs(history.export_rows(HistoryQuery(limit=None)), tmp_path / "rows.json")
    assert json.loads((tmp_path / "jobs.json").read_text()) == json.loads(
        (tmp_path / "rows.json").read_text()
    )


def _read_csv(path):
    with path.open(encoding="utf-8-sig", newline="") as fh:  # a BOM first, for Excel
        reader = csv.DictReader(fh)
        return reader.fieldnames, list(reader)


def test_csv_is_for_spreadsheets(history, tmp_path):
    marked = job(
        "a batch line",
        created_at=1_764_000_000.0,
        submitted_at=1_764_000_003.5,
        saved_at=1_764_000_061.0,
        image_hashes=["ab" * 32, "cd" * 32],
    )
    marked.params.update(
        aspect_ratio="9:16",
        first_image="/in/first.png",
        camera_template="hitchcock",
    )
    marked.meta = JobMeta(
        batch=BatchOrigin(path="/in/b.jsonl", sha256="x", line=3),
        sent_body={"req_key": "jimeng_t2v_v30"},
        endpoint="http://127.0.0.1:9",
    )
    history.add(marked)
    rows = history.export_rows(HistoryQuery(limit=None))
    out = tmp_path / "all.CSV"  # the suffix is case-insensitive
    assert export_jobs(rows, out) == 3
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    columns, back = _read_csv(out)
    assert columns == list(CSV_COLUMNS)
    # one column per parameter of a request, named as generate's options and batch fields
    assert {f.name for f in dataclasses.fields(GenerationRequest)} <= set(columns)
    assert "params" not in columns and "owner_pid" not in columns
    text = out.read_text(encoding="utf-8-sig")
    for internal in ("_batch", "_request_body", "_service", "127.0.0.1:9", "b.jsonl"):
        assert internal not in text

    by_prompt = {r["prompt"]: r for r in back}
    line = by_prompt["a batch line"]
    created = datetime.fromisoformat(line["created_at"])
    assert created.utcoffset() is not None  # local time, with its offset
    assert created.timestamp() == 1_764_000_000.0
    assert datetime.fromisoformat(line["submitted_at"]).timestamp() == 1_764_000_003.0
    assert datetime.fromisoformat(line["saved_at"]).timestamp() == 1_764_000_061.0
    assert line["finished_at"] == ""
    assert (line["duration"], line["fps"], line["seed"]) == ("5", "24", "42")
    assert (line["aspect_ratio"], line["first_image"]) == ("9:16", "/in/first.png")
    assert (line["camera_template"], line["last_image"]) == ("hitchcock", "")
    assert line["image_sha256"] == f"{'ab' * 32} {'cd' * 32}"
    assert line["other_parameters"] == ""
    cat = by_prompt["一只猫在草地上奔跑"]
    assert cat["favourite"] == "true" and cat["status"] == "saved"
    assert cat["video_duration_s"] == "5.0" and cat["error_code"] == ""
    failed = by_prompt['quotes "and", commas\nand a newline']
    assert failed["error_code"] == "50412" and failed["favourite"] == "false"
    assert failed["status"] == "failed"


def test_json_keeps_the_internal_keys(history, tmp_path):
    marked = job("kept", created_at=1_764_000_000.0)
    marked.meta.batch = BatchOrigin(path="/in/b.jsonl", sha256="x", line=3)
    history.add(marked)
    export_jobs(history.export_rows(HistoryQuery(limit=None)), tmp_path / "all.json")
    rows = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    kept = next(r for r in rows if r["prompt"] == "kept")
    assert kept["meta"]["batch"]["line"] == 3 and kept["created_at"] == 1_764_000_000.0


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_rows_are_streamed_not_held(tmp_path, suffix):
    """20,000 rows (about 15 MB of JSON) go through a small, flat amount of memory."""
    count = 20_000

    def rows():
        for i in range(count):
            yield job(f"prompt {i} " + "x" * 600, id=i)

    tracemalloc.start()
    try:
        assert export_jobs(rows(), tmp_path / f"many{suffix}") == count
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (tmp_path / f"many{suffix}").stat().st_size > count * 600
    assert peak < 2_000_000, peak  # streamed: ~0.2 MB; holding the rows or text: over 12 MB


def test_empty_export_still_has_the_header(tmp_path):
    assert export_jobs([], tmp_path / "none.csv") == 0
    columns, rows = _read_csv(tmp_path / "none.csv")
    assert columns == list(CSV_COLUMNS) and rows == []
    assert export_jobs([], tmp_path / "none.json") == 0
    assert json.loads((tmp_path / "none.json").read_text()) == []


def test_never_overwrites_and_leaves_no_temporary_file(tmp_path):
    out = tmp_path / "exists.json"
    out.write_text("keep me")
    with pytest.raises(ExportError, match="never overwritten") as info:
        export_jobs([job("x")], out)
    assert isinstance(info.value, JimengError)
    assert out.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exists.json"]


def test_refuses_other_suffixes_and_missing_folders(tmp_path):
    with pytest.raises(ExportError, match=r"\.json or \.csv"):
        export_jobs([job("x")], tmp_path / "out.txt")
    with pytest.raises(ExportError, match="does not exist"):
        export_jobs([job("x")], tmp_path / "missing" / "out.csv")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(ExportError, match="No space left"):
        export_jobs([job("x")], tmp_path / "out.json")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_the_file_gets_the_usual_mode(tmp_path):
    old = os.umask(0o022)
    try:
        export_jobs([job("x")], tmp_path / "out.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.json").stat().st_mode) == 0o644
