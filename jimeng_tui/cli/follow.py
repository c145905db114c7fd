"""``jimeng-tui status``, ``wait`` and ``resume``: reattach to tasks already submitted.

``status`` asks the service once; ``wait`` drives (or follows) one task to a saved video;
``resume`` finishes every unfinished job of the history. Imported only when one of them runs;
nothing here imports Textual.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jimeng_tui.cli.checks import check_output_path
from jimeng_tui.cli.errors import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    PROG,
    UsageError,
    error_line,
)
from jimeng_tui.cli.follow_routed import routed_attach, routed_owner, routed_status
from jimeng_tui.cli.hints import print_interrupted_json, resume_hint, sandbox_flag
from jimeng_tui.cli.output import job_json, print_json
from jimeng_tui.cli.results import failure_headline, report_final
from jimeng_tui.cli.running import Session, drive_job, latest_copy, run_jobs
from jimeng_tui.cli.text import printable
from jimeng_tui.domain.errors import JimengError
from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.jobs.output_target import check_output
from jimeng_tui.services.jimeng import catalog

if TYPE_CHECKING:
    from jimeng_tui.jobs.engine import Engine


def _mode_for_task(
    engine: Engine, task_id: str, mode: str | None, command: str
) -> tuple[Job | None, str]:
    from jimeng_tui.cli.other_history import task_elsewhere_message

    job = engine.history.find_task(task_id)
    if job is None:
        elsewhere = task_elsewhere_message(engine.is_sandbox, task_id, command)
        if elsewhere:  # a task of the other service: asking this one could only fail
            raise UsageError(elsewhere, field="task_id")
    if job is not None:
        if mode is not None and mode != job.mode:
            raise UsageError(
                f"task {task_id} was submitted with mode {job.mode} (history), not {mode}",
                field="mode",
            )
        return job, job.mode
    if mode is None:
        raise UsageError(
            f"task {task_id} is not in the {'sandbox ' if engine.is_sandbox else ''}history; "
            "give --mode with the mode it was submitted "
            f"with ({', '.join(catalog.MODE_NAMES)})",
            field="mode",
        )
    return None, mode


def _check_task_id(task_id: str) -> str:
    from jimeng_tui.cli.follow_routed import check_task_id

    return check_task_id(task_id)


def cmd_status(ns: argparse.Namespace) -> int:
    ns.quiet = True
    task_id = _check_task_id(ns.task_id)

    async def body(session: Session) -> int:
        engine = session.engine
        assert engine is not None
        routed = routed_owner(engine, task_id, ns.mode)
        if routed is not None:
            return await routed_status(session, ns, task_id, *routed)
        job, mode = _mode_for_task(engine, task_id, ns.mode, ns.command)
        session.require_credentials()
        client = _client(engine)
        req_key = job.req_key if job is not None else catalog.MODES[mode].req_key
        payload: dict[str, Any] = {"task_id": task_id, "mode": mode}
        if job is not None:
            payload["job_state"] = str(job.state)
            payload["path"] = job.path
        try:
            result = await client.get_result(req_key, task_id)
        except JimengError as exc:
            code = getattr(exc, "code", None)
            payload.update(status="failed", error_code=code, error_message=str(exc))
            if ns.json:
                print_json(payload)
            else:
                print("failed")
            print(error_line(f"task {task_id}: {exc}"), file=sys.stderr)
            return EXIT_FAILED
        payload.update(
            status=result.status, video_url=result.video_url, request_id=result.request_id
        )
        if ns.json:
            print_json(payload)
        else:
            print(result.status)
            if result.video_url:
                print(result.video_url)
            if job is not None and not ns.json:
                print(
                    printable(
                        f"{PROG}: history: {job.state}" + (f", {job.path}" if job.path else "")
                    ),
                    file=sys.stderr,
                )
        if result.status in ("not_found", "expired"):
            why = (
                "the service does not know this task (wrong id or mode, or older than 12 hours)"
                if result.status == "not_found"
                else "the service expired this task; submit it again"
            )
            print(error_line(f"task {task_id}: {why}"), file=sys.stderr)
            return EXIT_FAILED
        return EXIT_OK

    return run_jobs(ns, body, interrupted=lambda s: EXIT_INTERRUPTED)


def _client(engine: Engine):
    return engine.client


def cmd_wait(ns: argparse.Namespace) -> int:
    task_id = _check_task_id(ns.task_id)
    output = check_output_path(ns.output)
    current: dict[str, Job | None] = {"job": None}

    async def body(session: Session) -> int:
        engine = session.engine
        assert engine is not None
        routed = routed_owner(engine, task_id, ns.mode)
        if routed is not None:
            job, mode = routed[0], ""
        else:
            job, mode = _mode_for_task(engine, task_id, ns.mode, ns.command)
        if job is not None and job.is_final:
            if output is not None and job.state is JobState.SAVED:
                raise UsageError(
                    f"task {task_id} was already saved to {job.path}; --output applies to "
                    "unfinished tasks only"
                )
            return report_final(ns, job)
        session.require_credentials(job.meta.service_name if job is not None else None)
        if job is None and routed is not None:
            job = await routed_attach(session, task_id, routed[1])
        elif job is None:
            await _check_task_exists(engine, task_id, mode)
            job = await engine.runner.attach(task_id, mode)
        if output is not None:
            _direct_output(engine, job, output)
        current["job"] = job
        session.progress.track(job)
        job = await drive_job(session, job, current, follow=True)
        return report_final(ns, job)

    def interrupted(session: Session) -> int:
        job = latest_copy(session, current["job"])
        print_interrupted_json(ns, job)
        print(resume_hint(job, task_id, sandbox_flag(ns)), file=sys.stderr)
        return EXIT_INTERRUPTED

    return run_jobs(ns, body, interrupted=interrupted)


async def _check_task_exists(engine: Engine, task_id: str, mode: str) -> None:
    """A task from elsewhere goes into the history only if the service knows it."""
    result = await engine.client.get_result(catalog.MODES[mode].req_key, task_id)
    if result.status in ("not_found", "expired"):
        raise JimengError(
            f"the service says task {task_id} is {result.status} for mode {mode} (wrong id or "
            "mode, or older than about 12 hours); nothing was added to the history"
        )


def _direct_output(engine: Engine, job: Job, output: Path) -> None:
    """``wait --output``: the runner saves to ``job.path`` when it is set."""
    if job.state in (JobState.DOWNLOADING, JobState.CONFORMING) and job.path:
        raise UsageError(
            f"task {job.task_id} is already being saved to {job.path}; --output cannot change it"
        )
    job.path = str(output)
    job.meta.output = str(output)
    engine.history.save(job)


def cmd_resume(ns: argparse.Namespace) -> int:
    current: dict[str, list[Job]] = {"jobs": []}

    from jimeng_tui.jobs.runner import ClaimedElsewhere

    async def body(session: Session) -> int:
        engine = session.engine
        assert engine is not None
        jobs = engine.runner.resumable()
        current["jobs"] = list(jobs)
        if not jobs:
            if ns.json:
                print_json([])
            elif not ns.quiet:
                print(f"{PROG}: nothing to resume: no unfinished job is waiting", file=sys.stderr)
            return EXIT_OK
        for service in sorted({job.meta.service_name for job in jobs}):
            session.require_credentials(service)  # each service the jobs are on
        if any(job.state is JobState.QUEUED for job in jobs):  # some are still to be sent
            check_output(engine.runner.settings)
        if not ns.quiet:
            print(f"{PROG}: resuming {len(jobs)} job(s)", file=sys.stderr)
        for job in jobs:
            session.progress.track(job)
        results = await asyncio.gather(
            *(engine.runner.drive(job.id) for job in jobs if job.id is not None),
            return_exceptions=True,
        )
        finals: list[Job] = []
        code = EXIT_OK
        for job, result in zip(jobs, results, strict=False):
            if isinstance(result, BaseException):
                if isinstance(result, asyncio.CancelledError):
                    raise result
                if not isinstance(result, JimengError):
                    raise result
                if isinstance(result, ClaimedElsewhere):  # it is not lost: someone drives it
                    if not ns.quiet:
                        print(f"{PROG}: left alone: {result}", file=sys.stderr)
                    continue
                print(
                    error_line(f"job {job.id} (task {job.task_id or 'none'}): {result}"),
                    file=sys.stderr,
                )
                code = EXIT_FAILED
                continue
            finals.append(result)
        session.progress.stop()
        if ns.json:
            print_json([job_json(j) for j in finals])
            code = max(code, *(EXIT_FAILED if j.state is not JobState.SAVED else 0 for j in finals))
            for j in finals:
                if j.state is not JobState.SAVED:
                    print(error_line(failure_headline(j)), file=sys.stderr)
            return code
        first = True
        for job in finals:
            if job.state is JobState.SAVED:
                if not first:
                    print()
                first = False
            rc = report_final(ns, job)
            code = max(code, rc)
        return code

    def interrupted(session: Session) -> int:
        print(
            f"{PROG}: interrupted; the unfinished jobs stay in the history. "
            f"Run `{PROG} resume{sandbox_flag(ns)}` again to finish them.",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED

    return run_jobs(ns, body, interrupted=interrupted)


__all__ = ["cmd_resume", "cmd_status", "cmd_wait"]
