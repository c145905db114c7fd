"""Cancel per status (issue 15 item 7), through the engine's one method (``Runner.cancel_remote``)
against the sandbox's Ark over loopback, and through ``jimeng-tui cancel``: a queued Seedance
task is DELETEd and the job ends cancelled; a running one is refused (no DELETE, the job still
followed to a saved video); a Jimeng 3.0 job is only stopped here (no call to the service)."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from jimeng_tui.domain.job import JobState
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.jobs.cancel_stage import CancelResult
from jimeng_tui.jobs.report import failure_hint
from jimeng_tui.jobs.request_builder import build_request
from jimeng_tui.sandbox.ark import ACTION_CREATE, ACTION_DELETE
from tests.cli import test_cli_models as models_cli

S = JobState
env_for = models_cli.env_for


async def _queued_job(engine, tmp_path: Path, model: str = "seedance-2.0"):
    """A job of ``model`` submitted and waiting on the service, with its drive running."""
    built = build_request(
        VideoInput(
            prompt="a paper boat", model=model, resolution="480p" if "seed" in model else None
        ),
        base_dir=tmp_path,
    )
    job = await engine.runner.create(built)
    drive = asyncio.create_task(engine.runner.drive(job.id))
    for _ in range(500):
        job = engine.history.get(job.id)
        if job.task_id and job.state is S.IN_QUEUE:
            return job, drive
        await asyncio.sleep(0.02)
    raise AssertionError(f"job never reached the service's queue: {job.state}")


async def test_a_queued_seedance_task_is_deleted_and_the_job_ends_cancelled(
    sandbox_factory, engine_for, tmp_path
):
    sandbox = sandbox_factory(queue_seconds=10_000)  # it stays queued
    engine = engine_for(sandbox)
    job, drive = await _queued_job(engine, tmp_path)

    outcome = await engine.runner.cancel_remote(job.id)

    assert outcome.result is CancelResult.CANCELLED and outcome.cancelled
    assert "removed the queued task" in outcome.message
    final = await asyncio.wait_for(drive, 30)
    assert final.state is S.CANCELLED
    stored = engine.history.get(job.id)
    assert stored.state is S.CANCELLED
    assert failure_hint(stored) == "Cancelled on the service before it ran: nothing is billed."
    assert len(sandbox.requests_for(ACTION_DELETE)) == 1
    assert sandbox.ark.tasks[job.task_id].status(sandbox.state.now()) == "cancelled"


async def test_a_running_seedance_task_is_refused_and_still_followed_to_its_video(
    sandbox_factory, engine_for, tmp_path
):
    sandbox = sandbox_factory(queue_seconds=10_000)
    engine = engine_for(sandbox)
    job, drive = await _queued_job(engine, tmp_path)
    sandbox.force_status(job.task_id, "running")
    for _ in range(500):  # the drive sees it running
        if engine.history.get(job.id).state is S.GENERATING:
            break
        await asyncio.sleep(0.02)

    outcome = await engine.runner.cancel_remote(job.id)

    assert outcome.result is CancelResult.REFUSED_RUNNING and not outcome.cancelled
    assert "does not allow cancelling a running task" in outcome.message
    assert sandbox.requests_for(ACTION_DELETE) == []
    assert engine.history.get(job.id).state is S.GENERATING  # untouched
    sandbox.advance(1_100)  # past its queue (10 000 s at speed 10) and render
    sandbox.force_status(job.task_id, None)
    final = await asyncio.wait_for(drive, 60)
    assert final.state is S.SAVED and Path(final.path).is_file()
    assert len(sandbox.requests_for(ACTION_CREATE)) == 1


async def test_a_jimeng_job_is_only_stopped_here_and_says_so(sandbox_factory, engine_for, tmp_path):
    sandbox = sandbox_factory(queue_seconds=10_000)
    engine = engine_for(sandbox)
    job, drive = await _queued_job(engine, tmp_path, model="t2v_720p")
    asked = len(sandbox.requests)

    outcome = await engine.runner.cancel_remote(job.id)

    assert outcome.result is CancelResult.STOPPED_HERE and outcome.cancelled
    assert "Jimeng 3.0 has no cancel" in outcome.message
    assert "no longer followed here" in outcome.message
    assert (await asyncio.wait_for(drive, 30)).state is S.CANCELLED
    assert len(sandbox.requests) == asked  # the service was not asked anything


def test_jimeng_tui_cancel_by_task_id_and_by_job_id(sandbox_factory, env_for, capsys, tmp_path):
    """The CLI, in another "process" than the one that submitted: queued → 0 and cancelled;
    running → 1 with the reason, nothing deleted; an unknown id → 2."""
    sandbox = sandbox_factory(queue_seconds=10_000)
    env_for(sandbox)

    async def submit_two() -> list:
        engine = _engine_as_the_cli()
        try:
            jobs = []
            for _ in range(2):
                job, drive = await _queued_job(engine, tmp_path)
                drive.cancel()  # this process stops; the job stays in the history, queued
                await asyncio.gather(drive, return_exceptions=True)
                jobs.append(engine.history.get(job.id))
            return jobs
        finally:
            await engine.aclose()

    first, second = asyncio.run(submit_two())
    code, out, err = models_cli.run(capsys, "cancel", first.task_id, "--json")
    assert code == 0, err
    said = json.loads(out)
    assert (said["result"], said["job"]["status"]) == ("cancelled", "cancelled")
    assert "nothing is billed" in said["job"]["error_message"]

    sandbox.force_status(second.task_id, "running")
    code, out, err = models_cli.run(capsys, "cancel", str(second.id))
    assert code == 1
    assert "does not allow cancelling a running task" in err
    assert len(sandbox.requests_for(ACTION_DELETE)) == 1  # only the queued one

    code, out, err = models_cli.run(capsys, "cancel", "cgt-nothing-like-it")
    assert code == 2 and "neither a job id nor a task id" in err
    code, out, err = models_cli.run(capsys, "cancel", "cgt-nothing-like-it", "--json")
    assert (code, json.loads(out)["error"]["field"]) == (2, "id")


def _engine_as_the_cli():
    """An engine on what the environment says (env_for: the sandbox's URLs and keys, as live)."""
    from jimeng_tui.session import open_engine

    return open_engine(env=dict(os.environ))
