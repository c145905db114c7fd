"""Quitting with a download under way: a small screen says what is finishing and how far it
is; the app leaves once it is saved, or at once on Ctrl+Q again (the job resumes next time)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from tui_support import wait_engine, wait_for

from jimeng_tui.domain.job import JobState
from jimeng_tui.jobs import save_stage as runner_module
from jimeng_tui.store.history import History, HistoryQuery
from jimeng_tui.store.paths import app_paths
from jimeng_tui.tui.screens.quitting import QuittingScreen

S = JobState


@pytest.fixture
def held_download(monkeypatch):
    """Downloads report 25 % and then wait for ``release.set()`` before they really run."""
    release = asyncio.Event()
    real = runner_module.download_to_part

    async def held(url, part, *, http, on_progress=None, **kwargs):
        if on_progress is not None:
            on_progress(1_000_000, 4_000_000)
        await release.wait()
        return await real(url, part, http=http, on_progress=on_progress, **kwargs)

    monkeypatch.setattr(runner_module, "download_to_part", held)
    return release


async def start_quitting(pilot, app) -> None:
    await wait_engine(pilot)
    app.main.form.focus_prompt()
    await pilot.press(*"a slow download", "ctrl+g")
    await wait_for(
        pilot,
        lambda: any(j.state is S.DOWNLOADING for j in app.main.jobs.values()),
        20,
        "the download",
    )
    await pilot.press("ctrl+q")
    await wait_for(pilot, lambda: bool(app.screen.query("#yes")), 5, "the question")
    app.screen.query_one("#yes").press()
    await wait_for(pilot, lambda: isinstance(app.screen, QuittingScreen), 5, "the screen")
    await pilot.pause(0.3)


def quitting_text(app) -> str:
    return str(app.screen.query_one("#quitting-text").render())


async def test_quit_shows_the_downloads_finishing_then_leaves(sandbox_app, held_download):
    app = sandbox_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await start_quitting(pilot, app)
        text = quitting_text(app)
        assert "Finishing 1 download…" in text
        assert "downloading 1.0 MB of 4.0 MB (25%)" in text
        assert "Ctrl+Q again to leave now; they resume next time." in text
        assert app.is_running
        held_download.set()
        await wait_for(pilot, lambda: not app.is_running, 20, "the app to leave")
    assert app.return_value == 0
    (job,) = History(app_paths().sandbox_history_db).query(HistoryQuery())
    assert job.state is S.SAVED and Path(job.path).is_file()


async def test_ctrl_q_again_leaves_at_once_and_the_job_resumes(sandbox_app, held_download):
    app = sandbox_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await start_quitting(pilot, app)
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: not app.is_running, 5, "the app to leave")
    assert app._leave_now
    held_download.set()
    again = sandbox_app()
    async with again.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot, lambda: any(j.state is S.SAVED for j in again.main.jobs.values()), 30, "resumed"
        )
