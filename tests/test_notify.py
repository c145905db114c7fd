"""Notifications when a job ends (issue 18): the bytes each method writes, in and out of tmux."""

from __future__ import annotations

import os
import time

import pytest

from jimeng_tui import notify
from jimeng_tui.domain.job import JobState
from jimeng_tui.store.config import ConfigError, validate_setting

NOTICE = notify.Notice("Job 7 saved", "a red kite — 2026_a-red-kite.mp4")
ESC = b"\x1b"


def written(method: str, env: dict[str, str]) -> bytes:
    out: list[bytes] = []
    used = notify.send(method, NOTICE, out.append, env)
    assert used == method
    return b"".join(out)


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("osc9", b"\x1b]9;Job 7 saved: a red kite \xe2\x80\x94 2026_a-red-kite.mp4\x07"),
        ("osc777", b"\x1b]777;notify;Job 7 saved;a red kite \xe2\x80\x94 2026_a-red-kite.mp4\x07"),
        (
            "osc99",
            b"\x1b]99;i=1:d=0;Job 7 saved\x1b\\"
            b"\x1b]99;i=1:d=1:p=body;a red kite \xe2\x80\x94 2026_a-red-kite.mp4\x1b\\",
        ),
        ("bell", b"\x07"),
    ],
)
def test_each_escape_outside_tmux(method, expected):
    assert written(method, {"TERM": "xterm-256color"}) == expected


@pytest.mark.parametrize("method", ["osc9", "osc777", "osc99"])
def test_inside_tmux_the_escape_is_passed_through(method):
    plain = written(method, {})
    wrapped = written(method, {"TMUX": "/tmp/tmux-0/default,1,0"})
    # a DCS for tmux around the sequence, every ESC inside doubled
    assert wrapped == b"\x1bPtmux;" + plain.replace(ESC, ESC + ESC) + b"\x1b\\"


def test_the_bell_is_not_wrapped_in_tmux():
    assert written("bell", {"TMUX": "x"}) == b"\x07"


def test_none_writes_nothing():
    out: list[bytes] = []
    assert notify.send("none", NOTICE, out.append, {"TERM_PROGRAM": "WezTerm"}) == "none"
    assert out == []


def test_a_prompt_cannot_inject_an_escape():
    evil = notify.Notice("Job 1 saved", "kite\x1b]52;c;ZXZpbA==\x07\x1b\\ end")
    data = notify.terminal_bytes("osc9", evil, {})
    assert data.count(b"\x1b") == 1 and data.count(b"\x07") == 1  # only our own


@pytest.mark.parametrize(
    ("env", "method"),
    [
        ({"TERM_PROGRAM": "iTerm.app"}, "osc9"),
        ({"TERM_PROGRAM": "WezTerm"}, "osc9"),
        ({"TERM_PROGRAM": "ghostty"}, "osc9"),
        ({"TERM": "xterm-kitty"}, "osc99"),
        ({"TERM_PROGRAM": "tmux", "KITTY_WINDOW_ID": "3"}, "osc99"),
        ({"TERM_PROGRAM": "tmux", "WEZTERM_PANE": "0"}, "osc9"),
        ({"TERM": "foot"}, "osc777"),
        ({"TERM": "rxvt-unicode-256color"}, "osc777"),
        ({"TERM": "xterm-256color", "DISPLAY": ":0"}, "desktop"),
        ({"TERM": "xterm-256color", "DISPLAY": ":0", "SSH_CONNECTION": "1 2 3 4"}, "bell"),
        ({"TERM": "linux"}, "bell"),
        ({"TERM_PROGRAM": "textual", "DISPLAY": ":0"}, "bell"),  # served to a browser
    ],
)
def test_auto_picks_by_terminal(env, method):
    assert notify.resolve_method("auto", env, which=lambda name: "/usr/bin/" + name) == method


def test_the_notice_names_the_job_and_its_outcome():
    class Failed:
        id = 12
        state = JobState.FAILED
        prompt = "a cat\non a sofa"
        mode = "t2v_720p"
        path = None
        error_code = 50412
        error_message = "text risk"

    notice = notify.job_notice(Failed())
    assert notice.title == "Job 12 failed"
    assert notice.body == "a cat on a sofa — 50412 text risk"


def test_the_setting_is_checked():
    assert validate_setting("notify.method", "osc99") == "osc99"
    assert validate_setting("notify.after_seconds", 0) == 0.0
    with pytest.raises(ConfigError, match=r"notify.method = 'loud' is not allowed; allowed: auto"):
        validate_setting("notify.method", "loud")
    with pytest.raises(ConfigError, match="must be 0 or more"):
        validate_setting("notify.after_seconds", -1)


def test_desktop_runs_notify_send_with_the_job_and_outcome(tmp_path, monkeypatch):
    log = tmp_path / "notify-send.args"
    fake = tmp_path / "notify-send"
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {log}\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    out: list[bytes] = []
    env = {"DISPLAY": ":0", "TERM": "xterm-256color"}
    assert notify.send("auto", NOTICE, out.append, env) == "desktop"
    deadline = time.monotonic() + 10
    while not log.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.1)
    assert log.read_text().splitlines() == [
        "--app-name=jimeng-tui",
        "Job 7 saved",
        "a red kite — 2026_a-red-kite.mp4",
    ]
    assert out == []  # nothing on the terminal


def test_desktop_without_notify_send_falls_back_to_the_bell(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no notify-send here
    out: list[bytes] = []
    assert notify.send("desktop", NOTICE, out.append, {}) == "bell"
    assert out == [b"\x07"]
