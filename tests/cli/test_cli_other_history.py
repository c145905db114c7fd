"""When the history a command reads has nothing (or not the task) and the other one (live ↔
sandbox) has it, the command says so and gives the command that finds it."""

from __future__ import annotations

import os

from cli_support import history_jobs

from jimeng_tui.cli.other_history import jobs_elsewhere_note, task_elsewhere_message
from jimeng_tui.store.paths import app_paths


def test_live_commands_point_to_the_sandbox_history(cli):
    made = cli("--sandbox", "generate", "A kite over the dunes", "--quiet")
    assert made.returncode == 0, made
    (job,) = history_jobs(sandbox=True)
    live_db = app_paths(os.environ).history_db

    shown = cli("history")
    assert shown.returncode == 0 and shown.stdout == "", shown
    assert (
        "no jobs yet in the history; the sandbox history has 1 job: `jimeng-tui history --sandbox`"
        in shown.stderr
    )
    filtered = cli("history", "--search", "lighthouse", "--json")
    assert filtered.stdout.strip() == "[]"
    assert "the sandbox history has 1 job" in filtered.stderr
    assert not live_db.exists()  # looking did not create the live history

    for command in ("status", "wait"):
        result = cli(command, job.task_id)
        assert result.returncode == 2, result
        assert "not in the history; give --mode" not in result.stderr
        assert f"it is in the sandbox history (mode {job.mode})" in result.stderr
        assert f"jimeng-tui {command} {job.task_id} --sandbox" in result.stderr
    assert history_jobs() == []  # nothing was added to the live history


def test_sandbox_commands_point_to_the_live_history(cli, sandbox_server):
    made = cli("generate", "A lighthouse at dusk", "--quiet")
    assert made.returncode == 0, made
    (job,) = history_jobs()
    sandbox_db = app_paths(os.environ).sandbox_history_db

    shown = cli("history", "--sandbox")
    assert shown.returncode == 0, shown
    assert "the live history has 1 job: `jimeng-tui history`" in shown.stderr
    assert not sandbox_db.exists()

    result = cli("status", job.task_id, "--sandbox")
    assert result.returncode == 2, result
    assert "it is in the live history (mode t2v_720p)" in result.stderr
    assert f"jimeng-tui status {job.task_id}\n" in result.stderr + "\n"


def test_a_task_in_neither_history_asks_for_the_mode(cli):
    live = cli("status", "123")
    sandbox = cli("status", "123", "--sandbox")
    assert live.returncode == sandbox.returncode == 2
    assert "task 123 is not in the history; give --mode" in live.stderr
    assert "task 123 is not in the sandbox history; give --mode" in sandbox.stderr


def test_peeking_never_creates_the_other_history():
    paths = app_paths(os.environ)
    assert jobs_elsewhere_note(sandbox=False) is None
    assert task_elsewhere_message(False, "123", "status") is None
    assert jobs_elsewhere_note(sandbox=True) is None
    assert not paths.sandbox_history_db.exists() and not paths.history_db.exists()
