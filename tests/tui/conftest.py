"""Fixtures for the TUI tests: an app wired to a sandbox over a real socket, a fixed time zone."""

from __future__ import annotations

import time

import pytest
from tui_support import fast_engine_factory


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    """Times on screen do not depend on the machine's zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    time.tzset()


@pytest.fixture(autouse=True)
def steady_cursors(monkeypatch):
    """Cursors do not blink, so a screenshot never depends on when, in the blink, it is taken."""
    from textual.widgets import Input, TextArea

    for widget in (Input, TextArea):
        monkeypatch.setattr(widget.cursor_blink, "_default", False)


@pytest.fixture
def sandbox_app(sandbox):
    """``sandbox_app(**kwargs)`` → a JimengApp driving the test sandbox (no bell)."""
    from jimeng_tui.tui.app import JimengApp

    def make(server=None, **kwargs):
        kwargs.setdefault("bell_on_finish", False)
        return JimengApp(engine_factory=fast_engine_factory(server or sandbox), **kwargs)

    return make
