"""The engine-driving commands: ``generate``, ``status``, ``wait``, ``resume``.

Imported only when one of them runs. Nothing here imports Textual. Every command opens one
:class:`~jimeng_tui.jobs.engine.Engine` (optionally on an embedded sandbox), runs on one asyncio
loop, and turns jobs into the original skill's output on stdout (or one JSON value with
``--json``); progress and notices go to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jimeng_tui.cli.checks import check_output_path
from jimeng_tui.cli.entry import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    PROG,
    UsageError,
    error_line,
)
from jimeng_tui.cli.hints import (
    print_interrupted_json,
    resume_hint,
    sandbox_flag,
    say_emulator_link,
)
from jimeng_tui.cli.output import Progress, job_json, print_json
from jimeng_tui.cli.text import printable
from jimeng_tui.domain.errors import JimengError, ValidationError
from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.jobs.output_target import check_output
from jimeng_tui.jobs.request_builder import BuiltRequest, RequestFields, build_request
from jimeng_tui.services.jimeng import catalog

if TYPE_CHECKING:
    from jimeng_tui.jobs.engine import Engine


# --------------------------------------------------------------------------------------------
# Engine lifetime
# --------------------------------------------------------------------------------------------


class Session:
    """One engine (and maybe an embedded sandbox) for the length of a command."""

    def __init__(self, ns: argparse.Namespace, progress: Progress):
        self.ns = ns
        self.progress = progress
        self.sandbox: Any = None  # the embedded SandboxServer the session started
        self.engine: Engine | None = None
        self.latest: dict[int, Job] = {}  # the newest copy of every job this command touched
        progress.add_listener(self._remember)

    def _remember(self, event: Any) -> None:
        job = getattr(event, "job", None)
        if isinstance(job, Job) and job.id is not None:
            self.latest[job.id] = job

    def open(self) -> Engine:
        from jimeng_tui.session import SessionSpec, open_session

        want_sandbox = bool(getattr(self.ns, "sandbox", False))
        session = open_session(SessionSpec(sandbox=want_sandbox, env=os.environ))
        if session.sandbox is not None:
            self.sandbox = session.sandbox
            self.progress.notice(f"sandbox: a local emulator at {self.sandbox.base_url}")
        self.engine = session.open_engine(self.progress.on_event)
        for warning in getattr(self.engine.loaded, "warnings", []) or []:
            self.progress.warn(warning)
        return self.engine

    def require_credentials(self) -> None:
        assert self.engine is not None
        if self.engine.is_sandbox:
            return
        config = self.engine.loaded.config
        if not config.has_credentials:
            raise UsageError(
                "no credentials: set VOLC_ACCESSKEY and VOLC_SECRETKEY, or add them to "
                f"{self.engine.paths.config_file} (or open `jimeng-tui` to enter them); "
                "`--sandbox` runs without an account"
            )

    async def aclose(self) -> None:
        if self.engine is not None:
            with contextlib.suppress(Exception):
                await self.engine.aclose()
        if self.sandbox is not None:
            with contextlib.suppress(Exception):
                self.sandbox.stop()


def _run(
    ns: argparse.Namespace,
    body: Callable[[Session], Awaitable[int]],
    *,
    interrupted: Callable[[Session], int],
    progress_class: type[Progress] = Progress,
) -> int:
    """Run ``body`` on a fresh loop; Ctrl-C cancels it (the jobs stay in the journal) → 130."""
    quiet = bool(getattr(ns, "quiet", False))
    progress = progress_class(enabled=not quiet and _is_tty(sys.stderr), quiet=quiet)
    session = Session(ns, progress)
    state = {"interrupted": False}

    async def main() -> int:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None

        def on_sigint() -> None:
            if state["interrupted"]:  # a second Ctrl-C: leave now
                os._exit(EXIT_INTERRUPTED)
            state["interrupted"] = True
            task.cancel()

        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signal.SIGINT, on_sigint)
        try:
            session.open()
            return await body(session)
        finally:
            progress.stop()
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signal.SIGINT)
            await asyncio.shield(session.aclose())

    try:
        return asyncio.run(main())
    except (asyncio.CancelledError, KeyboardInterrupt):
        progress.stop()
        return interrupted(session)
    finally:
        progress.stop()


def _is_tty(stream: Any) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


# --------------------------------------------------------------------------------------------
# generate
# --------------------------------------------------------------------------------------------


def request_from_args(ns: argparse.Namespace) -> BuiltRequest:
    fields = RequestFields(
        prompt=ns.prompt,
        mode=ns.mode,
        duration=ns.duration,
        fps=ns.fps,
        aspect_ratio=ns.aspect_ratio,
        first_image=ns.image,
        last_image=ns.tail_image,
        camera_template=ns.camera_template,
        camera_strength=ns.camera_strength,
        seed=ns.seed,
        image_fields=("image", "image"),
    )
    return build_request(fields, base_dir=Path.cwd())


def cmd_generate(ns: argparse.Namespace) -> int:
    built = request_from_args(ns)  # ValidationError → exit 2 in cli.main
    request = built.request
    output = check_output_path(ns.output)
    if ns.no_wait and ns.sandbox:
        raise UsageError(
            "--no-wait cannot be used with --sandbox: the embedded emulator stops when this "
            "command exits, and its task with it"
        )
    current: dict[str, Job | None] = {"job": None}

    async def body(session: Session) -> int:
        engine = session.engine
        assert engine is not None
        session.require_credentials()
        for note in built.notes:
            session.progress.notice(note)
        # ValidationError / ImageError here: nothing written, nothing sent
        job = await engine.runner.create(request, output=output)
        current["job"] = job
        session.progress.track(job)
        if ns.no_wait:
            job = await _submit_only(session, job)
            current["job"] = job
            return _report_submitted(ns, job)
        job = await _drive(session, job, current)
        return report_final(ns, job)

    def interrupted(session: Session) -> int:
        job = _latest(session, current["job"])
        print_interrupted_json(ns, job)
        print(resume_hint(job, flag=sandbox_flag(ns)), file=sys.stderr)
        return EXIT_INTERRUPTED

    return _run(ns, body, interrupted=interrupted)


async def _drive(
    session: Session, job: Job, current: dict[str, Job | None], *, follow: bool = False
) -> Job:
    """Drive the job to its end; ``follow``: or wait for the process that drives it."""
    from jimeng_tui.jobs.follow import drive_or_follow

    engine = session.engine
    assert engine is not None and job.id is not None
    current["job"] = job
    try:
        if follow:
            final = await drive_or_follow(engine.runner, job.id, notice=session.progress.notice)
        else:
            final = await engine.runner.drive(job.id)
    except ValidationError as exc:
        # Input errors are caught before a job is created; one raised here is the engine's
        # problem with a stored job, not a usage error (exit 1, not 2).
        raise JimengError(f"job {job.id} could not be finished: {exc}") from exc
    current["job"] = final
    return final


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
    return _latest(session, job) or job


def _release(engine: Engine, job_id: int) -> None:
    with contextlib.suppress(Exception):
        engine.history.release(job_id, os.getpid())


def _latest(session: Session, job: Job | None) -> Job | None:
    """The newest copy of ``job`` the engine reported (falls back to the copy we hold)."""
    if job is None or job.id is None:
        return job
    return session.latest.get(job.id, job)


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


# --------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# status
# --------------------------------------------------------------------------------------------


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
    task_id = task_id.strip()
    if not task_id.isdigit():
        raise UsageError(
            f"{task_id!r} is not a task id (task ids are long decimal numbers)", field="task_id"
        )
    return task_id


def cmd_status(ns: argparse.Namespace) -> int:
    ns.quiet = True
    task_id = _check_task_id(ns.task_id)

    async def body(session: Session) -> int:
        engine = session.engine
        assert engine is not None
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

    return _run(ns, body, interrupted=lambda s: EXIT_INTERRUPTED)


def _client(engine: Engine):
    return engine.client


# --------------------------------------------------------------------------------------------
# wait
# --------------------------------------------------------------------------------------------


def cmd_wait(ns: argparse.Namespace) -> int:
    task_id = _check_task_id(ns.task_id)
    output = check_output_path(ns.output)
    current: dict[str, Job | None] = {"job": None}

    async def body(session: Session) -> int:
        engine = session.engine
        assert engine is not None
        job, mode = _mode_for_task(engine, task_id, ns.mode, ns.command)
        if job is not None and job.is_final:
            if output is not None and job.state is JobState.SAVED:
                raise UsageError(
                    f"task {task_id} was already saved to {job.path}; --output applies to "
                    "unfinished tasks only"
                )
            return report_final(ns, job)
        session.require_credentials()
        if job is None:
            await _check_task_exists(engine, task_id, mode)
            job = await engine.runner.attach(task_id, mode)
        if output is not None:
            _direct_output(engine, job, output)
        current["job"] = job
        session.progress.track(job)
        job = await _drive(session, job, current, follow=True)
        return report_final(ns, job)

    def interrupted(session: Session) -> int:
        job = _latest(session, current["job"])
        print_interrupted_json(ns, job)
        print(resume_hint(job, task_id, sandbox_flag(ns)), file=sys.stderr)
        return EXIT_INTERRUPTED

    return _run(ns, body, interrupted=interrupted)


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


# --------------------------------------------------------------------------------------------
# resume
# --------------------------------------------------------------------------------------------


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
        session.require_credentials()
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

    return _run(ns, body, interrupted=interrupted)


__all__ = ["cmd_generate", "cmd_resume", "cmd_status", "cmd_wait", "request_from_args"]
