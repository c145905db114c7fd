"""``story run FILE --dry-run`` and ``story status FILE``: the plan against the history.

The dry run says what a run would do with each shot (submit, reuse, follow, not send again),
which shots are made again and why, and the estimate of what it would send when prices are
known; ``status`` says what each shot has: its keeper, its takes, and the film of the keepers.
Neither sends nor writes anything. ``--json``: one JSON object.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from jimeng_tui.cli.errors import EXIT_OK
from jimeng_tui.cli.file_runs import earlier_jobs as earlier_file_jobs
from jimeng_tui.cli.file_runs import retry_failed
from jimeng_tui.cli.story_json import job_json
from jimeng_tui.cli.text import printable
from jimeng_tui.domain.job import Job
from jimeng_tui.jobs.display import excerpt
from jimeng_tui.story.board import CHAINED_STAND_IN, Shot, Storyboard
from jimeng_tui.story.plan import Action, ShotPlan, plan

VERBS = {
    Action.RUN: "would submit",
    Action.RESUME: "would follow its running job",
    Action.SKIP: "already saved",
    Action.BLOCKED: "would not send",
}


def describe(shot: Shot) -> str:
    start = {"previous": "from the previous shot", "none": "text only"}.get(
        shot.start, f"from {shot.start}"
    )
    parts = [shot.model, f"{shot.length} s", start]
    if shot.end_image:
        parts.append(f"ends on {shot.end_image}")
    parts.append(json.dumps(excerpt(shot.prompt, 50), ensure_ascii=False))
    return " · ".join(parts)


def earlier_jobs(ns: argparse.Namespace, board: Storyboard) -> list[Job]:
    return earlier_file_jobs(ns, board.history_matches())


def why_again(p: ShotPlan, plans: list[ShotPlan]) -> str:
    """Why a shot that was made before is made again ("" when it is not, or is new)."""
    if p.action is not Action.RUN:
        return ""
    before = plans[p.shot.index - 2] if p.shot.index > 1 else None
    if (
        p.shot.chained
        and before is not None
        and before.action is Action.RUN
        and (before.changed or why_again(before, plans))
    ):
        return f"made again: it starts from shot {before.shot.index}, which is made again"
    if p.after_other_take:
        return f"made again: it starts from shot {p.shot.index - 1}'s new keeper"
    if p.changed:
        return "changed since the last run"
    return ""


def _film_of_keepers(ns: argparse.Namespace, board: Storyboard, plans: list[ShotPlan]) -> Path:
    from jimeng_tui.session.config import load_config
    from jimeng_tui.store.paths import app_paths
    from jimeng_tui.story.film import film_path

    keepers = [p.keeper for p in plans if p.keeper is not None]
    if ns.output_dir:  # where `story run --output-dir DIR` saves the film
        return film_path(board, keepers, Path(ns.output_dir).expanduser().absolute())
    paths = app_paths()  # else where the engine saves (session.Session.place)
    configured = load_config(paths).config.defaults.output_dir
    folder = Path(configured).expanduser() if configured else paths.videos_dir
    return film_path(board, keepers, folder / "sandbox" if ns.sandbox else folder)


def report(ns: argparse.Namespace, board: Storyboard, *, dry: bool) -> int:
    from jimeng_tui.cli.cost import BatchCosts, estimate_json
    from jimeng_tui.cli.output import print_json
    from jimeng_tui.jobs.request_builder import build_request

    again = bool(getattr(ns, "again", False))
    plans = plan(board, earlier_jobs(ns, board), retry_failed=retry_failed(ns), again=again)
    costs = BatchCosts()
    counts: dict[Action, int] = {}
    regenerate: list[int] = []
    shots: list[dict[str, Any]] = []
    lines: list[str] = []
    for p in plans:
        shot = p.shot
        counts[p.action] = counts.get(p.action, 0) + 1
        why = why_again(p, plans)
        if why:
            regenerate.append(shot.index)
        est = None
        if p.action is Action.RUN:
            stand_in = str(board.folder / CHAINED_STAND_IN) if shot.chained else None
            fields = shot.video_input(board.fps, stand_in)
            est = costs.add(build_request(fields, base_dir=board.folder))
        shots.append(
            {
                "shot": shot.index,
                "action": str(p.action),
                "regenerate": bool(why),
                "why": why or None,
                "reason": p.reason or None,
                "model": shot.model,
                "length_s": shot.length,
                "from": shot.start,
                "prompt": shot.prompt,
                "keeper": job_json(p.keeper),
                "takes": [j.id for j in p.takes],
                "estimate": estimate_json(est) if est is not None else None,
            }
        )
        if dry:
            verb = VERBS[p.action] + (f" ({why})" if why else "")
        elif p.keeper is not None:
            verb = "saved"
        else:
            verb = VERBS[p.action].replace("would ", "to ")
        lines.append(f"shot {shot.index}: {verb}: {describe(shot)}")
        if p.reason:
            lines.append(f"  {p.reason}")
        if p.keeper is not None:
            lines.append(f"  {'reused' if dry else 'video'}: job {p.keeper.id}, {p.keeper.path}")
        if len(p.takes) > 1:
            from jimeng_tui.story.takes import take_label

            listed = "; ".join(take_label(j, p.keeper) for j in p.takes)
            lines.append(f"  {len(p.takes)} takes: {listed}")
        if est is not None:
            lines.append(costs.line_text(est))
    seconds = sum(s.length for s in board.shots)
    film: dict[str, Any] | None = None
    if all(p.keeper is not None for p in plans):
        path = _film_of_keepers(ns, board, plans)
        film = {"path": str(path), "joined": path.is_file()}
    data = {
        "storyboard": str(board.path),
        "title": board.title,
        "sha256": board.sha256,
        "dry_run": dry,
        "shots": shots,
        "submit": counts.get(Action.RUN, 0),
        "reuse": counts.get(Action.SKIP, 0),
        "follow": counts.get(Action.RESUME, 0),
        "blocked": counts.get(Action.BLOCKED, 0),
        "regenerate": regenerate,
        "estimate": costs.total_json(),
        "length_s": seconds,
        "film": film,
        "exit_code": EXIT_OK,
    }
    if ns.json:
        print_json(data)
        return EXIT_OK
    print(printable(f"storyboard {board.path}: {board.title!r}, {len(plans)} shots"))
    for line in lines:
        print(printable(line))
    if dry:
        changed = f" (regenerated: shot {', '.join(map(str, regenerate))})" if regenerate else ""
        if costs.lines:
            print(printable(costs.total_text(ns, ("shot to submit", "shots to submit"))))
        print(
            f"dry run: {data['submit']} would be submitted{changed}, {data['reuse']} reused, "
            f"{data['follow']} followed, {data['blocked']} not sent again; then joined into one "
            f"film of about {seconds} s; nothing was sent"
        )
    elif film is not None:
        word = "joined" if film["joined"] else "not joined yet (story run joins it, sends nothing)"
        print(printable(f"film of the keepers: {film['path']}: {word}"))
    else:
        missing = [str(p.shot.index) for p in plans if p.keeper is None]
        print(f"no film yet: shot {', '.join(missing)} has no video (story run FILE makes it)")
    return EXIT_OK


__all__ = ["describe", "report", "why_again"]
