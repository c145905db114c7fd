"""``jimeng-tui generate``: submit one generation, wait for it, save and verify the video.

Imported only when it runs. Nothing here imports Textual. ``--no-wait`` stops driving the job once
the service has answered the submit (``wait``/``resume`` in ``cli/follow.py`` finish it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jimeng_tui.cli.checks import check_output_path
from jimeng_tui.cli.cost import apply_cost_flags, dry_run_generate
from jimeng_tui.cli.errors import EXIT_INTERRUPTED, EXIT_OK, PROG, UsageError
from jimeng_tui.cli.hints import print_interrupted_json, resume_hint, sandbox_flag
from jimeng_tui.cli.output import job_json, print_json
from jimeng_tui.cli.results import report_final
from jimeng_tui.cli.running import Session, default_model, drive_job, latest_copy, run_jobs
from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.jobs.request_builder import build_request
from jimeng_tui.services.base import BuiltRequest

if TYPE_CHECKING:
    from jimeng_tui.jobs.engine import Engine


def request_from_args(ns: argparse.Namespace) -> BuiltRequest:
    """The checked request (UsageError / ValidationError naming the option: exit 2, before
    anything opens or is sent)."""
    from jimeng_tui.cli.generation_options import chosen_model, option_flag, video_input

    model = chosen_model(ns) or default_model(ns)
    try:
        return build_request(video_input(ns, model), base_dir=Path.cwd())
    except ValidationError as exc:
        flag = option_flag(exc.field)
        if flag is None:
            raise
        raise UsageError(f"{flag}: {exc.reason}", exc.field) from None


def cmd_generate(ns: argparse.Namespace) -> int:
    built = request_from_args(ns)  # ValidationError → exit 2 in cli.main
    output = check_output_path(ns.output)
    if ns.no_wait and ns.sandbox:
        raise UsageError(
            "--no-wait cannot be used with --sandbox: the embedded emulator stops when this "
            "command exits, and its task with it"
        )
    if ns.dry_run:  # the estimate and the exact body; nothing sent (issue 16)
        return dry_run_generate(ns, built)
    current: dict[str, Job | None] = {"job": None}

    async def body(session: Session) -> int:
        engine = session.engine
        assert engine is not None
        session.require_credentials(built.service)
        apply_cost_flags(ns, engine)  # --over-budget, --max-cost (issue 16)
        for note in built.notes:
            session.progress.notice(note)
        # ValidationError / ImageError here: nothing written, nothing sent
        job = await engine.runner.create(built, output=output)
        current["job"] = job
        session.progress.track(job)
        if ns.no_wait:
            job = await _submit_only(session, job)
            current["job"] = job
            return _report_submitted(ns, job)
        job = await drive_job(session, job, current)
        return report_final(ns, job)

    def interrupted(session: Session) -> int:
        job = latest_copy(session, current["job"])
        print_interrupted_json(ns, job)
        print(resume_hint(job, flag=sandbox_flag(ns)), file=sys.stderr)
        return EXIT_INTERRUPTED

    return run_jobs(ns, body, interrupted=interrupted)


_REMOTE = (JobState.IN_QUEUE, JobState.GENERATING, JobState.DONE)


async def _submit_only(session: Session, job: Job) -> Job:
    """Drive the job until the service has answered the submit, then stop driving it."""
    engine = session.engine
    assert engine is not None and job.id is not None
    job_id = job.id
    submitted = asyncio.Event()

    def watch(event: Any) -> None:
        changed = getattr(event, "job", None)
        if changed is None or changed.id != job_id:
            return
        if changed.task_id or changed.is_final or changed.state in _REMOTE:
            submitted.set()

    session.progress.add_listener(watch)
    drive = asyncio.create_task(engine.runner.drive(job_id))
    waiter = asyncio.create_task(submitted.wait())
    await asyncio.wait({drive, waiter}, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    if not drive.done():
        drive.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await drive
        _release(engine, job_id)
    elif drive.exception() is not None:
        raise drive.exception()  # type: ignore[misc]
    return latest_copy(session, job) or job


def _release(engine: Engine, job_id: int) -> None:
    with contextlib.suppress(Exception):
        engine.history.release(job_id, os.getpid())


def _report_submitted(ns: argparse.Namespace, job: Job) -> int:
    if job.is_final and job.state is not JobState.SAVED:
        return report_final(ns, job)
    if ns.json:
        print_json(job_json(job))
    else:
        print(job.task_id or "")
        if not ns.quiet:
            print(
                f"{PROG}: submitted; collect it with `{PROG} wait {job.task_id}` "
                f"or `{PROG} resume`",
                file=sys.stderr,
            )
    return EXIT_OK


__all__ = ["cmd_generate", "request_from_args"]
