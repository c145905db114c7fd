"""Helpers for the storyboard tests: write a board, read frames, compare pictures."""

from __future__ import annotations

import json
import re
from pathlib import Path

from media_support import first_and_last, frames, mean_difference

from jimeng_tui.store.paths import app_paths

__all__ = ["first_and_last", "frames", "mean_difference"]  # shared with the TUI tests


def write_board(path: Path, shots: list[dict], **defaults) -> Path:
    """A storyboard TOML file: ``defaults`` → [defaults], each dict → one [[shot]]."""
    lines = ['title = "Test film"', "", "[defaults]"]
    defaults = {"model": "t2v_720p", "ratio": "16:9", "fps": 24, "length": 5, **defaults}
    lines += [f"{key} = {json.dumps(value)}" for key, value in defaults.items()]
    for shot in shots:
        lines += ["", "[[shot]]"]
        lines += [f"{key} = {json.dumps(value)}" for key, value in shot.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def film_of(stdout: str) -> Path:
    found = re.search(r"film joined(?: earlier)?: (\S+\.mp4) ", stdout)
    assert found, stdout
    return Path(found.group(1))


def story_jobs(env: dict[str, str]) -> list:
    from jimeng_tui.store.history import History, HistoryQuery

    db = app_paths(env).history_db
    history = History(db)
    try:
        return history.query(HistoryQuery(order="oldest", limit=None))
    finally:
        history.close()


def shot_of(job) -> int:
    return job.meta.extra["story"]["shot"]
