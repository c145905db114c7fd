"""The engine as the studio's screens use it: create a job, drive one, cancel one, the drives
running (for quitting). One object, so where the engine's work runs is decided here only.

The app makes one per opened engine (``JimengApp.host``); screens call it, never the runner's
tasks directly. Drives run as app workers of group ``"jobs"`` (an error is said by the app).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App

    from jimeng_tui.domain.job import Job
    from jimeng_tui.domain.meta import JobMeta
    from jimeng_tui.jobs.cancel_stage import CancelOutcome
    from jimeng_tui.jobs.engine import Engine


class EngineHost:
    """Runs the engine's job work for ``app``."""

    def __init__(self, app: App[Any], engine: Engine) -> None:
        self.app = app
        self.engine = engine

    async def create(self, request: object, *, meta: JobMeta | None = None) -> Job:
        """Check the request and write its job row (queued); raises the engine's refusals."""
        return await self.engine.runner.create(request, meta=meta)

    async def run(self, job_id: int) -> Job:
        """Drive the job to its end here (in the caller's worker); returns the final job."""
        return await self.engine.runner.drive(job_id)

    def drive(self, job_id: int) -> None:
        """Drive the job to its end in a worker of its own."""
        self.app.run_worker(
            self.engine.runner.drive(job_id),
            name=f"job-{job_id}",
            group="jobs",
            exit_on_error=False,
        )

    async def cancel_remote(self, job_id: int) -> CancelOutcome:
        return await self.engine.runner.cancel_remote(job_id)

    def drives(self) -> dict[int, Any]:
        """The running drives: job id → something with ``cancel()`` (the job stays in the
        journal as it is, resumed next time)."""
        return dict(self.engine.runner._tasks)

    async def aclose(self) -> None:
        await self.engine.aclose()
