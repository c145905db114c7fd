"""Shared fixtures: every test runs with its own JIMENG_TUI_HOME, never the real home."""

from __future__ import annotations

import pytest

ENV_VARS = (
    "VOLC_ACCESSKEY",
    "VOLC_SECRETKEY",
    "JIMENG_VIDEO_API_URL",
    "JIMENG_VIDEO_API_TIMEOUT",
    "JIMENG_VIDEO_POLL_INTERVAL",
    "JIMENG_VIDEO_MAX_POLL_ATTEMPTS",
)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Config, data, cache, logs and videos under a temporary folder; no inherited credentials."""
    home = tmp_path / "jimeng-home"
    monkeypatch.setenv("JIMENG_TUI_HOME", str(home))
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    return home
