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


@pytest.fixture
def seedance_like(monkeypatch):
    """A Seedance-like table registered as "ark" for the test (tests/fakes/seedance_like_caps.py),
    also after the app registers the built-in services; whatever was there is put back after."""
    from fakes.seedance_like_caps import SEEDANCE_LIKE_CAPS

    import jimeng_tui.session.services as builtin
    from jimeng_tui.services import registry

    def no_service(target):
        raise AssertionError("the form's tests make no Seedance-like service")

    entry = registry.Registered(SEEDANCE_LIKE_CAPS, no_service)
    register_builtin = builtin.register_builtin

    def register_then_fake() -> None:
        register_builtin()
        registry._SERVICES["ark"] = entry

    monkeypatch.setattr(builtin, "register_builtin", register_then_fake)
    register_builtin()
    monkeypatch.setitem(registry._SERVICES, "ark", entry)
    return SEEDANCE_LIKE_CAPS
