"""The session wires the engine (issue 14): live or sandbox, the target, paths; the engine
and the store import no sandbox and no service."""

from __future__ import annotations

import os
import subprocess
import sys

from jimeng_tui.services.jimeng import catalog
from jimeng_tui.session import SessionSpec, open_session
from jimeng_tui.store.config import Config


def _loaded_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_the_store_and_the_engine_load_no_service_nor_sandbox():
    store = _loaded_after("import jimeng_tui.store.config, jimeng_tui.store.salvage")
    assert not {m for m in store if m.startswith(("jimeng_tui.services", "jimeng_tui.jobs"))}
    engine = _loaded_after("import jimeng_tui.jobs.engine")
    assert not {m for m in engine if m.startswith(("jimeng_tui.sandbox", "jimeng_tui.session"))}


def test_the_stores_defaults_are_jimengs():
    defaults, network = Config().defaults, Config().network
    assert (defaults.mode, defaults.duration, defaults.fps, defaults.aspect_ratio) == (
        catalog.DEFAULT_MODE,
        catalog.DEFAULT_DURATION,
        catalog.DEFAULT_FPS,
        catalog.DEFAULT_ASPECT_RATIO,
    )
    assert defaults.camera_strength == catalog.DEFAULT_CAMERA_STRENGTH
    assert network.api_url == catalog.DEFAULT_API_URL


async def test_a_sandbox_session_hands_the_engine_its_target_and_stops_what_it_started(
    isolated_home,
):
    session = open_session(SessionSpec(sandbox=True, env=os.environ))
    server = session.sandbox
    assert server is not None and server.running
    engine = session.open_engine()
    try:
        assert engine.is_sandbox and engine.target.base_url == server.base_url
        assert engine.access_key == server.options.access_key
        assert engine.target.poll_interval_s == 0.5  # the sandbox is polled quickly
        assert engine.runner.settings.finish_flags == " --sandbox"
        assert engine.runner.settings.output_dir == session.paths.videos_dir / "sandbox"
        assert engine.history.path == session.paths.sandbox_history_db
    finally:
        await engine.aclose()
        session.close()
    assert not server.running


async def test_a_live_session_uses_the_config(isolated_home):
    env = {**os.environ, "VOLC_ACCESSKEY": "AKLIVEKEY0000001", "VOLC_SECRETKEY": "s3cret"}
    session = open_session(SessionSpec(env=env))
    engine = session.open_engine()
    try:
        assert not engine.is_sandbox and engine.sandbox is None
        assert engine.target.base_url == catalog.DEFAULT_API_URL
        assert engine.access_key == "AKLIVEKEY0000001"
        assert engine.target.time_scale == 1.0
        assert engine.runner.settings.output_dir == session.paths.videos_dir
        assert engine.history.path == session.paths.history_db
    finally:
        await engine.aclose()
        session.close()
