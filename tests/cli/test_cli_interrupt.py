"""Ctrl-C while polling: exit 130, the job stays in the journal, `resume` finishes that task."""

from __future__ import annotations

from cli_support import history_jobs, interrupt_when, run_cli, sandbox_env

from jimeng_tui.domain.job import JobState


def _polling_job():
    jobs = history_jobs()
    if jobs and jobs[0].task_id and jobs[0].state in (JobState.IN_QUEUE, JobState.GENERATING):
        return jobs[0]
    return None


def _interrupt_while_polling(exe, env, *args):
    return interrupt_when(
        exe, ["generate", "A slow sunrise over the mountains", *args], env, _polling_job
    )


def test_sigint_during_polling_then_resume_finishes_the_same_task(exe, slow_sandbox_server):
    env = sandbox_env(slow_sandbox_server)
    code, stdout, stderr, polled = _interrupt_while_polling(exe, env)

    assert code == 130, stderr
    assert "Traceback" not in stderr
    assert stdout == ""
    assert f"jimeng-tui wait {polled.task_id}" in stderr
    assert "jimeng-tui resume" in stderr
    (job,) = history_jobs()
    assert job.task_id == polled.task_id
    assert not job.is_final  # still in the journal
    assert job.owner_pid is None  # the claim was released

    result = run_cli(exe, "resume", env=env)
    assert result.returncode == 0, result
    assert "Traceback" not in result.stderr
    (job,) = history_jobs()
    assert job.state is JobState.SAVED
    assert job.task_id == polled.task_id
    assert result.stdout.startswith("**Generated Video:**\n")
    assert f"- Save Path: {job.path}\n" in result.stdout
    # one submit in all: the task was resumed, not sent again
    assert len(slow_sandbox_server.submitted_bodies()) == 1
    assert len(slow_sandbox_server.requests_for("CVSync2AsyncSubmitTask")) == 1

    # nothing left to do
    again = run_cli(exe, "resume", env=env)
    assert again.returncode == 0 and again.stdout == ""
    assert "nothing to resume" in again.stderr


def test_sigint_with_json_then_wait(exe, slow_sandbox_server):
    import json

    env = sandbox_env(slow_sandbox_server)
    code, stdout, stderr, polled = _interrupt_while_polling(exe, env, "--json")
    assert code == 130, stderr
    data = json.loads(stdout)
    assert data["interrupted"] is True and data["task_id"] == polled.task_id

    result = run_cli(exe, "wait", polled.task_id, "--json", env=env)
    assert result.returncode == 0, result
    assert json.loads(result.stdout)["status"] == "saved"
    assert len(slow_sandbox_server.submitted_bodies()) == 1


def test_resume_reports_failures_with_exit_1(exe, slow_sandbox_server):
    env = sandbox_env(slow_sandbox_server)
    ok = run_cli(exe, "generate", "A calm lake", "--no-wait", env=env)
    bad = run_cli(exe, "generate", "A sandbox-video-reject storm", "--no-wait", env=env)
    assert ok.returncode == 0 and bad.returncode == 0, (ok, bad)
    result = run_cli(exe, "resume", env=env)
    assert result.returncode == 1, result
    assert "50516" in result.stderr and bad.stdout.strip() in result.stderr
    assert result.stdout.count("**Generated Video:**") == 1
    states = sorted(j.state.value for j in history_jobs())
    assert states == ["failed", "saved"]
    assert len(slow_sandbox_server.submitted_bodies()) == 2
