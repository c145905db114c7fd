"""o / f (open file / folder) where nothing here can show a window (SSH, headless): the path is
copied (OSC 52) and the toast says why, on the main screen and in History."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_history_screen import HostApp, add_job, engine, opened  # noqa: F401 (fixture)
from tui_support import FROZEN_NOW, make_job, wait_for

from jimeng_tui.domain.job import JobState
from jimeng_tui.tui import system
from jimeng_tui.tui.app import JimengApp
from jimeng_tui.tui.system import NoOpener, Opener, find_opener

DESKTOP = {"DISPLAY": ":0"}


def which_of(*installed: str):
    return lambda name: f"/usr/bin/{name}" if name in installed else None


@pytest.mark.parametrize(
    ("env", "installed", "reason"),
    [
        ({"SSH_CONNECTION": "10.0.0.2 5000 10.0.0.1 22"}, ("xdg-open",), "over SSH"),
        ({}, ("xdg-open",), "no desktop session"),
        (DESKTOP, (), "neither xdg-open nor a player"),
    ],
)
def test_no_opener_says_why(env, installed, reason, tmp_path):
    opener = find_opener(env, which_of(*installed), "linux")
    with pytest.raises(NoOpener, match=reason):
        opener.command_for(tmp_path / "clip.mp4")


def test_openers_found_on_a_desktop(tmp_path):
    assert find_opener(DESKTOP, which_of("xdg-open"), "linux").command_for(tmp_path) == (
        "xdg-open",
    )
    # X11 forwarding over SSH brings the window back to the user's screen
    forwarded = {"SSH_CONNECTION": "a b c d", "DISPLAY": "localhost:10.0"}
    assert find_opener(forwarded, which_of("xdg-open"), "linux").folder_command == ("xdg-open",)
    only_player = find_opener(DESKTOP, which_of("mpv"), "linux")
    assert only_player.command_for(tmp_path / "clip.mp4")[0] == "mpv"
    with pytest.raises(NoOpener, match="no xdg-open for folders"):
        only_player.command_for(tmp_path)
    assert find_opener({}, which_of(), "darwin") == Opener(("open",), None)


@pytest.fixture
def over_ssh(monkeypatch):
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    forget = getattr(system, "_this_machine", None)  # the opener found for this machine
    forget and forget.cache_clear()
    yield
    forget and forget.cache_clear()


def messages(app) -> str:
    return "\n".join(n.message for n in app._notifications)


async def test_open_over_ssh_copies_the_path_on_the_main_screen(over_ssh, tmp_path):
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\0" * 10)
    job = make_job(7, JobState.SAVED, prompt="a kite", path=str(video), saved_at=FROZEN_NOW)
    app = JimengApp(start_engine=False, clock=lambda: FROZEN_NOW, bell_on_finish=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.main_ready, 5, "the job list")
        app.main.show_jobs([job])
        await pilot.press("f4", "o")
        await wait_for(pilot, lambda: app.clipboard == str(video), 5, "the path copied")
        assert "No program to open videos here (over SSH): copied the path" in messages(app)
        assert "P copies its file:// link instead" in messages(app)
        assert "Errno" not in messages(app)
        await pilot.press("P")  # the link instead (a browser or player that takes links)
        await wait_for(pilot, lambda: app.clipboard == video.as_uri(), 5, "the link copied")
        await pilot.press("f")
        await wait_for(pilot, lambda: app.clipboard == str(tmp_path), 5, "the folder copied")
        assert "No program to open folders here (over SSH)" in messages(app)


async def test_open_over_ssh_copies_the_path_in_history(over_ssh, engine, tmp_path):  # noqa: F811
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\0" * 10)
    add_job(engine, "keep this one", path=str(video))
    app = HostApp(engine)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await opened(pilot)
        await wait_for(pilot, lambda: screen.table.on_disk(1) is True, 5, "file check")
        await pilot.press("o")
        await wait_for(pilot, lambda: app.copied == [str(video)], 5, "the path copied")
        assert any("over SSH" in t and str(video) in t for t in app.toasts)
        assert Path(video).is_file()


def test_vlc_is_a_player_too(tmp_path):
    only_vlc = find_opener(DESKTOP, which_of("vlc"), "linux")
    assert only_vlc.command_for(tmp_path / "clip.mp4") == ("vlc", "--play-and-exit")
