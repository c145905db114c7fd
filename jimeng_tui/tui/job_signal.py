"""The studio's signal when a job ends (issue 18): the ``[notify]`` method of the config, through
the app's own terminal (``jimeng_tui/notify.py`` says what each method writes)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the app imports this module before its first frame; a job ends later
    from jimeng_tui.domain.job import Job


def notify_method(app: Any) -> str:
    chosen = getattr(app, "notify_settings", None)  # just saved in Settings
    if chosen is not None:
        return str(chosen.method)
    engine = getattr(app, "engine", None)
    if engine is None:
        return "auto"
    return str(engine.loaded.config.notify.method)


def write_to_terminal(app: Any, data: bytes) -> None:
    """Raw bytes to the terminal the app runs in (nothing when headless: tests, no terminal)."""
    driver = getattr(app, "_driver", None)
    if driver is not None and not app.is_headless:
        driver.write(data.decode("utf-8"))


def signal_job_end(app: Any, job: Job) -> str:
    """Tell the user that ``job`` ended, by the configured method; returns the method used."""
    if not app.bell_on_finish:  # tests and demos: silent
        return "none"
    from jimeng_tui import notify

    return notify.send(
        notify_method(app),
        notify.job_notice(job),
        lambda data: app.write_to_terminal(data),
        os.environ,
    )
