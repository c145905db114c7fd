"""What each shot of a storyboard needs, given the jobs earlier runs left.

A shot's job carries ``meta.extra["story"]`` (:func:`origin`): the file's path and SHA-256, the
shot's number, its fingerprint and repeat number. A shot is matched to earlier jobs by
(fingerprint, repeat) — never by its place — so an edited shot, and every shot chained from it
(their fingerprints cover it), is made anew, and every other shot is reused. The rules are the
batch's: a saved shot is skipped, one still in flight is followed, one whose submit got no
answer (or whose task failed, unless ``retry_failed``) is never sent again
(``jobs.batch.decide``, one rule for both).

Re-takes (``takes.py``): a shot can have alternatives (other seeds), jobs marked ``take``; the
user's choice of keeper is a mark on that job (``kept_at``). A shot's keeper is the newest kept
job, else the newest saved job of its ordinary runs. A chained shot's job records the job it
started from (``after``): once the shot before has another keeper, a chained video made from
another take no longer counts (the chain follows the keeper), unless the user kept it after
that keeper was chosen (``kept_after``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.jobs.batch import Action, decide
from jimeng_tui.story.board import Shot, Storyboard

STORY_KEY = "story"  # the key in JobMeta.extra
TAKE, AFTER, KEPT_AT, KEPT_AFTER = "take", "after", "kept_at", "kept_after"


@dataclass
class ShotPlan:
    shot: Shot
    action: Action
    earlier: list[Job] = field(default_factory=list)  # this shot's jobs from earlier runs
    reason: str = ""
    changed: bool = False  # an earlier run had another version of this shot at its place
    keeper: Job | None = None  # the saved job the film uses (SKIP)
    takes: list[Job] = field(default_factory=list)  # every saved video of this shot, oldest first
    after_other_take: bool = False  # its video starts on a take the shot before no longer keeps

    @property
    def resume_jobs(self) -> list[Job]:
        if self.action is not Action.RESUME:
            return []
        return [j for j in self.earlier if not j.is_final and not is_take(j)]

    @property
    def saved(self) -> Job | None:
        return self.keeper


def origin(board: Storyboard, shot: Shot, after: int | None = None) -> dict[str, Any]:
    """What a shot's job records under ``meta.extra["story"]``; ``after``: the job whose last
    frame a chained shot starts on."""
    return {
        **({AFTER: after} if after is not None else {}),
        "path": str(board.path),
        "sha256": board.sha256,
        "title": board.title,
        "shot": shot.index,
        "fingerprint": shot.fingerprint,
        "repeat": shot.repeat,
    }


def story_of(job: Job) -> dict[str, Any] | None:
    value = job.meta.extra.get(STORY_KEY)
    return value if isinstance(value, dict) else None


def is_take(job: Job) -> bool:
    return bool((story_of(job) or {}).get(TAKE))


def kept_at(job: Job) -> float:
    value = (story_of(job) or {}).get(KEPT_AT)
    return float(value) if isinstance(value, int | float) else 0.0


def started_after(job: Job) -> int | None:
    """The job whose last frame this chained shot's job started on (None: not recorded)."""
    value = (story_of(job) or {}).get(AFTER)
    return value if isinstance(value, int) else None


def plan(
    board: Storyboard, jobs: list[Job], *, retry_failed: bool = False, again: bool = False
) -> list[ShotPlan]:
    """One decision per shot. ``jobs``: the history's jobs marked with this storyboard."""
    by_key: dict[tuple[str, int], list[Job]] = {}
    places: set[int] = set()
    for job in sorted(jobs, key=lambda j: j.id or 0):
        story = story_of(job)
        if story is None:
            continue
        key = (str(story.get("fingerprint", "")), int(story.get("repeat", 0) or 0))
        by_key.setdefault(key, []).append(job)
        if story.get("path") == str(board.path) and isinstance(story.get("shot"), int):
            places.add(story["shot"])
    plans: list[ShotPlan] = []
    for shot in board.shots:
        found = by_key.get((shot.fingerprint, shot.repeat), [])
        before = plans[-1].keeper if shot.chained and plans else None
        decided = _decide(shot, found, retry_failed, again, before)
        decided.changed = not found and shot.index in places
        plans.append(decided)
    return plans


def _decide(
    shot: Shot, jobs: list[Job], retry_failed: bool, again: bool, before: Job | None
) -> ShotPlan:
    def follows(job: Job) -> bool:
        """Made from the keeper of the shot before (or not chained, or not recorded)."""
        if before is None or before.id is None:
            return True
        story = story_of(job) or {}
        return started_after(job) in (None, before.id) or story.get(KEPT_AFTER) == before.id

    saved = [j for j in jobs if j.state is JobState.SAVED]
    kept = sorted((j for j in saved if kept_at(j) and follows(j)), key=kept_at)
    # the ordinary runs' jobs decide (takes are alternatives, never what a run resumes)
    ordinary = [j for j in jobs if not is_take(j) and (j.state is not JobState.SAVED or follows(j))]
    if kept and not again:
        p = ShotPlan(shot, Action.SKIP, jobs, "", keeper=kept[-1], takes=saved)
        return p
    action, reason = decide(ordinary, retry_failed=retry_failed, again=again)
    done = [j for j in ordinary if j.state is JobState.SAVED]
    keeper = done[-1] if action is Action.SKIP and done else None
    p = ShotPlan(shot, action, jobs, reason, keeper=keeper, takes=saved)
    p.after_other_take = action is Action.RUN and any(not follows(j) for j in saved)
    return p


def dependants(board: Storyboard, index: int) -> list[int]:
    """The shots chained (directly or not) from shot ``index``."""
    out: list[int] = []
    current = index
    for shot in board.shots[index:]:
        if shot.chained and shot.index == current + 1:
            out.append(shot.index)
            current = shot.index
        else:
            break
    return out


__all__ = [
    "Action",
    "ShotPlan",
    "dependants",
    "is_take",
    "kept_at",
    "origin",
    "plan",
    "started_after",
    "story_of",
]
