"""Snapshots of the help, the quit progress and the first-run key checks (80×24, 140×45, and
200×50 for the help). Regenerate with ``--snapshot-update`` and look at them as PNG."""

from __future__ import annotations

import pytest
from test_snapshots import live_header, make_app, ready

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((140, 45), id="140x45")]
HELP_SIZES = [*SIZES, pytest.param((200, 50), id="200x50")]


@pytest.mark.parametrize("size", HELP_SIZES)
def test_help_screen(snap_compare, size, monkeypatch):
    monkeypatch.setenv("JIMENG_TUI_HOME", "/home/ada/jimeng")
    app = make_app()

    async def run_before(pilot):
        await ready(pilot)
        live_header(app)
        await pilot.press("f1")
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_first_run_key_shape_error(snap_compare, size):
    from test_snapshots import CONFIG_PATH

    from jimeng_tui.tui.screens.first_run import FirstRunScreen

    app = make_app()

    async def never_called(access: str, secret: str):
        raise AssertionError("no test connection in this picture")

    async def run_before(pilot):
        await ready(pilot)
        app.main.header.connection = "no credentials"
        app.push_screen(FirstRunScreen(CONFIG_PATH, tester=never_called))
        await pilot.pause(0.1)
        await pilot.press(*"AKLT 7Q2X", "enter")  # a space inside, and too short
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_quitting_screen(snap_compare, size):
    from tui_support import sample_jobs

    from jimeng_tui.tui.screens.quitting import QuittingScreen

    app = make_app()
    rows = [
        (3, "downloading 6.3 MB of 10.0 MB (63%)"),
        (6, "converting to the length and frame rate asked for"),
    ]

    async def run_before(pilot):
        await ready(pilot)
        live_header(app, running=2)
        app.main.show_jobs(sample_jobs())
        await pilot.pause()
        app.push_screen(QuittingScreen(rows))
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_spend_screen(snap_compare, size):
    """The Spend screen with a fixed ledger (a real one would move with today's date)."""
    from jimeng_tui.store.spend import SpendLine, SpendReport
    from jimeng_tui.store.spend_chart import render
    from jimeng_tui.tui.screens.spend import SpendScreen

    app = make_app()
    days = [
        SpendLine("2026-12-05", billed=4.5, jobs=3),
        SpendLine("2026-12-06", billed=12.02, maybe=1.5, jobs=6),
        SpendLine("2026-12-07", billed=1.5, pending=5.01, unknown=1, jobs=3),
    ]
    total = SpendLine("total", billed=18.02, pending=5.01, maybe=1.5, unknown=1, jobs=12)
    text = "Per day, the last 30 days\n" + "\n".join(render(SpendReport("CNY", "day", days, total)))

    async def run_before(pilot):
        await ready(pilot)
        live_header(app)
        screen = SpendScreen()
        app.push_screen(screen)
        await pilot.pause()
        screen.show(text)
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
