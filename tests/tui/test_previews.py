"""Previews that move (issue 18): the filmstrip of a saved job in the details pane and in
History, ``v`` plays the video in the terminal and Esc stops it; a snapshot of the filmstrip in
half blocks."""

from __future__ import annotations

import pytest
from PIL import Image
from test_app_sandbox import saved_jobs, type_prompt
from test_snapshots import jobs_shown, markdown_ready, wait_until
from tui_support import FROZEN_NOW, wait_engine, wait_for

from jimeng_tui.tui.app import JimengApp
from jimeng_tui.tui.screens.preview_player import PreviewPlayerScreen
from jimeng_tui.tui.widgets.filmstrip import Filmstrip


async def one_saved_job(pilot) -> object:
    app = pilot.app
    await wait_engine(pilot)
    await type_prompt(pilot, "a paper boat")
    await pilot.press("ctrl+g")
    await wait_for(pilot, lambda: len(saved_jobs(app)) == 1, 30, "the job saved")
    return saved_jobs(app)[0]


def shown_frames(widget_host) -> int:
    found = widget_host.query(Filmstrip)
    return len(found.first().images) if found and found.first().display else 0


async def test_a_saved_job_shows_its_filmstrip_then_plays_and_stops(sandbox_app):
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        job = await one_saved_job(pilot)
        details = app.main.details
        await wait_for(pilot, lambda: shown_frames(details) == 6, 60, "the filmstrip")
        strip = details.query_one(Filmstrip)
        assert "▀" in str(strip.render())  # drawn in half blocks
        await pilot.press("f4")
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewPlayerScreen), 5, "player")
        player = app.screen
        await wait_for(pilot, lambda: player.shown >= 4, 20, "frames playing")
        assert len(player.frames) == 20  # 5 s at 4 frames a second
        assert player.playing and player.index > 0
        status = str(player.query_one("#player-status").render())
        assert status.startswith("playing · frame ") and "/20" in status
        await pilot.press("space")
        assert not player.playing
        paused_at = player.index
        await pilot.pause(0.6)
        assert player.index == paused_at  # paused: the picture stays
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, PreviewPlayerScreen), 5, "stop")
        assert player._timer is not None and not player.playing
        assert job.path.endswith(".mp4")


async def test_history_shows_the_filmstrip_and_plays(sandbox_app):
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await one_saved_job(pilot)
        await pilot.press("f3")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "HistoryScreen", 5)
        history = app.screen
        # a thread decodes 6 frames while the poster thread decodes too: slow on a loaded 2-core box
        await wait_for(pilot, lambda: shown_frames(history.detail) == 6, 60, "the filmstrip")
        history.table.focus()
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewPlayerScreen), 5, "player")
        await wait_for(pilot, lambda: app.screen.shown >= 2, 20, "frames playing")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is history, 5, "back in History")


async def test_play_without_a_saved_video_says_so(sandbox_app):
    app = JimengApp(start_engine=False, clock=lambda: FROZEN_NOW, bell_on_finish=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await jobs_shown(pilot, select=2)  # a failed job
        app.engine = type("E", (), {"paths": type("P", (), {"cache_dir": "/nonexistent"})})()
        app.main.action_play_preview()
        await pilot.pause()
        assert not isinstance(app.screen, PreviewPlayerScreen)
        assert any("Nothing to play" in n.message for n in app._notifications)
        app.engine = None


def gradient_frames(count: int = 6) -> list:
    """Fixed pictures (no decoder involved), so the snapshot never drifts."""
    frames = []
    for n in range(count):
        image = Image.new("RGB", (64, 36))
        for x in range(64):
            for y in range(36):
                image.putpixel((x, y), (40 * n % 256, x * 4, y * 7))
        frames.append(image)
    return frames


@pytest.mark.parametrize("size", [pytest.param((140, 45), id="140x45")])
def test_filmstrip_snapshot(snap_compare, size):
    app = JimengApp(start_engine=False, clock=lambda: FROZEN_NOW, bell_on_finish=False)

    async def run_before(pilot):
        await jobs_shown(pilot, select=1)  # the saved one
        await wait_until(pilot, lambda: markdown_ready(app, "Save Path"))
        app.main.details.set_filmstrip(gradient_frames())
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_compare_two_takes_and_keep_one(sandbox_app, sandbox):
    from textual.widgets import Input

    from jimeng_tui.tui.screens.compare import CompareScreen, TakeColumn

    app = sandbox_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_engine(pilot)
        await type_prompt(pilot, "a paper boat")
        for seed in ("11", "22"):
            app.main.form.query_one("#seed", Input).value = seed
            await pilot.press("ctrl+g")
            await pilot.pause(0.3)
        await wait_for(pilot, lambda: len(saved_jobs(app)) == 2, 30, "both saved")
        await pilot.press("f3")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "HistoryScreen", 5)
        history = app.screen
        await wait_for(pilot, lambda: len(history.table.job_ids) == 2, 10, "two rows")
        history.table.focus()
        await pilot.press("=")  # nothing marked yet: says what to do
        assert not isinstance(app.screen, CompareScreen)
        await pilot.press("m", "down", "m", "=")
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen), 5, "compare")
        compare = app.screen
        columns = compare.query(TakeColumn)
        assert len(columns) == 2
        seeds = sorted(column.job.params["seed"] for column in columns)
        assert seeds == [11, 22]
        facts = str(columns.first().query_one(".take-facts").render())
        assert "seed" in facts and "t2v_720p" in facts and "a paper boat" in facts
        await wait_for(pilot, lambda: compare.frames_loaded == 2, 20, "both filmstrips")
        assert all(len(c.query_one(Filmstrip).images) == 4 for c in columns)
        await pilot.press("right", "f")
        keeper = compare.jobs[1]
        engine = app.engine
        await wait_for(
            pilot, lambda: engine.history.get(keeper.id).favourite, 10, "the keeper saved"
        )
        await wait_for(
            pilot, lambda: "★ keeper" in str(columns[1].query_one(".take-title").render()), 5
        )
        assert not engine.history.get(compare.jobs[0].id).favourite
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is history, 5, "back in History")
        await wait_for(pilot, lambda: history.table.job(keeper.id).favourite, 5, "the row starred")
