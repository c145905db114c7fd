"""Shared fixtures: every test runs with its own JIMENG_TUI_HOME, never the real home."""

from __future__ import annotations

import os

import pytest

from jimeng_tui.store.config import ENV_OVERRIDES


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Config, data, cache, logs and videos under a temporary folder; no inherited credentials."""
    home = tmp_path / "jimeng-home"
    monkeypatch.setenv("JIMENG_TUI_HOME", str(home))
    for name in ENV_OVERRIDES:  # every variable the config store reads
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(autouse=True)
def builtin_services():
    """The built-in services registered, as every face does before it builds a request."""
    from jimeng_tui.session.services import register_builtin

    register_builtin()


# ---------------------------------------------------------------- sandbox (owner: sandbox)
# Fast defaults: speed 10 → a task is in_queue 0.1 s, generating 0.3 s, done at ~0.4 s;
# its video link lives 360 s and the task 4320 s (use server.advance(s) to jump ahead).
SANDBOX_TEST_DEFAULTS = {"speed": 10.0, "queue_seconds": 1.0, "generate_seconds": 3.0}


@pytest.fixture(scope="session")
def sandbox_clip_cache(tmp_path_factory):
    """One folder of rendered clips for the whole session (a clip renders once)."""
    return tmp_path_factory.mktemp("sandbox-clips")


@pytest.fixture
def sandbox_factory(sandbox_clip_cache):
    """``sandbox_factory(**options)`` → a started SandboxServer; all are stopped after the test.

    Options are SandboxOptions fields (fast test defaults unless given), plus ``host``/``port``.
    """
    from jimeng_tui.sandbox.options import SandboxOptions
    from jimeng_tui.sandbox.server import SandboxServer

    servers = []

    def make(**options):
        host = options.pop("host", "127.0.0.1")
        port = options.pop("port", 0)
        merged = {**SANDBOX_TEST_DEFAULTS, "cache_dir": sandbox_clip_cache, **options}
        server = SandboxServer(SandboxOptions(**merged), host=host, port=port).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def sandbox(sandbox_factory):
    """A started SandboxServer with the fast test defaults (see SANDBOX_TEST_DEFAULTS)."""
    return sandbox_factory()


# ---------------------------------------------------------------- engine (owner: jobs)
@pytest.fixture
async def engine_for():
    """``engine_for(sandbox, **session.open_engine kwargs)`` → an Engine on ``sandbox`` that polls
    quickly (``env=`` adds variables); all are closed after the test."""
    from jimeng_tui.jobs.engine import Engine
    from jimeng_tui.session import open_engine

    engines: list[Engine] = []

    def make(sandbox, **kwargs) -> Engine:
        env = {**os.environ, "JIMENG_VIDEO_POLL_INTERVAL": "0.1", **kwargs.pop("env", {})}
        engine = open_engine(sandbox=sandbox, env=env, **kwargs)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        await engine.aclose()


# ---------------------------------------------------------------- config (owner: cost)
@pytest.fixture
def write_config():
    """``write_config(text)`` writes ``text`` as the isolated home's config.toml (0600) and
    returns the settings loaded from it."""
    from jimeng_tui.session.config import load_config
    from jimeng_tui.store.paths import app_paths

    def write(text: str):
        paths = app_paths()
        paths.config_dir.mkdir(parents=True, exist_ok=True)
        paths.config_file.write_text(text, encoding="utf-8")
        paths.config_file.chmod(0o600)
        return load_config(paths).config

    return write
