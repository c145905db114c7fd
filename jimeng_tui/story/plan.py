"""What each shot of a storyboard needs, given the jobs earlier runs left.

A shot's job carries ``meta.extra["story"]`` (:func:`origin`): the file's path and SHA-256, the
shot's number, its fingerprint and repeat number. A shot is matched to earlier jobs by
(fingerprint, repeat) — never by its place — so an edited shot, and every shot chained from it
(their fingerprints cover it), is made anew, and every other shot is reused. The rules are the
batch's: a saved shot is skipped, one still in flight is followed, one whose submit got no
answer (or whose task failed, unless ``retry_failed``) is never sent again
(``jobs.batch.decide``, one rule for both).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.jobs.batch import Action, decide
from jimeng_tui.story.board import Shot, Storyboard

STORY_KEY = "story"  # the key in JobMeta.extra


@dataclass
class ShotPlan:
    shot: Shot
    action: Action
    earlier: list[Job] = field(default_factory=list)  # this shot's jobs from earlier runs
    reason: str = ""
    changed: bool = False  # an earlier run had another version of this shot at its place

    @property
    def resume_jobs(self) -> list[Job]:
        return [j for j in self.earlier if not j.is_final] if self.action is Action.RESUME else []

    @property
    def saved(self) -> Job | None:
        done = [j for j in self.earlier if j.state is JobState.SAVED]
        return done[-1] if done else None


def origin(board: Storyboard, shot: Shot) -> dict[str, Any]:
    """What a shot's job records under ``meta.extra["story"]``."""
    return {
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
    plans = []
    for shot in board.shots:
        found = by_key.get((shot.fingerprint, shot.repeat), [])
        decided = _decide(shot, found, retry_failed, again)
        decided.changed = not found and shot.index in places
        plans.append(decided)
    return plans


def _decide(shot: Shot, jobs: list[Job], retry_failed: bool, again: bool) -> ShotPlan:
    action, reason = decide(jobs, retry_failed=retry_failed, again=again)
    return ShotPlan(shot, action, jobs, reason)


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


__all__ = ["Action", "ShotPlan", "dependants", "origin", "plan", "story_of"]
