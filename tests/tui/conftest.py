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
    """A Seedance-like table as the "ark" service for the test (tests/fakes/seedance_like_caps.py):
    every registration of "ark" (the app's, the session's) registers it instead; the registry
    is put back after the test. The engine, which makes a service for every target, gets the
    real Ark service (the sandbox's Ark); the form reads the Seedance-like table."""
    from fakes.seedance_like_caps import SEEDANCE_LIKE_CAPS

    from jimeng_tui.services import registry
    from jimeng_tui.session.services import register_builtin

    register_builtin()  # so that the real "ark", if any, is what comes back after the test
    real_ark = registry._SERVICES["ark"].factory
    register = registry.register

    def register_fake_ark(name, factory, caps, codec=None, **kwargs):
        if name == "ark":
            factory, caps, codec = real_ark, SEEDANCE_LIKE_CAPS, None
        register(name, factory, caps, codec, **kwargs)

    monkeypatch.setitem(
        registry._SERVICES, "ark", registry.Registered(SEEDANCE_LIKE_CAPS, real_ark)
    )
    monkeypatch.setattr(registry, "register", register_fake_ark)
    return SEEDANCE_LIKE_CAPS
