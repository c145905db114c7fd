"""Helpers for the CLI tests (imported by tests/cli/conftest.py and the test modules)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


def sandbox_env(server, **overrides: str | None) -> dict[str, str]:
    """os.environ (with the isolated JIMENG_TUI_HOME) pointed at ``server``."""
    env = dict(os.environ)
    env.update(
        {
            "VOLC_ACCESSKEY": server.options.access_key,
            "VOLC_SECRETKEY": server.options.secret_key,
            "JIMENG_VIDEO_API_URL": server.base_url,
            "JIMENG_VIDEO_POLL_INTERVAL": "0.2",
            "COLUMNS": "200",
            "PYTHONWARNINGS": "ignore",
        }
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def no_account_env() -> dict[str, str]:
    """os.environ without credentials or a service URL: what ``--sandbox`` runs on its own."""
    env = dict(os.environ)
    for name in ("VOLC_ACCESSKEY", "VOLC_SECRETKEY", "JIMENG_VIDEO_API_URL"):
        env.pop(name, None)
    env["PYTHONWARNINGS"] = "ignore"
    return env


@dataclass(repr=False)
class Result:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    def __repr__(self) -> str:  # shown by pytest when an assert fails
        return (
            f"$ jimeng-tui {' '.join(self.args)}\n-> exit {self.returncode}\n"
            f"--- stdout\n{self.stdout}--- stderr\n{self.stderr}"
        )


def run_cli(
    exe: str, *args: str, env: dict[str, str] | None = None, timeout: float = 90, cwd=None
) -> Result:
    proc = subprocess.run(
        [exe, *args],
        env=env if env is not None else dict(os.environ),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
    )
    return Result(list(args), proc.returncode, proc.stdout, proc.stderr)


# -- the history, read from the test process ------------------------------------------------------


def history_jobs(sandbox: bool = False) -> list:
    from jimeng_tui.store.history import History, HistoryQuery
    from jimeng_tui.store.paths import app_paths

    paths = app_paths(os.environ)
    db = paths.data_dir / "sandbox-history.sqlite3" if sandbox else paths.history_db
    if not db.exists():
        return []
    history = History(db)
    try:
        return history.query(HistoryQuery(order="oldest", limit=None))
    finally:
        history.close()


def wait_for(predicate: Callable[[], object], timeout: float = 30.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {predicate}")


def interrupt_when(
    exe: str, args: list[str], env: dict[str, str], ready: Callable[[], object]
) -> tuple[int, str, str, object]:
    """Start ``jimeng-tui ARGS``, send SIGINT once ``ready()`` returns something, and return
    (exit code, stdout, stderr, what ``ready`` returned)."""
    proc = subprocess.Popen(
        [exe, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        value = wait_for(ready, timeout=30)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return proc.returncode, stdout, stderr, value


# -- input images -------------------------------------------------------------------------------


def make_image(path: Path, size: tuple[int, int], fmt: str = "JPEG", colour=(40, 120, 200)) -> Path:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(img)
    w, h = size
    draw.ellipse((w // 4, h // 4, 3 * w // 4, 3 * h // 4), fill=(240, 200, 40))
    img.save(path, fmt)
    return path


def files_never_overwritten(tmp_path: Path) -> dict[str, Path]:
    """An existing video and JSON file that a bad ``-o``/``--export`` must leave alone."""
    existing = tmp_path / "existing.mp4"
    existing.write_bytes(b"keep me")
    existing_json = tmp_path / "existing.json"
    existing_json.write_text("[]", encoding="utf-8")
    return {"existing": existing, "existing_json": existing_json}
