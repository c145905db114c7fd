"""Re-takes on the Storyboard screen, driven like a user would: a real Engine, the sandbox over
loopback, a real SQLite history and MP4s PyAV opens."""

from __future__ import annotations

import asyncio
import os

from media_support import first_and_last, frames, mean_difference
from story_screen_support import SHOTS, HostApp, engine, statuses, summary, write_board
from tui_support import FROZEN_NOW, make_job, wait_for

from jimeng_tui.domain.job import JobState
from jimeng_tui.session import open_engine
from jimeng_tui.session.services import register_builtin
from jimeng_tui.tui.screens.paid_guard import PaidConfirmScreen
from jimeng_tui.tui.screens.story_takes import TakeCountScreen, TakesScreen
from jimeng_tui.tui.screens.storyboard import StoryboardScreen

__all__ = ["engine"]  # the fixture

SAME_PICTURE = 6.0  # two H.264 passes; another seed's picture differs by far more


def films(engine) -> list:
    return sorted(engine.runner.settings.output_dir.glob("story_harbour-at-dawn_*.mp4"))


def screen_name(app) -> str:
    return type(app.screen).__name__


async def test_retake_a_shot_keep_an_alternative_and_the_film_and_chain_follow_it(
    engine, sandbox, tmp_path
):
    board = write_board(tmp_path, SHOTS)  # shot 2 starts on shot 1's last frame
    app = HostApp(engine, board)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: len(statuses(app)) == 3, 10, "the plan")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, PaidConfirmScreen), 5, "asks")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Film saved" in summary(app), 90, "the film")
        assert len(sandbox.submitted_bodies()) == 3
        first_film = films(engine)
        story = {"$.extra.story.path": str(board.resolve())}
        original = engine.history.find_meta(story)[0]  # shot 1's job

        # right after the run, a chained shot can be re-taken (from shot 1's keeper): asked,
        # and Don't send sends nothing
        app.screen.query_one("#story-shots").move_cursor(row=1)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TakeCountScreen), 5, "how many")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PaidConfirmScreen), 10, "pay?")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, StoryboardScreen), 5, "back")
        assert len(sandbox.submitted_bodies()) == 3

        # t on shot 1: how many? (nothing sent) → the paid confirmation (nothing sent) → Send
        app.screen.query_one("#story-shots").move_cursor(row=0)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TakeCountScreen), 5, "how many")
        await pilot.press("backspace", "2", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PaidConfirmScreen), 10, "pay?")
        asked = str(app.screen.query_one(".confirm-text").render())
        assert "2 alternative(s) of shot 1" in asked and "2 new generations" in asked
        assert len(sandbox.submitted_bodies()) == 3  # asking sent nothing
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TakesScreen), 90, "the takes")

        bodies = sandbox.submitted_bodies()
        assert len(bodies) == 5  # two creates, each with its own seed
        seeds = [b["seed"] for b in bodies[3:]]
        assert len(set(seeds)) == 2 and all(s >= 0 for s in seeds), seeds
        assert all(b["prompt"] == SHOTS[0]["prompt"] for b in bodies[3:])
        takes = app.screen
        assert len(takes.jobs) == 3 and takes.jobs[0].id == original.id  # the keeper first
        await wait_for(pilot, lambda: takes.frames_loaded == 3, 60, "the filmstrips")

        # keep the second column: shot 2 chains from shot 1, so it asks before making it again
        await pilot.press("right", "enter")
        keeper = takes.jobs[1]
        await wait_for(pilot, lambda: isinstance(app.screen, PaidConfirmScreen), 10, "remake?")
        asked = str(app.screen.query_one(".confirm-text").render())
        assert "Shot 2 starts on shot 1's last frame" in asked and "1 new generation" in asked
        assert len(sandbox.submitted_bodies()) == 5
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(films(engine)) == 2, 90, "the new film")
        await wait_for(pilot, lambda: "Film saved" in summary(app), 30, "said")
        assert statuses(app)[0] == "saved"

    bodies = sandbox.submitted_bodies()
    assert len(bodies) == 6 and bodies[5]["prompt"] == SHOTS[1]["prompt"]  # shot 2 only
    film = next(f for f in films(engine) if f not in first_film)
    jobs = engine.history.find_meta(story)
    shot2 = max((j for j in jobs if j.meta.extra["story"]["shot"] == 2), key=lambda j: j.id)
    shot3 = next(j for j in jobs if j.meta.extra["story"]["shot"] == 3)
    kept = engine.history.get(keeper.id)
    # the film is the keepers': its frame count (PyAV) is theirs, and its pictures are the
    # kept take's, not the first video's
    film_frames = frames(film)
    parts = [frames(kept.path), frames(shot2.path), frames(shot3.path)]
    assert len(film_frames) == sum(len(p) for p in parts)
    middle = len(parts[0]) // 2
    assert mean_difference(film_frames[middle], parts[0][middle]) < SAME_PICTURE
    old_middle = frames(original.path)[middle]
    assert mean_difference(film_frames[middle], old_middle) > 2 * SAME_PICTURE
    # ...and the chain follows the keeper: the new shot 2 starts on the kept take's last frame
    _, last_kept = first_and_last(kept.path)
    first2, _ = first_and_last(shot2.path)
    assert mean_difference(first2, last_kept) < SAME_PICTURE

    # a restart (the engine closed, a new one on the same history) keeps the keeper: every
    # shot reused, nothing asked or sent, the same film
    await engine.aclose()
    restarted = open_engine(sandbox=sandbox, env={**os.environ})
    try:
        again = HostApp(restarted, board)
        async with again.run_test(size=(140, 45)) as pilot:
            await wait_for(pilot, lambda: len(statuses(again)) == 3, 10, "the plan")
            assert statuses(again)[0] == "saved before · 3 takes"
            assert statuses(again)[1:] == ["saved before · 2 takes", "saved before"]
            await pilot.press("ctrl+r")
            await wait_for(pilot, lambda: "Film saved" in summary(again), 30, "the film")
            assert film.name in summary(again)
    finally:
        await restarted.aclose()
    assert len(sandbox.submitted_bodies()) == 6


