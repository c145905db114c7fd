"""The engine against the sandbox over a real socket: jobs end as verified files on disk."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from collections import Counter
from pathlib import Path

import av
import httpx
import pytest

from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.domain.events import DownloadProgress, JobChanged
from jimeng_tui.domain.job import JobState
from jimeng_tui.jobs.engine import Engine
from jimeng_tui.sandbox.options import TEXT_RISK_WORD, VIDEO_RISK_WORD
from jimeng_tui.services.jimeng.request import GenerationRequest

SUBMIT = "CVSync2AsyncSubmitTask"


def fast_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "JIMENG_VIDEO_POLL_INTERVAL": "0.1", **extra}


def probe(path: str) -> tuple[int, float, int, int]:
    with av.open(path) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        return frames, float(stream.average_rate), stream.width, stream.height


def successful_task_ids(sandbox) -> list[str]:
    return [r["task_id"] for r in sandbox.requests_for(SUBMIT) if r.get("task_id")]


async def test_one_job_is_saved_with_a_truthful_sidecar(sandbox, engine_for, isolated_home):
    events = []
    engine = engine_for(sandbox, on_event=events.append)
    job = await engine.runner.run(GenerationRequest(prompt="a red fox in snow", seed=7))

    assert job.state is JobState.SAVED, job.error_message
    frames, fps, width, height = probe(job.path)
    assert (frames, fps) == (121, 24.0)
    assert width / height == pytest.approx(16 / 9, rel=0.02)
    assert job.duration_s == pytest.approx(121 / 24, abs=0.05)
    sidecar = json.loads(Path(job.sidecar_path).read_text(encoding="utf-8"))
    assert sidecar["task_id"] == job.task_id
    assert sidecar["request_body"]["frames"] == 121
    assert sidecar["media"]["width"] == width
    # every transition reached the listener, in order
    states = [e.job.state for e in events if isinstance(e, JobChanged)]
    assert states[0] is JobState.QUEUED and states[-1] is JobState.SAVED
    assert JobState.SUBMITTING in states and JobState.DOWNLOADING in states
    assert any(isinstance(e, DownloadProgress) for e in events)
    # and the history holds the same row
    stored = engine.history.get(job.id)
    assert stored.state is JobState.SAVED and stored.path == job.path


async def test_fifty_jobs_against_a_concurrency_limit_of_five(sandbox_factory, engine_for):
    sandbox = sandbox_factory(max_concurrency=5)
    # our own cap is higher than the service's, so the 50430 path and AIMD are exercised
    engine = engine_for(sandbox)
    engine.runner.throttle.max_concurrency = engine.runner.throttle.limit = 8
    requests = [GenerationRequest(prompt=f"job number {i}", seed=i % 3) for i in range(50)]
    jobs = await asyncio.gather(*(engine.runner.run(r) for r in requests))

    assert [j.state for j in jobs] == [JobState.SAVED] * 50, [j.error_message for j in jobs]
    for job in jobs[::7]:
        assert probe(job.path)[0] == 121
    assert len({j.path for j in jobs}) == 50
    assert all(os.path.getsize(j.path) == j.size_bytes for j in jobs)
    created = sandbox.submitted_bodies()
    assert len(created) == 50
    assert Counter(b["prompt"] for b in created).most_common(1)[0][1] == 1
    assert len(set(successful_task_ids(sandbox))) == 50
    assert any(r.get("code") == 50430 for r in sandbox.requests_for(SUBMIT)), sandbox.requests_for(
        SUBMIT
    )[:3]


async def test_four_seconds_at_thirty_fps_is_conformed_and_the_source_kept(sandbox, engine_for):
    engine = engine_for(sandbox)
    job = await engine.runner.run(GenerationRequest(prompt="waves", duration=4, fps=30))

    assert job.state is JobState.SAVED, job.error_message
    frames, fps, _, _ = probe(job.path)
    assert fps == 30.0
    assert abs(frames - 120) <= 1
    assert job.duration_s == pytest.approx(4.0, abs=1 / 30 + 1e-6)
    assert job.fps == 30
    assert job.source_path and probe(job.source_path)[:2] == (121, 24.0)
    assert sandbox.submitted_bodies()[0]["frames"] == 121


async def test_eight_seconds_requests_the_ten_second_render(sandbox, engine_for):
    engine = engine_for(sandbox)
    job = await engine.runner.run(GenerationRequest(prompt="clouds", duration=8, fps=25))
    assert job.state is JobState.SAVED, job.error_message
    assert sandbox.submitted_bodies()[0]["frames"] == 241
    frames, fps, _, _ = probe(job.path)
    assert fps == 25.0 and abs(frames - 200) <= 1


async def test_a_cut_download_is_resumed_with_range_to_identical_bytes(sandbox, engine_for):
    engine = engine_for(sandbox)
    sandbox.inject("truncate", count=1, action="video")
    job = await engine.runner.run(GenerationRequest(prompt="a truncated journey"))

    assert job.state is JobState.SAVED, job.error_message
    downloads = sandbox.requests_for("GetVideo")
    assert len(downloads) >= 2
    assert any(r.get("range") for r in downloads[1:])
    async with httpx.AsyncClient() as http:
        served = (await http.get(job.video_url)).content
    saved = Path(job.path).read_bytes()
    assert hashlib.sha256(saved).hexdigest() == hashlib.sha256(served).hexdigest()
    sidecar = json.loads(Path(job.sidecar_path).read_text(encoding="utf-8"))
    assert sidecar["served_sha256"] == hashlib.sha256(served).hexdigest()


async def test_an_expired_link_is_fetched_again(sandbox, engine_for):
    def on_event(event):
        # the moment the task is done, jump past the link's lifetime
        if isinstance(event, JobChanged) and event.job.state is JobState.DONE:
            sandbox.advance(sandbox.options.link_lifetime_s / sandbox.options.speed + 5)

    engine = engine_for(sandbox, on_event=on_event)
    engine.runner.settings.link_lifetime_s = 10_000  # the engine does not know; the server says 403
    job = await engine.runner.run(GenerationRequest(prompt="an old link"))

    assert job.state is JobState.SAVED, job.error_message
    statuses = [r.get("http_status") for r in sandbox.requests_for("GetVideo")]
    assert 403 in statuses
    assert len(sandbox.requests_for(SUBMIT)) == 1


async def test_a_submit_without_answer_is_never_sent_again(sandbox, engine_for):
    engine = engine_for(sandbox)
    sandbox.inject("reset", count=1, action="submit")
    job = await engine.runner.run(GenerationRequest(prompt="lost answer"))

    assert job.state is JobState.SUBMIT_UNKNOWN
    assert "not sent again" in job.error_message
    assert len(sandbox.submitted_bodies()) == 1
    assert len(sandbox.requests_for(SUBMIT)) == 1
    # a restart does not resend it either
    again = await engine.runner.drive(job.id)
    assert again.state is JobState.SUBMIT_UNKNOWN
    assert len(sandbox.requests_for(SUBMIT)) == 1


async def test_a_rejected_prompt_fails_with_its_code(sandbox, engine_for):
    engine = engine_for(sandbox)
    job = await engine.runner.run(GenerationRequest(prompt=f"a {TEXT_RISK_WORD} scene"))
    assert job.state is JobState.FAILED
    assert job.error_code == 50412
    assert "Text Risk Not Pass" in job.error_message
    assert job.task_id is None


async def test_a_video_rejected_at_the_end_fails_with_50516(sandbox, engine_for):
    engine = engine_for(sandbox)
    job = await engine.runner.run(GenerationRequest(prompt=f"{VIDEO_RISK_WORD} dance"))
    assert job.state is JobState.FAILED
    assert job.error_code == 50516
    assert job.task_id is not None


async def test_invalid_input_writes_nothing(sandbox, engine_for):
    engine = engine_for(sandbox)
    with pytest.raises(ValidationError) as err:
        await engine.runner.create(GenerationRequest(prompt="x", mode="i2v_first_720p"))
    assert err.value.field == "first_image"
    from jimeng_tui.store.history import HistoryQuery

    assert engine.history.count(HistoryQuery()) == 0
    assert sandbox.requests == []


async def test_a_job_interrupted_mid_poll_resumes_in_a_new_engine(sandbox_factory, engine_for):
    sandbox = sandbox_factory(speed=1)  # 1 s in the queue: the quit lands there, under load too
    first = engine_for(sandbox)
    job = await first.runner.create(GenerationRequest(prompt="survives a restart"))
    driving = asyncio.create_task(first.runner.drive(job.id))
    while first.history.get(job.id).state is not JobState.IN_QUEUE:
        await asyncio.sleep(0.02)
    driving.cancel()  # the app quitting, not the user cancelling
    with pytest.raises(asyncio.CancelledError):
        await driving
    assert first.history.get(job.id).state is JobState.IN_QUEUE
    await first.aclose()

    second = engine_for(sandbox)
    resumable = second.runner.resumable()
    assert [j.id for j in resumable] == [job.id]
    done = await second.runner.drive(job.id)
    assert done.state is JobState.SAVED, done.error_message
    assert len(sandbox.submitted_bodies()) == 1


async def test_a_task_id_answered_as_the_app_quits_is_still_recorded(sandbox, engine_for):
    """Ctrl+C landing just as the submit is answered must not lose the task id: the job would
    otherwise come back as submit_unknown (a false alarm about a possible double charge)."""
    engine = engine_for(sandbox)
    job = await engine.runner.create(GenerationRequest(prompt="answered at the last moment"))
    real_submit = engine.client.submit

    async def submit_then_quit(body):
        result = await real_submit(body)
        asyncio.current_task().cancel()  # the quit arrives with the answer
        return result

    engine.client.submit = submit_then_quit
    with pytest.raises(asyncio.CancelledError):
        await engine.runner.drive(job.id)
    saved = engine.history.get(job.id)
    assert saved.task_id == successful_task_ids(sandbox)[0]
    assert saved.state is JobState.IN_QUEUE


async def test_cancel_stops_tracking(sandbox_factory, engine_for):
    # A long queue: on a loaded machine a short one could pass before the loop below saw it.
    sandbox = sandbox_factory(speed=2, queue_seconds=120)
    engine = engine_for(sandbox)
    job = await engine.runner.create(GenerationRequest(prompt="never mind"))
    driving = asyncio.create_task(engine.runner.drive(job.id))
    while engine.history.get(job.id).state is not JobState.IN_QUEUE:
        await asyncio.sleep(0.02)
    engine.runner.cancel(job.id)
    result = await driving
    assert result.state is JobState.CANCELLED
    assert engine.history.get(job.id).state is JobState.CANCELLED
    assert engine.runner.throttle_state.running == 0


async def test_the_secret_key_is_nowhere_on_disk(sandbox, engine_for, isolated_home):
    engine = engine_for(sandbox)
    await engine.runner.run(GenerationRequest(prompt="keep it secret"))
    await engine.runner.run(GenerationRequest(prompt=f"{TEXT_RISK_WORD} fails"))
    secret = sandbox.options.secret_key.encode()
    checked = 0
    for root, _dirs, files in os.walk(isolated_home):
        for name in files:
            with open(os.path.join(root, name), "rb") as fh:
                assert secret not in fh.read(), name
            checked += 1
    assert checked >= 3  # the database, its WAL, a video and its sidecar at least
    log_text = (isolated_home / "logs" / "jimeng-tui.log").read_text(encoding="utf-8")
    assert "saved" in log_text and "50412" in log_text  # the log is real and was searched


async def quit_while_in_queue(engine: Engine, prompt: str):
    """Submit a job, then stop driving it as a quitting program would; returns the job."""
    job = await engine.runner.create(GenerationRequest(prompt=prompt))
    driving = asyncio.create_task(engine.runner.drive(job.id))
    while engine.history.get(job.id).state is not JobState.IN_QUEUE:
        await asyncio.sleep(0.02)
    driving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await driving
    return engine.history.get(job.id)


async def test_a_new_sandbox_retires_jobs_left_on_an_old_one(sandbox_factory, engine_for):
    first_sandbox = sandbox_factory(speed=1)
    first = engine_for(first_sandbox)
    queued = await first.runner.create(GenerationRequest(prompt="never sent"))
    waiting = await quit_while_in_queue(first, "left behind")
    await first.aclose()
    first_sandbox.stop()

    second_sandbox = sandbox_factory()
    second = engine_for(second_sandbox)
    retired = second.history.get(waiting.id)
    assert retired.state is JobState.FAILED
    assert "sandbox that ran this task has stopped" in retired.error_message
    assert [j.id for j in second.runner.resumable()] == [queued.id]
    done = await second.runner.drive(queued.id)
    assert done.state is JobState.SAVED


async def test_jobs_left_on_the_embedded_sandbox_finish_after_a_restart(engine_for, isolated_home):
    """``--sandbox`` keeps its tasks: quit mid-job, start again, the job is saved, once."""
    from jimeng_tui.sandbox.options import SandboxOptions
    from jimeng_tui.session import start_embedded_sandbox

    slow = SandboxOptions(queue_seconds=30.0, generate_seconds=30.0)
    first_sandbox = start_embedded_sandbox(slow, env=fast_env())
    try:
        first = engine_for(first_sandbox)
        job = await quit_while_in_queue(first, "finish me later")
        task_id = job.task_id
        await first.aclose()
    finally:
        first_sandbox.stop()
    assert (isolated_home / "data" / "sandbox-tasks.json").is_file()

    second_sandbox = start_embedded_sandbox(env=fast_env())  # quick again, on another port
    try:
        assert second_sandbox.base_url != first_sandbox.base_url
        second = engine_for(second_sandbox)
        assert [j.id for j in second.runner.resumable()] == [job.id]
        second_sandbox.advance(60)  # the task's 60 s have passed
        done = await second.runner.drive(job.id)
        assert done.state is JobState.SAVED and done.task_id == task_id
        assert Path(done.path).is_file()
        assert second_sandbox.requests_for(SUBMIT) == []  # resumed, never sent again
    finally:
        second_sandbox.stop()
