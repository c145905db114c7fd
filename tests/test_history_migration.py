"""A history written by an older jimeng-tui (main at 57b596e, schema 2) opens, resumes and
exports with today's code: the bookkeeping it kept in ``params`` moves to ``meta`` (schema 4).

The fixture and the script that wrote it are in tests/fixtures/ (make_history_fixture.py)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from jimeng_tui.domain.job import JobState
from jimeng_tui.domain.meta import BatchOrigin
from jimeng_tui.store.history import History, HistoryQuery
from jimeng_tui.store.migrations import SCHEMA_VERSION
from jimeng_tui.store.paths import app_paths

FIXTURE = Path(__file__).parent / "fixtures" / "history_main_57b596e.sqlite3"
OLD_SERVICE = "https://visual.volcengineapi.com"
OLD_BODY = {"req_key": "jimeng_t2v_v30", "prompt": "", "seed": 42, "frames": 121}
INTERNAL = ("_batch", "_request_body", "_service", "_refusals", "_link_dropped", "output")


@pytest.fixture
def old_history() -> Path:
    """The fixture copied to where the current home's history lives."""
    db = app_paths(os.environ).history_db
    db.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURE, db)
    return db


def _jimeng(*args: str, server, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "VOLC_ACCESSKEY": server.options.access_key,
        "VOLC_SECRETKEY": server.options.secret_key,
        "JIMENG_VIDEO_API_URL": server.base_url,
        "JIMENG_VIDEO_POLL_INTERVAL": "0.2",
        "PYTHONWARNINGS": "ignore",
    }
    return subprocess.run(
        [sys.executable, "-m", "jimeng_tui", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_the_fixture_is_an_old_history(tmp_path):
    copy = tmp_path / FIXTURE.name  # (SQLite writes -wal/-shm beside a WAL file it reads)
    shutil.copyfile(FIXTURE, copy)
    conn = sqlite3.connect(copy)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
        params = [json.loads(r[0]) for r in conn.execute("SELECT params FROM jobs ORDER BY id")]
    finally:
        conn.close()
    assert [p.get("_service") for p in params] == [OLD_SERVICE] * 4 + [None]
    assert params[3]["_batch"]["file"] == "/home/user/shots/batch.jsonl"


def test_opening_moves_the_bookkeeping_from_params_to_meta(old_history):
    with History(old_history) as history:
        assert history.schema_version == SCHEMA_VERSION
        jobs = {j.id: j for j in history.query(HistoryQuery(limit=None, order="oldest"))}
        by_path = history.find_meta({"$.batch.path": "/home/user/shots/batch.jsonl"})
    assert [j.state for j in jobs.values()] == [
        JobState.SAVED,
        JobState.FAILED,
        JobState.SUBMIT_UNKNOWN,
        JobState.SAVED,
        JobState.QUEUED,
    ]
    for job in jobs.values():
        assert not [k for k in job.params if k.startswith("_") or k == "output"], job.params
        assert job.params["prompt"] == job.prompt and job.params["seed"] == 42
    saved, failed, unknown, batch, queued = jobs.values()
    assert saved.meta.output == "harbour.mp4" and saved.meta.endpoint == OLD_SERVICE
    assert saved.meta.sent_body == OLD_BODY and saved.meta.refusals == 0
    assert failed.meta.refusals == 2 and failed.meta.sent_body == OLD_BODY
    assert unknown.meta.extra == {"_future_key": [1, 2]}  # unknown keys are kept, not dropped
    assert batch.meta.batch == BatchOrigin(
        path="/home/user/shots/batch.jsonl", sha256="ab" * 32, line=3, request="cd" * 8
    )
    assert batch.meta.link_dropped == "the sandbox restarted on a new port"
    assert queued.meta.to_json() == {}
    assert [j.id for j in by_path] == [batch.id]  # a re-run of that batch file still finds it
    with History(old_history) as again:  # a second open changes nothing
        assert again.get(batch.id) == batch


def test_resume_then_export_after_the_migration(old_history, sandbox, tmp_path):
    result = _jimeng("resume", server=sandbox)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert len(sandbox.submitted_bodies()) == 1  # the queued job; nothing else is sent again
    with History(old_history) as history:
        jobs = history.query(HistoryQuery(limit=None, order="oldest"))
    queued = jobs[-1]
    assert queued.state is JobState.SAVED and queued.path and Path(queued.path).is_file()
    assert queued.meta.endpoint == sandbox.base_url and queued.meta.sent_body
    assert not [k for k in queued.params if k.startswith("_")]
    assert [j.state for j in jobs[:4]] == [
        JobState.SAVED,
        JobState.FAILED,
        JobState.SUBMIT_UNKNOWN,
        JobState.SAVED,
    ]

    out_csv, out_json = tmp_path / "all.csv", tmp_path / "all.json"
    for out in (out_csv, out_json):
        exported = _jimeng("history", "--export", str(out), server=sandbox)
        assert exported.returncode == 0, exported.stderr
    text = out_csv.read_text(encoding="utf-8-sig")
    for internal in (*INTERNAL[:5], OLD_SERVICE, 'jimeng_t2v_v30"'):
        assert internal not in text
    rows = {r["prompt"]: r for r in csv.DictReader(text.splitlines())}
    assert len(rows) == 5
    assert rows["saved with an output name"]["output"] == "harbour.mp4"
    assert rows["still queued: resume sends it"]["status"] == "saved"
    assert rows["a batch line, saved"]["other_parameters"] == ""
    data = {r["prompt"]: r for r in json.loads(out_json.read_text(encoding="utf-8"))}
    assert len(data) == 5
    for row in data.values():
        assert not set(INTERNAL) & set(row["params"])
    assert data["a batch line, saved"]["meta"]["batch"]["line"] == 3
    assert data["failed after two refusals"]["meta"]["refusals"] == 2
    assert data["no answer to the submit"]["meta"]["extra"] == {"_future_key": [1, 2]}
