"""What the engine-driving commands say about a job beside its result: the command that
finishes an interrupted job (with ``--sandbox`` when the run used it), the ``--json`` object
after Ctrl-C, and where a sandbox video really is."""

from __future__ import annotations

import argparse
import sys

from jimeng_tui.cli.errors import PROG
from jimeng_tui.cli.output import job_json, print_json
from jimeng_tui.domain.job import Job, JobState


def sandbox_flag(ns: argparse.Namespace) -> str:
    """`` --sandbox`` for the commands we print, when this one ran against the sandbox."""
    return " --sandbox" if getattr(ns, "sandbox", False) else ""


def resume_hint(job: Job | None, task_id: str | None = None, flag: str = "") -> str:
    """What Ctrl-C left behind, and the command that finishes it (``flag``: `` --sandbox``)."""
    task_id = (job.task_id if job else None) or task_id
    if job is None and task_id is None:
        return f"{PROG}: interrupted before anything was submitted; nothing was recorded"
    if job is not None and job.is_final:
        return f"{PROG}: interrupted; the job had already ended ({job.state})"
    if task_id:
        where = (
            "is kept by the sandbox (in its task file) and stays in the sandbox history"
            if flag
            else "keeps running on the service and stays in the history"
        )
        return (
            f"{PROG}: interrupted; the task {task_id} {where}. Finish it with:\n"
            f"  {PROG} wait {task_id}{flag}\nor finish every unfinished job with:\n"
            f"  {PROG} resume{flag}"
        )
    assert job is not None
    if job.state is JobState.SUBMITTING:
        return (
            f"{PROG}: interrupted while the submit was on its way: a task may exist. The job "
            f"stays in the history; `{PROG} resume{flag}` marks it as unknown (it is never sent "
            "twice)"
        )
    return (
        f"{PROG}: interrupted before the job was submitted; it stays in the history as "
        f"{job.state}. Submit it with:\n  {PROG} resume{flag}"
    )


def print_interrupted_json(ns: argparse.Namespace, job: Job | None) -> None:
    """``--json`` after Ctrl-C: the job as it was left (the error object when there is none)."""
    if getattr(ns, "json", False) and job is not None:
        payload = job_json(job)
        payload["interrupted"] = True
        print_json(payload)


def say_emulator_link(ns: argparse.Namespace, job: Job) -> None:
    """Once a command: the block links the saved file, since the emulator's URL dies with it."""
    if getattr(ns, "quiet", False) or getattr(ns, "emulator_link_said", False):
        return
    ns.emulator_link_said = True
    url = (job.video_url or "").split("?", 1)[0]
    print(
        f"{PROG}: sandbox: the link is the saved file; the emulator's own URL ({url}) stops "
        "working when this command exits",
        file=sys.stderr,
    )
