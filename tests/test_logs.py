"""The log file: written under the log folder, rotated, one handler per process."""

from __future__ import annotations

import logging
import stat

from jimeng_tui.store.logs import start_file_log
from jimeng_tui.store.paths import app_paths


def test_engine_messages_reach_a_private_log_file(isolated_home):
    paths = app_paths()
    path = start_file_log(paths)
    assert start_file_log(paths) == path  # idempotent
    logging.getLogger("jimeng_tui.jobs.runner").info("job 7 queued → submitting")
    for handler in logging.getLogger("jimeng_tui").handlers:
        handler.flush()
    assert "job 7 queued → submitting" in path.read_text(encoding="utf-8")
    assert stat.S_IMODE(paths.log_dir.stat().st_mode) == 0o700
    handlers = [
        h
        for h in logging.getLogger("jimeng_tui").handlers
        if type(h).__name__ == "_JimengFileHandler"
    ]
    assert len(handlers) == 1


def test_the_log_and_its_rotated_copies_are_private(isolated_home, monkeypatch):
    import os

    paths = app_paths()
    paths.log_dir.mkdir(parents=True)
    paths.log_file.write_text("an older log, written 0644\n", encoding="utf-8")
    os.chmod(paths.log_file, 0o644)
    monkeypatch.setattr("jimeng_tui.store.logs.LOG_BYTES", 200)
    start_file_log(paths)
    try:
        log = logging.getLogger("jimeng_tui.jobs.runner")
        for n in range(20):  # well past 200 bytes: rotated
            log.info("job %d: a prompt that names something private", n)
        rotated = sorted(paths.log_dir.glob("jimeng-tui.log*"))
        assert len(rotated) >= 2, rotated
        for path in rotated:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    finally:
        for handler in list(logging.getLogger("jimeng_tui").handlers):
            if type(handler).__name__ == "_JimengFileHandler":
                logging.getLogger("jimeng_tui").removeHandler(handler)
                handler.close()
