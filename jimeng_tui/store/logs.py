"""The log file: what the engine did, for when a user asks "what happened to job 12?"."""

from __future__ import annotations

import contextlib
import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

from jimeng_tui.store.paths import AppPaths, ensure_private_dir

LOG_BYTES = 1_000_000
LOG_BACKUPS = 3


class _JimengFileHandler(RotatingFileHandler):
    """Marks the handler this module installed, so a second engine does not add another.

    The log names prompts and task ids: it is created 0600 (not the umask's 0644), an older
    log is made 0600 when opened, and so are the rotated copies."""

    def _open(self):  # type: ignore[no-untyped-def]
        if os.name == "posix":
            os.close(os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
            os.chmod(self.baseFilename, 0o600)
        return super()._open()

    def handleError(self, record: logging.LogRecord) -> None:
        # a full disk must not print "--- Logging error ---" and a traceback on the user's
        # terminal: the log is a convenience, the history is the record
        pass

    def doRollover(self) -> None:
        super().doRollover()
        if os.name == "posix":
            for n in range(1, self.backupCount + 1):
                with contextlib.suppress(OSError):
                    os.chmod(f"{self.baseFilename}.{n}", 0o600)


def start_file_log(paths: AppPaths) -> Path:
    """Append the package's INFO messages to ``paths.log_file`` (rotated; folder 0700)."""
    logger = logging.getLogger("jimeng_tui")
    for handler in list(logger.handlers):
        if isinstance(handler, _JimengFileHandler):
            if Path(handler.baseFilename) == paths.log_file:
                return paths.log_file
            logger.removeHandler(handler)  # one log file per process: the latest home wins
            handler.close()
    ensure_private_dir(paths.log_dir)
    handler = _JimengFileHandler(
        paths.log_file, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8", delay=True
    )
    handler.setFormatter(
        logging.Formatter("%(asctime)s pid %(process)d %(levelname)s %(name)s: %(message)s")
    )
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)
    return paths.log_file
