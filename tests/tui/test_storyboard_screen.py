"""The Storyboard screen driven like a user would: a real Engine, SQLite file, sandbox and MP4s."""

from __future__ import annotations

import asyncio
import os

from story_screen_support import SHOTS, HostApp, engine, statuses, summary, write_board
from tui_support import wait_for

from jimeng_tui.session import open_engine
from jimeng_tui.session.services import register_builtin
from jimeng_tui.tui.screens.storyboard import StoryboardScreen

__all__ = ["engine"]  # the fixture


async def test_load_see_the_plan_run_after_asking_and_get_one_film(engine, sandbox, tmp_path):
    board = write_board(tmp_path, SHOTS)
    app = HostApp(engine, board)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: len(statuses(app)) == 3, 10, "the plan")
        assert statuses(app) == ["to submit", "to submit", "to submit"]
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "PaidConfirmScreen", 5, "asks")
        asked = str(app.screen.query_one(".confirm-text").render())
        # the paid question of every other paid action: what, how many of which kind, the cost
        assert "3 shot(s) will be submitted." in asked
        assert "3 new generations:" in asked
        assert "Estimated cost:" in asked
        assert "This is the sandbox: nothing is billed." in asked
        assert "The service bills" not in asked
        await pilot.press("y")  # no letter answers a paid question
        await pilot.pause(0.2)
        assert type(app.screen).__name__ == "PaidConfirmScreen"
        assert sandbox.submitted_bodies() == []  # asking sent nothing
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Film saved" in summary(app), 90, "the film")
        assert statuses(app) == ["saved", "saved", "saved"]
    assert len(sandbox.submitted_bodies()) == 3
    films = list(engine.runner.settings.output_dir.glob("story_harbour-at-dawn_*.mp4"))
    assert len(films) == 1

    again = HostApp(engine, board)  # opened again: every shot is reused, nothing is asked
    async with again.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: len(statuses(again)) == 3, 10, "the plan")
        assert statuses(again) == ["saved before"] * 3
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "Film saved" in summary(again), 30, "the film")
    assert len(sandbox.submitted_bodies()) == 3


async def test_a_bad_file_shows_each_error_and_cannot_run(engine, sandbox, tmp_path):
    board = write_board(
        tmp_path, [{"prompt": "a", "from": "previous"}, {"prompt": "b", "length": 7}]
    )
    app = HostApp(engine, board)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: "error" in summary(app), 10, "the errors")
        text = summary(app)
        assert "shot 1: from: the first shot has no previous shot" in text
        assert "shot 2: length:" in text
        await pilot.press("ctrl+r")
        await pilot.pause(0.2)
        assert type(app.screen).__name__ == "StoryboardScreen"
    assert sandbox.submitted_bodies() == []


def test_storyboard_screen_snapshot(snap_compare, sandbox, tmp_path, monkeypatch):
    register_builtin()
    eng = open_engine(sandbox=sandbox, env=dict(os.environ))
    board = write_board(tmp_path, SHOTS)
    app = HostApp(eng, board)

    async def run_before(pilot):
        await wait_for(pilot, lambda: len(statuses(app)) == 3, 10, "the plan")
        app.screen.query_one("#story-path").value = "~/films/film.toml"  # no tmp path shown

    try:
        assert snap_compare(app, terminal_size=(100, 24), run_before=run_before)
    finally:
        asyncio.run(eng.aclose())


async def test_the_studio_palette_opens_the_storyboard_screen(sandbox_app, sandbox, tmp_path):
    from textual.command import CommandPalette
    from tui_support import wait_engine

    board = write_board(tmp_path, SHOTS)
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), 5, "the palette")
        await pilot.press(*"storyboard")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, StoryboardScreen), 5, "the screen")
        await pilot.press(*str(board), "enter")
        await wait_for(pilot, lambda: len(statuses(app)) == 3, 10, "the plan")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, StoryboardScreen), 5, "back")
    assert sandbox.submitted_bodies() == []
