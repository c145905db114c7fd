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
