"""Snapshots with the real Ark (Seedance) table: the form with Seedance 2.0 chosen, and a saved
Seedance job's details (model, tokens, sound, the last frame's thumbnail). Regenerate with
``--snapshot-update`` and look at the SVGs (``rsvg-convert``) before committing."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_snapshots import SIZES, live_form, live_header, make_app, ready, wait_until
from textual.widgets import Checkbox, Select
from tui_support import SEEDANCE_2, seedance_job

# fixed (the details print the paths): written by the test, the same on every machine
SHOTS = Path("/tmp/jimeng-tui-snapshots")


@pytest.mark.parametrize("size", SIZES)
def test_form_with_seedance_2(snap_compare, size):
    app = make_app()

    async def run_before(pilot):
        form = await live_form(pilot)
        form.query_one("#model", Select).value = SEEDANCE_2
        await pilot.pause()
        form.query_one("#prompt").load_text("A lighthouse in a storm, waves breaking, dusk")
        form.query_one("#duration", Select).value = 8
        form.query_one("#generate_audio", Checkbox).value = True
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def seedance_job_selected(pilot) -> None:
    """The live main screen with one saved Seedance job (7), selected."""
    app = pilot.app
    await ready(pilot)
    live_header(app)
    await wait_until(pilot, lambda: app.main.panels_ready)
    SHOTS.mkdir(parents=True, exist_ok=True)
    app.main.show_jobs([seedance_job(7, SHOTS)])
    app.main.focus_job(7)


@pytest.mark.parametrize("size", [pytest.param((140, 45), id="140x45")])
def test_seedance_job_details_pane(snap_compare, size):
    app = make_app()

    async def run_before(pilot):
        await seedance_job_selected(pilot)
        details = app.main.details
        await wait_until(pilot, lambda: bool(details.query("#poster .halfblock")))
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [pytest.param((80, 24), id="80x24")])
def test_seedance_job_details_dialog(snap_compare, size):
    app = make_app()

    async def run_before(pilot):
        await seedance_job_selected(pilot)
        app.main.queue.focus()
        await wait_until(pilot, lambda: 7 in app.main.board.last_frames)
        await pilot.pause(0.3)  # the list settled behind the dialog
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: app.screen is not app.main and bool(app.screen.query("#poster .halfblock")),
        )
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
