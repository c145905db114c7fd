"""Snapshots of the History screen at 80×24 and 140×45, with fixed rows and a frozen clock.

Regenerate after a deliberate change with ``--snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from tui_support import FROZEN_NOW, make_job, wait_for

from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.jobs.engine import Engine
from jimeng_tui.session import open_engine
from jimeng_tui.tui.screens.history import HistoryScreen

S = JobState
NOW = FROZEN_NOW  # 2025-11-24 16:00:00 UTC
# a fixed folder, so that the paths on screen do not change between runs
VIDEOS = Path("/tmp/jimeng-tui-snapshots/videos")


def _job(prompt: str, state: JobState, *, ago: float, mode: str = "t2v_720p", **fields: Any) -> Job:
    fields.setdefault("seed", 1234)
    return make_job(None, state, prompt=prompt, mode=mode, created_at=NOW - ago, **fields)


def _saved(prompt: str, *, ago: float, name: str, task: str, **fields: Any) -> Job:
    fetched = NOW - ago + 130
    return _job(
        prompt,
        S.SAVED,
        ago=ago,
        task_id=task,
        request_id=f"20251124{task[-8:]}E0042",
        submitted_at=NOW - ago + 1,
        finished_at=NOW - ago + 121,
        saved_at=NOW - ago + 134,
        updated_at=NOW - ago + 134,
        video_url=f"https://example.invalid/video/{task}.mp4?X-Tos-Expires=3600",
        url_fetched_at=fetched,
        path=str(VIDEOS / name),
        sidecar_path=str(VIDEOS / name).replace(".mp4", ".json"),
        size_bytes=4_404_019,
        duration_s=fields.pop("duration_s", 5.0),
        fps=fields.pop("fps", 24.0),
        width=1280,
        height=720,
        poll_count=14,
        **fields,
    )


def fixed_jobs() -> list[Job]:
    return [
        _saved(
            "A golden retriever running through a field of sunflowers, warm afternoon sun, "
            "slow motion, shallow depth of field",
            ago=18 * 60,
            name="2025-11-24_a-golden-retriever_7392616336519610409.mp4",
            task="7392616336519610409",
            seed=42,
            favourite=True,
        ),
        _job(
            "sandbox-reject a cat in a spacesuit",
            S.FAILED,
            ago=25 * 60,
            mode="t2v_1080p",
            updated_at=NOW - 25 * 60 + 1,
            error_code=50412,
            error_message="Text Risk Not Pass",
        ),
        _saved(
            "城市夜景，霓虹灯在雨中闪烁，镜头缓慢推进",
            ago=3 * 3600,
            mode="ti2v_pro",
            name="2025-11-24_城市夜景_7392616336519610400.mp4",
            task="7392616336519610400",
            duration=10,
            duration_s=10.0,
        ),
        _job(
            "Waves rolling onto a black sand beach, drone shot",
            S.GENERATING,
            ago=40,
            task_id="7392616336519610412",
            submitted_at=NOW - 39,
        ),
        _saved(
            "A paper boat drifting down a rain gutter",
            ago=20 * 3600,
            name="2025-11-23_a-paper-boat_7392616336519610300.mp4",
            task="7392616336519610300",
            duration=4,
            fps_param=30,
            duration_s=4.0,
            fps=30.0,
        ),
        _job(
            "Timelapse of clouds over a mountain ridge",
            S.SUBMIT_UNKNOWN,
            ago=2 * 86400,
            mode="t2v_1080p",
            error_message="The submit was sent but no answer came.",
        ),
        _job("Fireworks over a harbour", S.CANCELLED, ago=3 * 86400, task_id="7392616336519600001"),
    ]


class SnapshotApp(App[None]):
    TITLE = "jimeng-tui"

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine

    def on_mount(self) -> None:
        self.push_screen(HistoryScreen(self.engine, clock=lambda: NOW, posters=False))


@pytest.fixture
def app():
    engine = open_engine(env=os.environ)
    engine.history.add_many(sorted(fixed_jobs(), key=lambda j: j.created_at))
    # the newest saved video exists (✓), the others are gone (✗)
    VIDEOS.mkdir(parents=True, exist_ok=True)
    (VIDEOS / "2025-11-24_a-golden-retriever_7392616336519610409.mp4").write_bytes(b"\0" * 16)
    yield SnapshotApp(engine)
    asyncio.run(engine.aclose())
    shutil.rmtree(VIDEOS.parent, ignore_errors=True)


async def ready(pilot) -> HistoryScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen), 5, "the screen")
    screen = app.screen
    await wait_for(pilot, lambda: screen.total is not None, 5, "the first page and count")
    await wait_for(
        pilot,
        lambda: all(screen.table.on_disk(i) is not None for i in _with_path(screen)),
        5,
        "the file check",
    )
    await wait_for(pilot, lambda: screen.detail.job_id == screen.table.highlighted_id, 5)
    await pilot.pause(0.2)
    return screen


def _with_path(screen: HistoryScreen) -> list[int]:
    return [i for i in screen.table.job_ids if (job := screen.table.job(i)) and job.path]


@pytest.mark.parametrize(
    "size", [(80, 24), (140, 45), (200, 50)], ids=["80x24", "140x45", "200x50"]
)
def test_history_list_and_details(snap_compare, app, size):
    assert snap_compare(app, terminal_size=size, run_before=ready)


def _highlight(row: int):
    async def run_before(pilot):
        screen = await ready(pilot)
        screen.table.move_cursor(row=row)
        await wait_for(pilot, lambda: screen.detail.job_id == screen.table.highlighted_id, 5)
        await pilot.pause(0.2)

    return run_before


@pytest.mark.parametrize("size", [(80, 24), (140, 45)], ids=["80x24", "140x45"])
def test_history_saved_job_details(snap_compare, app, size):
    """The original block, link countdown, ids and timings of a saved favourite."""
    assert snap_compare(app, terminal_size=size, run_before=_highlight(1))


def test_history_failed_job_details_80x24(snap_compare, app):
    assert snap_compare(app, terminal_size=(80, 24), run_before=_highlight(2))


def test_history_search_and_filters_140x45(snap_compare, app):
    async def run_before(pilot):
        screen = await ready(pilot)
        screen.filters.query_one("#hf-status").value = "saved"
        await wait_for(pilot, lambda: screen.table.loaded == 3, 5)
        screen.action_search()
        await pilot.press(*"霓虹")
        await wait_for(pilot, lambda: screen.table.loaded == 1, 5)
        screen.table.focus()
        await wait_for(pilot, lambda: screen.detail.job_id == screen.table.highlighted_id, 5)
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(140, 45), run_before=run_before)


def test_history_delete_dialog_80x24(snap_compare, app):
    async def run_before(pilot):
        await _highlight(1)(pilot)  # the saved job with files
        await pilot.press("x")
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_history_export_dialog_80x24(snap_compare, app):
    async def run_before(pilot):
        screen = await ready(pilot)
        await pilot.press("e")
        await wait_for(
            pilot, lambda: pilot.app.screen.query("#export-path"), 5, "the export dialog"
        )
        field = pilot.app.screen.query_one("#export-path")
        # the default lives in the (temporary) videos folder: show a fixed one instead
        assert str(field.value).startswith(str(screen.engine.paths.videos_dir))
        field.value = "~/Videos/jimeng/jimeng-history-20251124-160000.csv"
        # let the count worker and the focus change behind the dialog settle, even under load
        await pilot.app.workers.wait_for_complete()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause(0.5)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
