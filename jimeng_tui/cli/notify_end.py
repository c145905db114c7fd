"""The notification at the end of ``generate`` and ``batch`` when they ran long enough for the
user to look elsewhere (``[notify] after_seconds``); see ``jimeng_tui/notify.py``."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from jimeng_tui import notify

NOTIFYING_COMMANDS = ("generate", "batch")


def notify_command_end(
    session: Any,
    seconds: float,
    *,
    write: Callable[[bytes], Any] = notify.write_to_tty,
    env: Mapping[str, str] = os.environ,
) -> str:
    """Signal the end of the jobs of ``session`` (``cli.running.Session``); returns the method
    used ("none": nothing sent)."""
    command = getattr(session.ns, "command", None)
    engine = session.engine
    if command not in NOTIFYING_COMMANDS or engine is None or not session.latest:
        return "none"
    settings = engine.loaded.config.notify
    if seconds < settings.after_seconds:
        return "none"
    jobs = list(session.latest.values())
    if command == "generate" and len(jobs) == 1:
        notice = notify.job_notice(jobs[0])
    else:
        saved = sum(1 for job in jobs if job.state.value == "saved")
        notice = notify.batch_notice(saved, len(jobs), seconds)
    return notify.send(settings.method, notice, write, env)
