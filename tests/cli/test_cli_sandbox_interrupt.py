"""Ctrl-C during a --sandbox run says how to finish it, and that command does finish it (the
embedded emulator keeps its tasks in the data folder)."""

from __future__ import annotations

from pathlib import Path

from cli_support import history_jobs, interrupt_when, no_account_env, run_cli

from jimeng_tui.domain.job import JobState

POLLING = (JobState.IN_QUEUE, JobState.GENERATING)


def _polling_sandbox_jobs(count: int = 1):
    jobs = history_jobs(sandbox=True)
    polling = [j for j in jobs if j.task_id and j.state in POLLING]
    return polling if len(polling) >= count else None


def test_ctrl_c_in_sandbox_generate_prints_the_command_that_finishes_it(exe):
    env = no_account_env()
    code, stdout, stderr, (polled,) = interrupt_when(
        exe,
        ["generate", "A lantern drifting up", "--sandbox", "--duration", "10"],
        env,
        _polling_sandbox_jobs,
    )
    assert code == 130, stderr
    assert stdout == ""
    assert "cannot be resumed" not in stderr
    assert f"jimeng-tui wait {polled.task_id} --sandbox" in stderr
    assert "jimeng-tui resume --sandbox" in stderr

    # the printed command does what it says: the same task, saved, nothing submitted again
    result = run_cli(exe, "wait", polled.task_id, "--sandbox", env=env)
    assert result.returncode == 0, result
    (job,) = history_jobs(sandbox=True)
    assert job.task_id == polled.task_id and job.state is JobState.SAVED
    assert f"- Save Path: {job.path}" in result.stdout
    assert f"[Download Video]({Path(job.path).as_uri()})" in result.stdout


def test_ctrl_c_in_sandbox_batch_then_the_same_command_resumes(exe, tmp_path):
    env = no_account_env()
    batch = tmp_path / "two.jsonl"
    batch.write_text('"A lantern drifting up"\n"A kite in the wind"\n', encoding="utf-8")
    code, _stdout, stderr, polled = interrupt_when(
        exe, ["batch", str(batch), "--sandbox"], env, lambda: _polling_sandbox_jobs(2)
    )
    assert code == 130, stderr
    assert "anew" not in stderr
    assert "Run the same command again" in stderr
    assert "jimeng-tui resume --sandbox" in stderr

    again = run_cli(exe, "batch", str(batch), "--sandbox", env=env)
    assert again.returncode == 0, again
    assert "0 submitted now" in again.stdout and "2 resumed" in again.stdout
    jobs = history_jobs(sandbox=True)
    assert sorted(j.task_id for j in jobs) == sorted(j.task_id for j in polled)
    assert all(j.state is JobState.SAVED for j in jobs)
