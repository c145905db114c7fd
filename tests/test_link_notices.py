"""The notice after a video link is fetched again says why it was: the sandbox restarted on a
new port, the server refused the link as expired, or it was about to expire."""

from __future__ import annotations

import asyncio
import os

import pytest

from jimeng_tui.domain.events import JobChanged, JobNotice
from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.jobs.engine import Engine
from jimeng_tui.jobs.links import refresh_reason
from jimeng_tui.services.jimeng.request import GenerationRequest
from jimeng_tui.session import open_engine, start_embedded_sandbox


def _env() -> dict[str, str]:
    return {**os.environ, "JIMENG_VIDEO_POLL_INTERVAL": "0.1"}


async def _quit_once_done(engine: Engine, prompt: str) -> Job:
    """Drive a job until the service has given its link, then stop as a quitting program."""
    job = await engine.runner.create(GenerationRequest(prompt=prompt))
    driving = asyncio.create_task(engine.runner.drive(job.id))
    while engine.history.get(job.id).video_url is None:
        await asyncio.sleep(0.01)
    driving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await driving
    return engine.history.get(job.id)


async def test_after_a_sandbox_restart_the_notice_names_the_new_port(isolated_home):
    first_sandbox = start_embedded_sandbox(env=_env())
    try:
        first = open_engine(sandbox=first_sandbox, env=_env())
        try:
            left = await _quit_once_done(first, "a link minutes old")
        finally:
            await first.aclose()
    finally:
        first_sandbox.stop()
    assert left.video_url and left.url_fetched_at and not left.is_final

    notices: list[str] = []

    def on_event(event):
        if isinstance(event, JobNotice):
            notices.append(event.text)

    second_sandbox = start_embedded_sandbox(env=_env())  # another free port
    try:
        second = open_engine(sandbox=second_sandbox, env=_env(), on_event=on_event)
        try:
            done = await second.runner.drive(left.id)
        finally:
            await second.aclose()
    finally:
        second_sandbox.stop()

    assert done.state is JobState.SAVED, done.error_message
    assert done.task_id == left.task_id
    said = [n for n in notices if "link" in n]
    assert said == [
        f"the sandbox restarted on a new port ({first_sandbox.base_url} → "
        f"{second_sandbox.base_url}): fetched a new video link from the task"
    ]
    assert not any("expired" in n for n in notices)
    assert done.meta.link_dropped is None  # read once, then cleared


async def test_a_link_the_server_refuses_is_called_expired(sandbox):
    notices: list[str] = []

    def on_event(event):
        if isinstance(event, JobNotice):
            notices.append(event.text)
        if isinstance(event, JobChanged) and event.job.state is JobState.DONE:
            sandbox.advance(sandbox.options.link_lifetime_s / sandbox.options.speed + 5)

    engine = open_engine(sandbox=sandbox, env=_env(), on_event=on_event)
    try:
        engine.runner.settings.link_lifetime_s = 10_000  # only the server knows it expired
        job = await engine.runner.run(GenerationRequest(prompt="an old link"))
    finally:
        await engine.aclose()
    assert job.state is JobState.SAVED
    assert (
        "the server refused the video link as expired: fetched a fresh one from the task" in notices
    )


def test_a_link_about_to_expire_says_how_old_it_was():
    job = Job(None, 0.0, "p", "t2v_720p", "k", {}, video_url="https://x/v.mp4")
    job.url_fetched_at = 1_000.0
    assert refresh_reason(job, 3600, now=1_000.0 + 59.5 * 60) == (
        "the video link was 59:30 old and links last 1:00:00: fetched a fresh one from the "
        "task before it expires"
    )
    job.video_url, job.url_fetched_at = None, None
    assert refresh_reason(job, 3600).startswith("no video link was kept")
