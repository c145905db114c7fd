"""``jimeng-tui cancel`` on a Jimeng 3.0 job another live process drives: marking it cancelled
here would not stop that process (and Jimeng 3.0 has no cancel), so it says which process to
stop, exit 1, and leaves the job as it is."""

from __future__ import annotations

import asyncio
import os

from cli_support import run_cli, sandbox_env

from jimeng_tui.domain.job import JobState
from jimeng_tui.session import open_engine
from tests.test_ark_cancel import _queued_job


async def test_a_jimeng_job_another_process_follows_is_left_to_it(sandbox_factory, exe, tmp_path):
    sandbox = sandbox_factory(queue_seconds=10_000)
    env = sandbox_env(sandbox)
    engine = open_engine(env={**env, "JIMENG_VIDEO_POLL_INTERVAL": "0.1"})
    try:
        job, drive = await _queued_job(engine, tmp_path, model="t2v_720p")
        result = await asyncio.to_thread(run_cli, exe, "cancel", str(job.id), env=env)
        assert result.returncode == 1, result
        assert f"followed by another jimeng-tui process (pid {os.getpid()})" in result.stderr
        assert "stop that process (Ctrl-C)" in result.stderr
        assert engine.history.get(job.id).state is JobState.IN_QUEUE
        drive.cancel()
        await asyncio.gather(drive, return_exceptions=True)
    finally:
        await engine.aclose()
