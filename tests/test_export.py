"""jobs/export.py: history rows to JSON or CSV, never overwriting, written atomically."""

from __future__ import annotations

import csv
import json
import os
import stat

import pytest

from jimeng_tui.api.errors import JimengError
from jimeng_tui.jobs.export import ExportError, export_jobs
from jimeng_tui.jobs.model import JOB_FIELDS, Job, JobState
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
    assert back == rows  # the same dicts: params a dict, hashes a list, favourite a bool
    assert "一只猫" in out.read_text(encoding="utf-8")  # not \\u-escaped


def test_json_from_job_objects_matches_history_rows(history, tmp_path):
    jobs = history.query(HistoryQuery(limit=None))
    export_jobs(jobs, tmp_path / "jobs.json")
    export_jobs(history.export_rows(HistoryQuery(limit=None)), tmp_path / "rows.json")
    assert json.loads((tmp_path / "jobs.json").read_text()) == json.loads(
        (tmp_path / "rows.json").read_text()
    )


def test_csv_round_trips_every_field(history, tmp_path):
    rows = history.export_rows(HistoryQuery(limit=None))
    out = tmp_path / "all.CSV"  # the suffix is case-insensitive
    assert export_jobs(rows, out) == 2
    with out.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == list(JOB_FIELDS)
        back = list(reader)
    by_prompt = {r["prompt"]: r for r in back}
    cat = by_prompt["一只猫在草地上奔跑"]
    assert json.loads(cat["params"])["seed"] == 42
    assert json.loads(cat["image_hashes"]) == ["ab" * 32]
    assert cat["favourite"] == "true" and cat["state"] == "saved"
    assert float(cat["duration_s"]) == 5.0 and cat["error_code"] == ""
    failed = by_prompt['quotes "and", commas\nand a newline']
    assert failed["error_code"] == "50412" and failed["favourite"] == "false"


def test_empty_export_still_has_the_header(tmp_path):
    assert export_jobs([], tmp_path / "none.csv") == 0
    assert (tmp_path / "none.csv").read_text().splitlines()[0].startswith("id,created_at,")
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
