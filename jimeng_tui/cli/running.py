"""What the engine-driving commands share: one engine for the length of a command, its
asyncio loop and Ctrl-C, driving a job to its end, and the notes about a request.

Used by ``generate``, ``status``/``wait``/``resume`` (``cli/follow.py``) and ``batch``; nothing
here imports Textual.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from jimeng_tui.cli.errors import EXIT_INTERRUPTED, UsageError
from jimeng_tui.cli.notify_end import notify_command_end
from jimeng_tui.cli.output import Progress
from jimeng_tui.domain.errors import JimengError, ValidationError
from jimeng_tui.domain.job import Job

if TYPE_CHECKING:
    from jimeng_tui.jobs.engine import Engine
    from jimeng_tui.sandbox.server import SandboxServer
    from jimeng_tui.store.config import LoadedConfig


def load_settings(ns: argparse.Namespace) -> LoadedConfig:
    """The settings, loaded once per command (kept on ``ns``: a broken file is moved aside and
    said once, and the engine opens on the same settings)."""
    loaded: LoadedConfig | None = getattr(ns, "loaded_settings", None)
    if loaded is None:
        from jimeng_tui.session import SessionSpec, open_session

        loaded = open_session(SessionSpec(env=os.environ)).load_config()
        ns.loaded_settings = loaded
    return loaded


def default_model(ns: argparse.Namespace) -> str:
    """The model a request without one gets (the session's choice, by the settings and keys)."""
    from jimeng_tui.session.targets import default_model as session_default

    return session_default(load_settings(ns), sandbox=bool(getattr(ns, "sandbox", False)))


class Session:
    """One engine (and maybe an embedded sandbox) for the length of a command."""

    def __init__(self, ns: argparse.Namespace, progress: Progress):
        self.ns = ns
        self.progress = progress
        self.sandbox: SandboxServer | None = None
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
        loaded = getattr(self.ns, "loaded_settings", None)
        self.engine = session.open_engine(self.progress.on_event, loaded=loaded)
        for warning in getattr(self.engine.loaded, "warnings", []) or []:
            self.progress.warn(warning)
        return self.engine

    def require_credentials(self, service: str | None = None) -> None:
        """UsageError naming the keys ``service`` (default: the engine's first) lacks and how
        to add them, before anything is sent."""
        assert self.engine is not None
        name = service or next(iter(self.engine.services))
        missing = self.engine.missing_credentials.get(name)
        if missing:
            raise UsageError(missing)

    async def aclose(self) -> None:
        if self.engine is not None:
            with contextlib.suppress(Exception):
                await self.engine.aclose()
        if self.sandbox is not None:
            with contextlib.suppress(Exception):
                self.sandbox.stop()


def run_jobs(
    ns: argparse.Namespace,
    body: Callable[[Session], Awaitable[int]],
    *,
    interrupted: Callable[[Session], int],
    progress_class: type[Progress] = Progress,
) -> int:
    """Run ``body`` on a fresh loop; Ctrl-C cancels it (the jobs stay in the journal) → 130."""
    quiet = bool(getattr(ns, "quiet", False))
    progress = progress_class(enabled=not quiet and is_tty(sys.stderr), quiet=quiet)
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
            started = time.monotonic()
            code = await body(session)
            notify_command_end(session, time.monotonic() - started)  # issue 18: job ended
            return code
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


def run_engine_command(
    ns: argparse.Namespace, body: Callable[[Session], Awaitable[int]], *, quiet: bool
) -> int:
    """A command that asks the engine one thing (``cancel``, ``tasks``): ``body`` on one
    engine, with no progress line when ``quiet``; Ctrl-C → 130."""
    ns.quiet = quiet
    return run_jobs(ns, body, interrupted=lambda session: EXIT_INTERRUPTED)


def is_tty(stream: Any) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


async def drive_job(
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


def latest_copy(session: Session, job: Job | None) -> Job | None:
    """The newest copy of ``job`` the engine reported (falls back to the copy we hold)."""
    if job is None or job.id is None:
        return job
    return session.latest.get(job.id, job)
