"""Fixtures for the CLI tests: the installed ``jimeng-tui`` run in subprocesses against a sandbox
served over a real loopback socket from the test process."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_support import Result, make_image, run_cli, sandbox_env

EXE_NAME = "jimeng-tui"


def _find_exe() -> str:
    beside = Path(sys.executable).parent / EXE_NAME
    if beside.exists():
        return str(beside)
    found = shutil.which(EXE_NAME)
    if found:
        return found
    pytest.skip("the jimeng-tui console script is not installed (pip install -e .)")
    raise AssertionError  # pragma: no cover


@pytest.fixture(scope="session")
def exe() -> str:
    return _find_exe()


@pytest.fixture
def sandbox_server(sandbox_factory, tmp_path):
    """A started sandbox (tests/conftest.py's fast defaults: a lifecycle of ~0.4 s)."""
    return sandbox_factory(request_log=tmp_path / "sandbox-requests.jsonl")


@pytest.fixture
def slow_sandbox_server(sandbox_factory, tmp_path):
    """Tasks stay in_queue 1.5 s and generating 3 s (room for a Ctrl-C during polling)."""
    return sandbox_factory(
        speed=1.0,
        queue_seconds=1.5,
        generate_seconds=3.0,
        request_log=tmp_path / "sandbox-requests.jsonl",
    )


@pytest.fixture
def cli(exe, sandbox_server) -> Callable[..., Result]:
    """``cli(*args, env_overrides...)`` runs jimeng-tui against the quick sandbox."""

    def run(*args: str, timeout: float = 90, cwd=None, **overrides: str | None) -> Result:
        return run_cli(
            exe, *args, env=sandbox_env(sandbox_server, **overrides), timeout=timeout, cwd=cwd
        )

    return run


@pytest.fixture
def images(tmp_path) -> dict[str, Path]:
    folder = tmp_path / "inputs"
    folder.mkdir()
    text = folder / "notes.jpg"
    text.write_text("this is not an image, just some text\n", encoding="utf-8")
    return {
        "landscape": make_image(folder / "landscape.jpg", (1280, 720)),
        "landscape_png": make_image(
            folder / "landscape-last.png", (1280, 720), "PNG", (200, 60, 60)
        ),
        "portrait": make_image(folder / "portrait.png", (720, 1280), "PNG"),
        "tiny": make_image(folder / "tiny.png", (100, 100), "PNG"),
        "wide": make_image(folder / "wide.jpg", (4000, 1000)),
        "text": text,
    }


@pytest.fixture
def exe_cli(exe) -> Callable[..., Result]:
    """``exe_cli(*args)`` runs jimeng-tui with the test's environment (no sandbox)."""

    def run(*args: str, timeout: float = 60, **overrides: str | None) -> Result:
        import os

        env = dict(os.environ)
        for key, value in overrides.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return run_cli(exe, *args, env=env, timeout=timeout)

    return run
