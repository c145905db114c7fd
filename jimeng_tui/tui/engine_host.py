"""The engine on a thread and event loop of its own, as the studio's screens use it: create a job,
drive one, cancel one, run any engine coroutine, the drives running (for quitting).

Why a thread: with the engine on Textual's loop, a key waited behind every poll response queued
before it (200 jobs polled each second are ~200 callbacks a second). On its own loop the
engine's work only shares the interpreter with the UI, and a key is handled at the next switch.

Everything the engine owns that is bound to an event loop (the services' HTTP clients, the
throttle's semaphores, the runner's tasks and heartbeat) lives on the engine's loop: screens
never await the runner directly, they go through this object (``run_coroutine_threadsafe``,
awaited on the UI side with ``asyncio.wrap_future``). The engine's events reach the UI as
posted messages (``post_message`` is thread-safe). The history is one SQLite connection behind
a lock, opened for any thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from jimeng_tui.domain.job import Job
    from jimeng_tui.domain.meta import JobMeta
    from jimeng_tui.jobs.cancel_stage import CancelOutcome
    from jimeng_tui.jobs.engine import Engine

T = TypeVar("T")
Report = Callable[[BaseException], None]  # an unexpected error of a drive (on the UI's loop)


class EngineLoop:
    """A daemon thread running one asyncio loop until ``stop``."""

    def __init__(self, name: str = "jimeng-engine") -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        finally:
            with contextlib.suppress(Exception):
                self.loop.run_until_complete(self.loop.shutdown_default_executor())
            self.loop.close()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def stop(self, timeout: float = 1.0) -> None:
        """End the loop; wait a moment for its thread (a daemon: the process never waits for
        the loop itself)."""
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)


class DriveHandle:
    """A drive on the engine's loop, cancelled from the UI's thread."""

    def __init__(self, task: asyncio.Task[Any], loop: asyncio.AbstractEventLoop) -> None:
        self._task = task
        self._loop = loop

    def cancel(self) -> None:
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._task.cancel)


class EngineHost:
    """Runs the engine's work on its own thread and loop for the studio."""

    def __init__(self, engine: Engine, *, report: Report) -> None:
        self.engine = engine
        self._report = report
        self._ui_loop = asyncio.get_running_loop()  # made on the UI's loop
        self._engine_loop = EngineLoop()

    async def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` (an engine coroutine) on the engine's loop; cancelling the caller
        cancels it there."""
        return await asyncio.wrap_future(self._engine_loop.submit(coro))

    async def create(self, request: object, *, meta: JobMeta | None = None) -> Job:
        """Check the request and write its job row (queued); raises the engine's refusals."""
        return await self.call(self.engine.runner.create(request, meta=meta))

    async def run(self, job_id: int) -> Job:
        """Drive the job to its end, awaited by the caller; returns the final job."""
        return await self.call(self.engine.runner.drive(job_id))

    def drive(self, job_id: int) -> None:
        """Drive the job to its end; an unexpected error is reported."""
        future = self._engine_loop.submit(self.engine.runner.drive(job_id))

        def done(finished: concurrent.futures.Future[Any]) -> None:
            if finished.cancelled():
                return
            error = finished.exception()
            if error is not None:
                with contextlib.suppress(RuntimeError):  # the UI's loop has closed
                    self._ui_loop.call_soon_threadsafe(self._report, error)

        future.add_done_callback(done)

    async def cancel_remote(self, job_id: int) -> CancelOutcome:
        return await self.call(self.engine.runner.cancel_remote(job_id))

    def drives(self) -> dict[int, DriveHandle]:
        """The engine's running drives (the storyboard's too): job id → a handle whose
        ``cancel()`` stops it (the job stays in the journal as it is, resumed next time)."""
        loop = self._engine_loop.loop
        running = self.engine.runner.running_drives()
        return {job_id: DriveHandle(task, loop) for job_id, task in running.items()}

    async def aclose(self) -> None:
        """Stop the drives (they resume next time), close the engine, end the thread."""
        try:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.call(self._close_engine()), 10)
        finally:
            self._engine_loop.stop()

    async def _close_engine(self) -> None:
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)  # drives release their claims
        await self.engine.aclose()


async def engine_call(app: Any, coro: Coroutine[Any, Any, T]) -> T:
    """Await an engine coroutine where the engine runs: on its own loop in the studio (the app
    has a ``host``), here otherwise (History opened alone, tests)."""
    host = getattr(app, "host", None)
    if host is None:
        return await coro
    result: T = await host.call(coro)
    return result
