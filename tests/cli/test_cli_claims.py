"""A job row is born claimed by the process that creates it: a `resume` running meanwhile
never adopts it (issue 12, item 4)."""

from __future__ import annotations

import asyncio
import os

from cli_support import history_jobs, run_cli, sandbox_env

from jimeng_tui.domain.job import JobState
from jimeng_tui.services.jimeng.request import GenerationRequest
from jimeng_tui.session import open_engine
from jimeng_tui.store.history import History
from jimeng_tui.store.paths import app_paths


async def test_resume_leaves_a_job_its_live_creator_has_not_driven_yet(exe, sandbox_server):
    env = sandbox_env(sandbox_server)
    engine = open_engine(env=env)
    try:
        job = await engine.runner.create(GenerationRequest(prompt="born claimed"))
        assert job.owner_pid == os.getpid()

        # another process resumes while this one has created the row but not driven it yet
        result = run_cli(exe, "resume", env=env)
        assert result.returncode == 0, result
        assert "nothing to resume" in result.stderr
        assert sandbox_server.submitted_bodies() == []

        final = await engine.runner.drive(job.id)
    finally:
        await engine.aclose()
    assert final.state is JobState.SAVED, final.error_message
    assert len(sandbox_server.submitted_bodies()) == 1
    (stored,) = history_jobs()
    assert stored.owner_pid is None  # released once it ended


async def test_a_dead_creators_row_is_resumed(exe, sandbox_server):
    env = sandbox_env(sandbox_server)
    engine = open_engine(env=env)
    try:
        job = await engine.runner.create(GenerationRequest(prompt="orphaned row"))
    finally:
        await engine.aclose()
    # as if the creator had been killed between create() and the claim
    with History(app_paths(env).history_db) as history:
        history.release(job.id, os.getpid())
        assert history.claim(job.id, 999_999_999)  # a pid that is not running

    result = run_cli(exe, "resume", env=env)
    assert result.returncode == 0, result
    (stored,) = history_jobs()
    assert stored.state is JobState.SAVED
    assert len(sandbox_server.submitted_bodies()) == 1


async def test_wait_on_a_task_another_process_drives_reports_that_process_result(
    exe, slow_sandbox_server
):
    """Issue 12, item 7f: `wait` follows the live process that drives the task."""
    env = sandbox_env(slow_sandbox_server)
    engine = open_engine(env=env)
    try:
        job = await engine.runner.create(GenerationRequest(prompt="driven elsewhere"))
        driving = asyncio.create_task(engine.runner.drive(job.id))
        while not (stored := engine.history.get(job.id)).task_id:
            await asyncio.sleep(0.05)
        waiter = await asyncio.create_subprocess_exec(
            exe,
            "wait",
            stored.task_id,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            stdin=asyncio.subprocess.DEVNULL,
        )
        stdout, stderr = await asyncio.wait_for(waiter.communicate(), timeout=60)
        final = await driving
    finally:
        await engine.aclose()
    out, err = stdout.decode(), stderr.decode()
    assert final.state is JobState.SAVED, final.error_message
    assert waiter.returncode == 0, (out, err)
    assert "another jimeng-tui process" in err and "waiting for it" in err
    assert out.startswith("**Generated Video:**") and f"- Save Path: {final.path}" in out
    assert len(slow_sandbox_server.submitted_bodies()) == 1
