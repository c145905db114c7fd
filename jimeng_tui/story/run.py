"""One run of a checked storyboard: every shot in dependency order through the engine.

Shots that start from an image or from text start at once (the engine's throttle bounds how
many are on the service); a shot that starts from the previous one waits for that shot's saved
video, takes its last frame (``frames.py``) and is submitted with it. Each shot is an ordinary
job, marked with its storyboard (``plan.origin``); saved shots of earlier runs are reused, jobs
still in flight are followed, and a submit that may have made a task is never sent again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jimeng_tui.domain.errors import JimengError, ValidationError
from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.domain.meta import JobMeta
from jimeng_tui.story import plan as story_plan
from jimeng_tui.story.board import Shot, Storyboard
from jimeng_tui.story.frames import last_frame_of
from jimeng_tui.story.jobs import make_shot_job
from jimeng_tui.story.plan import Action, ShotPlan

if TYPE_CHECKING:
    from jimeng_tui.jobs.engine import Engine

SAVED, FAILED, NOT_STARTED, RUNNING = "saved", "failed", "not_started", "running"


@dataclass
class ShotResult:
    shot: Shot
    outcome: str
    job: Job | None = None
    earlier: bool = False  # saved (or refused) in an earlier run
    message: str | None = None


class StoryRun:
    def __init__(
        self,
        engine: Engine,
        board: Storyboard,
        plans: list[ShotPlan],
        *,
        say: Callable[[str], None] = lambda text: None,
    ):
        self.engine = engine
        self.board = board
        self.plans = plans
        self.say = say
        self.shot_of: dict[int, Shot] = {}  # job id → shot (jobs driven by this run)
        self.results: dict[int, ShotResult] = {}  # by shot number
        self.creating: Shot | None = None  # the shot whose row is being made (its notices)
        self._create_lock = asyncio.Lock()  # one row at a time: notices name the right shot
        self._tasks: dict[int, asyncio.Task[ShotResult]] = {}

    async def run(self) -> dict[int, ShotResult]:
        for p in self.plans:
            self._tasks[p.shot.index] = asyncio.create_task(self._shot(p))
        try:
            await asyncio.gather(*self._tasks.values())
        except asyncio.CancelledError:
            for task in self._tasks.values():
                if not task.done() and not task.cancelling():
                    task.cancel()
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
            await asyncio.to_thread(self._settle_interrupted)
            raise
        return self.results

    def _done(self, result: ShotResult) -> ShotResult:
        self.results[result.shot.index] = result
        n, job = result.shot.index, result.job
        if result.outcome == SAVED and job is not None:
            self.say(f"shot {n}: saved{' earlier' if result.earlier else ''}: {job.path}")
        elif result.outcome == FAILED:
            code = f" ({job.error_code})" if job is not None and job.error_code else ""
            self.say(f"shot {n}: failed{code}: {result.message or (job and job.error_message)}")
        elif result.outcome == NOT_STARTED:
            self.say(f"shot {n}: not started: {result.message}")
        return result

    async def _shot(self, p: ShotPlan) -> ShotResult:
        shot = p.shot
        if p.action is Action.SKIP:
            return self._done(ShotResult(shot, SAVED, p.saved, earlier=True))
        if p.action is Action.BLOCKED:
            ordinary = [j for j in p.earlier if not story_plan.is_take(j)]  # not a re-take
            latest = ordinary[-1] if ordinary else None
            return self._done(ShotResult(shot, FAILED, latest, earlier=True, message=p.reason))
        if p.action is Action.RESUME:
            jobs = p.resume_jobs
            for job in jobs:
                assert job.id is not None
                self.shot_of[job.id] = shot
                where = f"task {job.task_id}, {job.state}" if job.task_id else str(job.state)
                self.say(f"shot {shot.index}: following job {job.id} ({where}) from an earlier run")
            return self._done(await self._drive(shot, jobs))
        first: str | None = None
        after: int | None = None
        if shot.chained:
            before = self._tasks[shot.index - 1]
            await asyncio.wait([before])  # never cancels the shot before
            prev = before.result()
            if prev.outcome != SAVED or prev.job is None:
                why = f"it starts from shot {shot.index - 1}, which has no video"
                return self._done(ShotResult(shot, NOT_STARTED, message=why))
            try:
                first = str(await asyncio.to_thread(last_frame_of, prev.job))
                after = prev.job.id
            except JimengError as exc:
                return self._done(ShotResult(shot, FAILED, message=str(exc)))
        # shielded: a Ctrl-C must not leave a row this run does not know about
        making = asyncio.create_task(self._create(shot, first, after))
        try:
            job = await asyncio.shield(making)
        except asyncio.CancelledError:
            await asyncio.gather(making, return_exceptions=True)
            raise
        except ValidationError as exc:  # an image changed since it was checked
            return self._done(ShotResult(shot, FAILED, message=f"{exc} (nothing was sent)"))
        return self._done(await self._drive(shot, [job]))

    async def _create(self, shot: Shot, first: str | None, after: int | None) -> Job:
        meta = JobMeta(extra={story_plan.STORY_KEY: story_plan.origin(self.board, shot, after)})
        fields = shot.video_input(self.board.fps, first)
        async with self._create_lock:
            self.creating = shot
            try:
                job = await make_shot_job(self.engine, fields, self.board.folder, meta)
            finally:
                self.creating = None
            assert job.id is not None
            self.shot_of[job.id] = shot
        return job

    def shot_number(self, job_id: int) -> int | None:
        """The shot a job belongs to (also while its row is being made)."""
        shot = self.shot_of.get(job_id) or self.creating
        return shot.index if shot is not None else None

    async def _drive(self, shot: Shot, jobs: list[Job]) -> ShotResult:
        from jimeng_tui.jobs.follow import drive_or_follow

        finals: list[Job] = []
        for job in jobs:
            assert job.id is not None
            try:
                finals.append(await drive_or_follow(self.engine.runner, job.id, notice=self.say))
            except JimengError as exc:
                latest = await asyncio.to_thread(self.engine.history.get, job.id)
                return ShotResult(shot, FAILED, latest or job, message=str(exc))
        saved = [j for j in finals if j.state is JobState.SAVED]
        if saved:
            return ShotResult(shot, SAVED, saved[-1])
        last = finals[-1]
        message = last.error_message or f"the job ended {last.state}"
        return ShotResult(shot, FAILED, last, message=message)

    def _settle_interrupted(self) -> None:
        """After Ctrl-C: a row still queued was never sent, so it goes (the shot counts as not
        started); a job with a task stays in the history for the next run to follow."""
        history = self.engine.history
        for job_id, shot in self.shot_of.items():
            job = history.get(job_id)
            if job is not None and job.state in (JobState.QUEUED, JobState.DRAFT):
                history.delete(job_id)
            if shot.index in self.results:
                continue
            if job is None or job.state in (JobState.QUEUED, JobState.DRAFT):
                self.results[shot.index] = ShotResult(shot, NOT_STARTED, message="interrupted")
            elif job.state is JobState.SAVED:
                self.results[shot.index] = ShotResult(shot, SAVED, job)
            elif not job.is_final:
                self.results[shot.index] = ShotResult(shot, RUNNING, job)
            else:
                self.results[shot.index] = ShotResult(shot, FAILED, job)


__all__ = ["FAILED", "NOT_STARTED", "RUNNING", "SAVED", "ShotResult", "StoryRun"]
