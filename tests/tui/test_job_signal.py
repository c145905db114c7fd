"""The studio signals a job's end by the ``[notify]`` method (issue 18): the raw bytes it
writes to its terminal, inside tmux and outside, and nothing when notifications are off."""

from __future__ import annotations

import os

from test_app_sandbox import saved_jobs, type_prompt
from tui_support import wait_engine, wait_for

from jimeng_tui.store.paths import app_paths


def write_config(text: str) -> None:
    path = app_paths(os.environ).config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o600)


async def run_one_job(app, prompt: str) -> list[bytes]:
    written: list[bytes] = []
    app.write_to_terminal = written.append  # the terminal, as the app writes to it
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        await type_prompt(pilot, prompt)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: len(saved_jobs(app)) == 1, 30, "the job saved")
        await pilot.pause()
    return written


async def test_a_saved_job_raises_an_osc9_notification(sandbox_app, monkeypatch):
    monkeypatch.setenv("TERM_PROGRAM", "WezTerm")
    monkeypatch.delenv("TMUX", raising=False)
    app = sandbox_app(bell_on_finish=True)
    written = await run_one_job(app, "kite")
    name = os.path.basename(saved_jobs(app)[0].path)
    assert written == [f"\x1b]9;Job 1 saved: kite — {name}\x07".encode()]


async def test_inside_tmux_kitty_gets_osc99_through_passthrough(sandbox_app, monkeypatch):
    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
    monkeypatch.setenv("TERM_PROGRAM", "tmux")
    monkeypatch.setenv("KITTY_WINDOW_ID", "1")
    app = sandbox_app(bell_on_finish=True)
    written = await run_one_job(app, "kite")
    assert len(written) == 1
    data = written[0]
    assert data.startswith(b"\x1bPtmux;\x1b\x1b]99;i=1:d=0;Job 1 saved\x1b\x1b\\")
    assert data.endswith(b"\x1b\x1b\\\x1b\\")


async def test_notifications_off_write_nothing(sandbox_app, monkeypatch):
    monkeypatch.setenv("TERM_PROGRAM", "WezTerm")
    write_config('[notify]\nmethod = "none"\n')
    app = sandbox_app(bell_on_finish=True)
    assert await run_one_job(app, "quiet kite") == []


async def test_settings_turn_notifications_off_at_once(sandbox_app, monkeypatch):
    import tomllib

    from textual.widgets import Select
    from tui_support import open_settings

    monkeypatch.setenv("TERM_PROGRAM", "WezTerm")
    app = sandbox_app(bell_on_finish=True)
    written: list[bytes] = []
    app.write_to_terminal = written.append
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await open_settings(pilot)
        choice = screen.query_one("#set-notify-method", Select)
        assert choice.value == "auto"
        choice.value = "none"
        screen.query_one("#settings-save").press()
        config_file = app_paths(os.environ).config_file
        await wait_for(pilot, config_file.exists, 5, "the config saved")
        assert tomllib.loads(config_file.read_text())["notify"] == {
            "method": "none",
            "after_seconds": 30.0,
        }
        await wait_engine(pilot)
        await type_prompt(pilot, "after settings")
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: len(saved_jobs(app)) == 1, 30, "the job saved")
        await pilot.pause()
    assert written == []
