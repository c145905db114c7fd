"""Re-takes of one shot: alternatives with other seeds, and the user's choice of keeper.

A take is an ordinary job of the shot (same fingerprint, so an edit of the shot leaves its takes
behind too) marked ``take``; it starts like the shot does (a chained shot: on the last frame of
the shot before's keeper). Keeping a take writes ``kept_at`` (and, for a chained shot, the
keeper of the shot before it was kept against) on that job's row: durable, and the next plan
(``plan.py``) uses it, so a run after it sends nothing for that shot. A shot chained from a
shot whose keeper changed is made again by the next run, from the new keeper's last frame
(the chain follows the keeper), unless one of its own videos is kept.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.domain.meta import JobMeta
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.story import plan as story_plan
from jimeng_tui.story.board import Shot, Storyboard
from jimeng_tui.story.frames import last_frame_of
from jimeng_tui.story.jobs import make_shot_job
from jimeng_tui.story.plan import Action, ShotPlan

if TYPE_CHECKING:
    from jimeng_tui.jobs.engine import Engine
    from jimeng_tui.services.base import BuiltRequest
    from jimeng_tui.store.history import History

MAX_TAKES = 4  # at once: what the takes view shows side by side with the keeper
SEED_MAX = 2**31 - 1  # within every service's range


class TakeRefused(ValueError):
    """A re-take or a keep that cannot be done (nothing was sent or written)."""


@dataclass
class TakeOrder:
    """The alternatives about to be made for one shot (checked; nothing sent yet)."""

    board: Storyboard
    shot: Shot
    inputs: list[VideoInput]
    after: Job | None  # the keeper of the shot before, for a chained shot

    @property
    def seeds(self) -> list[int]:
        return [f.seed for f in self.inputs if f.seed is not None]

    def requests(self) -> list[BuiltRequest]:
        """The built requests, for the paid confirmation and its estimate."""
        from jimeng_tui.jobs.request_builder import build_request

        return [build_request(f, base_dir=self.board.folder) for f in self.inputs]


@dataclass
class Kept:
    """What keeping a take changed: the shot, the job, and the chained shots now to make."""

    shot: int
    job: Job
    plans: list[ShotPlan]
    remake: list[int] = field(default_factory=list)  # chained shots the next run makes again


def shot_plan(board: Storyboard, plans: list[ShotPlan], index: int) -> ShotPlan:
    if not 1 <= index <= len(plans):
        raise TakeRefused(f"shot {index}: the storyboard has shots 1 to {len(plans)}")
    return plans[index - 1]


def order_takes(
    board: Storyboard,
    plans: list[ShotPlan],
    index: int,
    count: int,
    *,
    rng: random.Random | None = None,
) -> TakeOrder:
    """``count`` alternatives of shot ``index``, each with a seed none of its videos used.
    Blocking (a chained shot's first frame is read from the keeper before it); TakeRefused."""
    if not 1 <= count <= MAX_TAKES:
        raise TakeRefused(f"--count {count}: make 1 to {MAX_TAKES} alternatives at a time")
    p = shot_plan(board, plans, index)
    shot = p.shot
    after: Job | None = None
    first: str | None = None
    if shot.chained:
        after = plans[index - 2].keeper
        if after is None:
            raise TakeRefused(
                f"shot {index} starts on shot {index - 1}'s last frame, and shot {index - 1} "
                "has no saved video yet; run the storyboard first"
            )
        first = str(last_frame_of(after))
    used = {shot.seed} | {j.params.get("seed") for j in p.earlier if j.params}
    pick = rng or random.SystemRandom()
    seeds: list[int] = []
    while len(seeds) < count:
        seed = pick.randint(1, SEED_MAX)
        if seed not in used:
            used.add(seed)
            seeds.append(seed)
    base = shot.video_input(board.fps, first)
    return TakeOrder(board, shot, [replace(base, seed=s) for s in seeds], after)


async def submit_takes(engine: Engine, order: TakeOrder) -> list[Job]:
    """Write the takes' job rows (queued; the caller drives them). The takes share their
    images, and the first take's are read before its row is written: an unreadable image is a
    ValidationError with no row written (unless the file changes between two takes' reads)."""
    after = order.after.id if order.after is not None else None
    story = {**story_plan.origin(order.board, order.shot, after), story_plan.TAKE: True}
    jobs = []
    for fields in order.inputs:
        meta = JobMeta(extra={story_plan.STORY_KEY: dict(story)})  # a record of its own
        jobs.append(await make_shot_job(engine, fields, order.board.folder, meta))
    return jobs


async def drive_takes(
    engine: Engine, jobs: list[Job], *, notice: Callable[[str], None] | None = None
) -> list[Job]:
    """Drive the takes to their end, together (the throttle bounds them); their final rows."""
    from jimeng_tui.jobs.follow import drive_or_follow

    async def one(job: Job) -> Job:
        assert job.id is not None
        return await drive_or_follow(engine.runner, job.id, notice=notice)

    return list(await asyncio.gather(*(one(j) for j in jobs)))


def keep_take(
    history: History, board: Storyboard, plans: list[ShotPlan], index: int, job_id: int
) -> Kept:
    """Make saved job ``job_id`` shot ``index``'s keeper (a mark on its row). Blocking;
    TakeRefused when the job is not a saved video of this shot as the file has it now."""
    from jimeng_tui.story.plan import dependants, plan

    p = shot_plan(board, plans, index)
    job = next((j for j in p.takes if j.id == job_id), None)
    if job is None:
        listed = ", ".join(str(j.id) for j in p.takes) or "none yet"
        raise TakeRefused(
            f"job {job_id} is not a saved video of shot {index} as the file has it now "
            f"(its videos: {listed})"
        )
    fresh = history.get(job_id)
    if fresh is None or fresh.state is not JobState.SAVED:
        raise TakeRefused(f"job {job_id} is no longer a saved video in the history")
    story: dict[str, Any] = dict(story_plan.story_of(fresh) or {})
    story[story_plan.KEPT_AT] = time.time()
    before = plans[index - 2].keeper if p.shot.chained and index > 1 else None
    story[story_plan.KEPT_AFTER] = before.id if before is not None else None
    fresh.meta.extra[story_plan.STORY_KEY] = story
    history.save(fresh)
    earlier = history.find_meta(board.history_matches())
    replanned = plan(board, earlier)
    remake = [n for n in dependants(board, index) if replanned[n - 1].action is Action.RUN]
    return Kept(index, fresh, replanned, remake)


def take_label(job: Job, keeper: Job | None) -> str:
    """``job 7 · seed 1234 · ★ keeper`` (the takes list, the CLI)."""
    seed = (job.params or {}).get("seed")
    parts = [f"job {job.id}", f"seed {seed}" if seed not in (None, -1) else "seed random"]
    if story_plan.is_take(job):
        parts.append("re-take")
    if keeper is not None and keeper.id == job.id:
        parts.append("★ keeper")
    return " · ".join(parts)


__all__ = [
    "MAX_TAKES",
    "Kept",
    "TakeOrder",
    "TakeRefused",
    "drive_takes",
    "keep_take",
    "order_takes",
    "submit_takes",
    "take_label",
]