async def test_retake_count_asks_again_on_a_bad_number_and_esc_sends_nothing(
    engine, sandbox, tmp_path
):
    board = write_board(tmp_path, SHOTS)
    app = HostApp(engine, board)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: len(statuses(app)) == 3, 10, "the plan")
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TakeCountScreen), 5, "how many")
        await pilot.press("backspace", "9", "enter")
        await pilot.pause(0.2)
        assert isinstance(app.screen, TakeCountScreen)
        said = str(app.screen.query_one("#take-count-error").render())
        assert "from 1 to 4" in said
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, StoryboardScreen), 5, "back")
        await pilot.press("t")  # shot 1 has no video yet: a first re-take is fine, but Esc
        await wait_for(pilot, lambda: isinstance(app.screen, TakeCountScreen), 5, "how many")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PaidConfirmScreen), 10, "pay?")
        await pilot.press("escape")  # Don't send
        await wait_for(pilot, lambda: isinstance(app.screen, StoryboardScreen), 5, "back")
    assert sandbox.submitted_bodies() == []


def test_takes_screen_snapshot(snap_compare, sandbox, tmp_path):
    """Shot 1's keeper and two alternatives side by side (fixed jobs and pictures)."""
    from test_previews import gradient_frames

    register_builtin()
    eng = open_engine(sandbox=sandbox, env=dict(os.environ))
    board = write_board(tmp_path, SHOTS)
    app = HostApp(eng, board)
    jobs = [
        make_job(
            n,
            JobState.SAVED,
            prompt=SHOTS[0]["prompt"],
            mode="i2v_first_720p",
            seed=seed,
            finished_at=FROZEN_NOW - 30,
            submitted_at=FROZEN_NOW - 50,
        )
        for n, seed in ((1, -1), (4, 1234567), (5, 7654321))
    ]

    async def run_before(pilot):
        await wait_for(pilot, lambda: len(statuses(app)) == 3, 10, "the plan")
        app.screen.query_one("#story-path").value = "~/films/film.toml"  # no tmp path shown
        app.push_screen(TakesScreen(1, jobs, 1, tmp_path, lambda job_id: None))
        await wait_for(pilot, lambda: len(app.screen.query("Filmstrip")) == 3, 5, "the takes")
        for n in range(3):
            app.screen._show_frames(n, gradient_frames(4))
        await pilot.pause(0.1)

    try:
        assert snap_compare(app, terminal_size=(140, 45), run_before=run_before)
    finally:
        asyncio.run(eng.aclose())


async def test_keeping_a_take_sends_no_other_shot(engine, sandbox, tmp_path):
    """Shots 1 and 2 were never made: keeping a take of shot 3 makes it the keeper and says
    Ctrl+R makes the rest; it neither asks to send them nor sends them."""
    board = write_board(tmp_path, SHOTS)
    app = HostApp(engine, board)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: len(statuses(app)) == 3, 10, "the plan")
        app.screen.query_one("#story-shots").move_cursor(row=2)
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TakeCountScreen), 5, "how many")
        await pilot.press("backspace", "1", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PaidConfirmScreen), 10, "pay?")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TakesScreen), 90, "the takes")
        assert len(sandbox.submitted_bodies()) == 1
        take = app.screen.jobs[-1]
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Ctrl+R makes them" in summary(app), 10, "said")
        await pilot.pause(0.3)
        assert isinstance(app.screen, StoryboardScreen)
        assert statuses(app)[:2] == ["to submit", "to submit"]
    assert len(sandbox.submitted_bodies()) == 1
    assert engine.history.get(take.id).state is JobState.SAVED
