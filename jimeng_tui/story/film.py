"""The joined film of a storyboard run and its sidecar JSON.

The film's name carries a digest of the shots it joins (their jobs, the transitions), so a
re-run with the same saved shots finds the film it made before (and its sidecar) and makes
nothing, and a storyboard that changed gets a new film beside the old one: nothing already
saved is overwritten. Blocking: call through ``asyncio.to_thread``.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jimeng_tui.domain.job import Job
from jimeng_tui.jobs.media import temp_path
from jimeng_tui.jobs.naming import slugify
from jimeng_tui.story.board import CROSSFADE, Storyboard
from jimeng_tui.story.join import join_shots

SIDECAR_SUFFIX = ".json"


@dataclass(frozen=True)
class Film:
    path: Path
    sidecar: Path
    frames: int
    duration_s: float
    made_now: bool  # False: an earlier run made this very film


def film_path(board: Storyboard, jobs: list[Job], output_dir: Path) -> Path:
    identity = json.dumps(
        {
            "jobs": [j.id for j in jobs],
            "tasks": [j.task_id for j in jobs],  # job ids repeat across histories; tasks do not
            "transitions": [s.transition for s in board.shots],
            "fps": board.fps,
            "crossfade": board.crossfade_s,
        },
        sort_keys=True,
    )
    digest = hashlib.sha256(identity.encode()).hexdigest()[:10]
    return output_dir / f"story_{slugify(board.title, 40)}_{digest}.mp4"


def make_film(board: Storyboard, jobs: list[Job], output_dir: Path) -> Film:
    """Join the saved shots (one job per shot, in order); reuse the film an earlier run made."""
    dest = film_path(board, jobs, output_dir)
    sidecar = dest.with_name(dest.stem + SIDECAR_SUFFIX)
    earlier = _read(sidecar)
    if dest.is_file() and earlier is not None:
        return Film(dest, sidecar, int(earlier["frames"]), float(earlier["duration_s"]), False)
    joined = join_shots(
        [Path(j.path or "") for j in jobs],
        [s.transition for s in board.shots],
        dest,
        fps=board.fps,
        crossfade_s=board.crossfade_s,
    )
    data = {
        "title": board.title,
        "storyboard": str(board.path),
        "storyboard_sha256": board.sha256,
        "film": str(dest),
        "frames": joined.info.frames,
        "duration_s": round(joined.info.duration_s, 4),
        "fps": board.fps,
        "width": joined.info.width,
        "height": joined.info.height,
        "has_audio": joined.has_audio,
        "crossfade_s": board.crossfade_s,
        "shots": [_shot_entry(board, n, job) for n, job in enumerate(jobs)],
    }
    tmp = temp_path(sidecar)
    try:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, sidecar)
    finally:
        tmp.unlink(missing_ok=True)
    return Film(dest, sidecar, joined.info.frames, joined.info.duration_s, True)


def _shot_entry(board: Storyboard, n: int, job: Job) -> dict[str, Any]:
    shot = board.shots[n]
    last = n == len(board.shots) - 1
    return {
        "shot": shot.index,
        "prompt": shot.prompt,
        "from": shot.start,
        "end": shot.end,
        "model": job.mode,
        "job_id": job.id,
        "task_id": job.task_id,
        "video": job.path,
        "duration_s": job.duration_s,
        "transition_to_next": None if last else shot.transition,
        "crossfade_s": board.crossfade_s if shot.transition == CROSSFADE and not last else None,
        "usage_tokens": job.meta.usage_tokens,
        "cost": None,  # no price table yet: the tokens (Seedance) are what is billed
    }


def _read(sidecar: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or "frames" not in data or "duration_s" not in data:
        return None
    return data


__all__ = ["Film", "film_path", "make_film"]
