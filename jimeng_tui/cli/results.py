"""How a finished job is reported: the result block or JSON on stdout, the failure on stderr,
and the exit code (shared by ``generate``, ``wait``, ``resume`` and ``batch``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from jimeng_tui.cli.errors import EXIT_FAILED, EXIT_OK, error_line
from jimeng_tui.cli.hints import say_emulator_link
from jimeng_tui.cli.output import job_json, print_json
from jimeng_tui.cli.text import printable
from jimeng_tui.domain.job import Job, JobState


def report_final(ns: argparse.Namespace, job: Job) -> int:
    """Print a finished job (stdout block or JSON; failures on stderr) and return its exit code."""
    from jimeng_tui.jobs.report import success_block

    ok = job.state is JobState.SAVED
    if getattr(ns, "json", False):
        print_json(job_json(job))
    elif ok and getattr(ns, "sandbox", False) and job.path:
        print(printable(success_block(job, link=Path(job.path).as_uri())))
        say_emulator_link(ns, job)
    elif ok:
        print(printable(success_block(job)))
    if not ok:
        print(printable(error_line(failure_headline(job))), file=sys.stderr)
        hint = failure_advice(job)
        if hint:
            print(f"  {hint}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def failure_advice(job: Job) -> str | None:
    """What the user can do about a failed job, when it adds to the error message."""
    from jimeng_tui.jobs.report import failure_hint

    hint = failure_hint(job)
    if hint and hint not in (job.error_message or "") and not hint.startswith("See the"):
        return hint
    return None


def failure_headline(job: Job) -> str:
    what = {
        JobState.FAILED: "generation failed",
        JobState.CANCELLED: "generation cancelled",
        JobState.EXPIRED: "the task expired",
        JobState.SUBMIT_UNKNOWN: "the submit got no answer",
        JobState.SAVE_FAILED: "the video was generated but could not be saved",
    }.get(job.state, f"the job stopped in state {job.state}")
    detail = ""
    message = job.error_message or ""
    if job.error_code is not None and not message.startswith(str(job.error_code)):
        detail = f": {job.error_code} {message}".rstrip()
    elif message:
        detail = f": {message}"
    task = f" (task {job.task_id})" if job.task_id else " (no task was created)"
    if job.state is JobState.SUBMIT_UNKNOWN:
        task = ""
    return f"{what}{detail}{task}"
