"""`jimeng-tui history` (table, filters, --json, --export) and `jimeng-tui locate`."""

from __future__ import annotations

import csv
import json
import os
import time

import pytest
from cli_support import history_jobs

from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.store.history import History
from jimeng_tui.store.paths import app_paths


def _add(
    prompt: str, *, state=JobState.SAVED, mode="t2v_720p", days_ago=0.0, code=None, favourite=False
) -> Job:
    paths = app_paths()
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    created = time.time() - days_ago * 86400
    job = Job(
        id=None,
        created_at=created,
        prompt=prompt,
        mode=mode,
        req_key="jimeng_t2v_v30",
        params={"prompt": prompt, "mode": mode, "duration": 5, "fps": 24, "seed": -1},
        state=state,
        task_id=str(7000000000000000000 + int(created * 1000) % 10**12),
        error_code=code,
        error_message="Text Risk Not Pass" if code else None,
        path=f"/videos/{prompt.split()[0].lower()}.mp4" if state is JobState.SAVED else None,
        duration_s=5.04 if state is JobState.SAVED else None,
        fps=24.0 if state is JobState.SAVED else None,
    )
    history = History(paths.history_db)
    try:
        job = history.add(job)
        if favourite:
            history.set_favourite(job.id, True)
    finally:
        history.close()
    return job


@pytest.fixture
def filled():
    return [
        _add("A golden retriever running through sunflowers", days_ago=10),
        _add("A cat on a velvet sofa", mode="t2v_1080p", days_ago=3, favourite=True),
        _add("A rejected thing", state=JobState.FAILED, code=50412, days_ago=1),
        _add("一只猫在沙发上睡觉", days_ago=0.01),
    ]


def test_history_table(exe_cli, filled):
    result = exe_cli("history")
    assert result.returncode == 0, result
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["DATE", "STATUS", "MODEL", "LENGTH", "PROMPT", "PATH"]
    assert len(lines) == 5
    assert "一只猫在沙发上睡觉" in lines[1]  # newest first
    assert "failed 50412" in lines[2]
    assert "5s/24" in lines[1] and "/videos/a.mp4" in lines[-1]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--search", "cat"], ["A cat on a velvet sofa"]),
        (["--search", "沙发"], ["一只猫在沙发上睡觉"]),
        (["--status", "failed"], ["A rejected thing"]),
        (["--mode", "t2v_1080p"], ["A cat on a velvet sofa"]),
        (["--favourites"], ["A cat on a velvet sofa"]),
        (["--limit", "1"], ["一只猫在沙发上睡觉"]),
        (["--order", "oldest", "--limit", "1"], ["A golden retriever running through sunflowers"]),
    ],
)
def test_history_filters_json(exe_cli, filled, args, expected):
    result = exe_cli("history", "--json", *args)
    assert result.returncode == 0, result
    rows = json.loads(result.stdout)
    assert [r["prompt"] for r in rows] == expected


def test_history_date_range(exe_cli, filled):
    since = time.strftime("%Y-%m-%d", time.localtime(time.time() - 5 * 86400))
    until = time.strftime("%Y-%m-%d", time.localtime(time.time() - 2 * 86400))
    result = exe_cli("history", "--json", "--since", since, "--until", until)
    assert [r["prompt"] for r in json.loads(result.stdout)] == ["A cat on a velvet sofa"]


def test_history_export_json_and_csv(exe_cli, filled, tmp_path):
    out_json = tmp_path / "rows.json"
    result = exe_cli("history", "--status", "saved", "--export", str(out_json))
    assert result.returncode == 0, result
    assert "wrote 3 job(s)" in result.stderr
    rows = json.loads(out_json.read_text(encoding="utf-8"))
    assert {r["prompt"] for r in rows} == {
        "A golden retriever running through sunflowers",
        "A cat on a velvet sofa",
        "一只猫在沙发上睡觉",
    }
    assert all(r["state"] == "saved" for r in rows)

    out_csv = tmp_path / "rows.csv"
    result = exe_cli("history", "--search", "cat", "--export", str(out_csv))
    assert result.returncode == 0, result
    with out_csv.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert [r["prompt"] for r in table] == ["A cat on a velvet sofa"]
    assert table[0]["mode"] == "t2v_1080p" and "params" not in table[0]

    again = exe_cli("history", "--export", str(out_csv))
    assert again.returncode == 2
    assert "never overwritten" in again.stderr


def test_history_empty(exe_cli):
    result = exe_cli("history")
    assert result.returncode == 0 and result.stdout == ""
    assert "no jobs yet" in result.stderr
    result = exe_cli("history", "--json")
    assert json.loads(result.stdout) == []


def test_history_lists_cli_jobs(cli):
    cli("generate", "A lighthouse at dusk")
    result = cli("history")
    assert "A lighthouse at dusk" in result.stdout
    (job,) = history_jobs()
    assert job.path in result.stdout


def test_locate(exe_cli):
    home = os.environ["JIMENG_TUI_HOME"]
    result = exe_cli("locate", "--json")
    assert result.returncode == 0, result
    data = json.loads(result.stdout)
    for key in ("config_file", "data_dir", "cache_dir", "log_dir", "videos_dir", "history_db"):
        assert data[key].startswith(home), key
    text = exe_cli("locate").stdout
    assert "videos_dir  " in text or "videos_dir" in text
    assert data["config_file"] in text


def test_a_long_export_shows_its_progress_on_a_terminal(exe, tmp_path):
    """On a terminal (stderr a tty) the export draws a bar with the rows written so far and
    the total, then clears it; the file has every row."""
    import pty
    import subprocess

    db = app_paths(os.environ).history_db
    db.parent.mkdir(parents=True, exist_ok=True)
    with History(db) as history:
        history.add_many(
            Job(id=None, created_at=1_700_000_000 + i, prompt=f"p{i}", mode="t2v_720p",
                req_key="k", params={}, state=JobState.SAVED)
            for i in range(5000)
        )  # fmt: skip
    master, slave = pty.openpty()
    out = tmp_path / "all.csv"
    proc = subprocess.Popen([exe, "history", "--export", str(out)], stderr=slave)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the program closed the terminal's other end
            break
        if not chunk:
            break
        seen += chunk
    assert proc.wait(60) == 0
    os.close(master)
    text = seen.decode()
    assert "exporting [" in text and "/ 5,000 jobs" in text
    assert "\x1b[K" in text  # the bar is cleared before the last line
    assert text.rstrip().endswith(f"wrote 5000 job(s) to {out}")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 5000
