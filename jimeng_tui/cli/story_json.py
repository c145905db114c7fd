"""``story … --json``: one JSON object per outcome (a run, a file with errors, a re-take, a keep).

The dry run and ``status`` build theirs in ``story_report.py``; an error no object was printed
for (a bad option, a missing file) becomes ``{"error": {…}}`` through ``cli.json_output``.
"""

from __future__ import annotations

from typing import Any

from jimeng_tui.cli.errors import EXIT_USAGE
from jimeng_tui.cli.output import print_json
from jimeng_tui.domain.job import Job
from jimeng_tui.story.board import Storyboard


def job_json(job: Job | None) -> dict[str, Any] | None:
    if job is None:
        return None
    return {
        "job_id": job.id,
        "task_id": job.task_id,
        "state": str(job.state),
        "video": job.path,
        "seed": (job.params or {}).get("seed"),
        "error": job.error_message,
    }


def board_errors_json(board: Storyboard) -> None:
    """A file whose shots have errors (exit 2, nothing sent): every error, with its shot."""
    print_json(
        {
            "error": {
                "field": board.errors[0].field if board.errors else None,
                "message": f"{board.path}: {len(board.errors)} error(s); nothing was submitted",
                "exit_code": EXIT_USAGE,
                "errors": [
                    {"shot": e.shot, "field": e.field, "message": e.message} for e in board.errors
                ],
            }
        }
    )


def run_json(
    board: Storyboard, results: dict[int, Any], film: Any, exit_code: int, message: str = ""
) -> None:
    """``story run --json``: each shot's outcome and job, and the film (None: not joined)."""
    shots = []
    for shot in board.shots:
        result = results.get(shot.index)
        shots.append(
            {
                "shot": shot.index,
                "outcome": result.outcome if result is not None else "not_started",
                "earlier": bool(result and result.earlier),
                "message": result.message if result is not None else None,
                "job": job_json(result.job if result is not None else None),
            }
        )
    print_json(
        {
            "storyboard": str(board.path),
            "title": board.title,
            "shots": shots,
            "film": None
            if film is None
            else {
                "path": str(film.path),
                "sidecar": str(film.sidecar),
                "frames": film.frames,
                "duration_s": round(film.duration_s, 4),
                "made_now": film.made_now,
            },
            "message": message or None,
            "exit_code": exit_code,
        }
    )


__all__ = ["board_errors_json", "job_json", "run_json"]
