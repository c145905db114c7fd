"""``story status FILE``, ``story retake FILE SHOT [--count N]``, ``story keep FILE SHOT JOB_ID``.

A re-take makes alternatives of one shot with other seeds (each a paid generation, an ordinary
job tagged with its storyboard and marked as a take); ``keep`` makes one saved video the shot's
keeper (a mark on its history row), and the next ``story run`` joins the keepers, sending
nothing for a kept shot. The rules are in ``jimeng_tui/story/takes.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from jimeng_tui.cli.checks import check_output_dir
from jimeng_tui.cli.errors import EXIT_FAILED, EXIT_OK, PROG, UsageError
from jimeng_tui.cli.output import print_json
from jimeng_tui.cli.running import Session, run_jobs
from jimeng_tui.cli.story_json import job_json
from jimeng_tui.cli.story_report import report
from jimeng_tui.cli.story_run import StoryProgress, load_board, report_errors
from jimeng_tui.cli.text import printable
from jimeng_tui.story.board import Storyboard
from jimeng_tui.story.plan import plan


def _number(value: str, what: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise UsageError(f"{what} {value!r} is not a number") from None


def cmd_story_takes(ns: argparse.Namespace) -> int:
    wanted = {"status": 0, "retake": 1, "keep": 2}[ns.action]
    if len(ns.targets) != wanted:
        usage = {
            "status": "story status FILE",
            "retake": "story retake FILE SHOT [--count N]",
            "keep": "story keep FILE SHOT JOB_ID",
        }[ns.action]
        raise UsageError(f"usage: {PROG} {usage}")
    if ns.dry_run:
        raise UsageError(f"--dry-run is for story run; story {ns.action} shows nothing to send")
    for flag, given in (("--again", ns.again), ("--retry-failed", ns.retry_failed)):
        if given:  # they choose what a run sends again: status, keep and retake send no run
            raise UsageError(f"{flag} is for story run, not story {ns.action}")
    output_dir = check_output_dir(ns.output_dir)  # before anything opens or is sent
    board = load_board(ns.file)
    if board.errors:
        return report_errors(board, ns.json)
    if ns.action == "status":
        return report(ns, board, dry=False)
    shot = _number(ns.targets[0], "SHOT")
    if ns.action == "keep":
        return keep(ns, board, shot, _number(ns.targets[1], "JOB_ID"))
    return run_jobs(
        ns,
        lambda session: retake(ns, session, board, shot, output_dir),
        interrupted=_interrupted,
        progress_class=StoryProgress,
    )


def keep(ns: argparse.Namespace, board: Storyboard, index: int, job_id: int) -> int:
    from jimeng_tui.cli.file_runs import history_scope
    from jimeng_tui.store.history import History
    from jimeng_tui.story.takes import TakeRefused, keep_take

    db, _ = history_scope(ns)
    if not db.exists():
        raise UsageError(f"shot {index}: no video yet; run the storyboard first (story run FILE)")
    history = History(db)
    try:
        plans = plan(board, history.find_meta(board.history_matches()))
        kept = keep_take(history, board, plans, index, job_id)
    except TakeRefused as exc:
        raise UsageError(str(exc)) from None
    finally:
        history.close()
    file = board.path
    if kept.remake:
        remade = ", ".join(map(str, kept.remake))
        nxt = kept.remake[0]
        advice = (
            f"shot {remade} start(s) on shot {index}'s last frame and were made from another "
            f"take: `{PROG} story run {file}` makes shot {remade} again from the new keeper's "
            f"last frame ({_generations(len(kept.remake))}); to keep shot {nxt}'s video as "
            f"it is instead: `{PROG} story keep {file} {nxt} JOB_ID` (`story status` lists them)"
        )
    else:
        advice = f"`{PROG} story run {file}` joins the film from the keepers; nothing is sent"
    if ns.json:
        print_json(
            {
                "storyboard": str(file),
                "shot": index,
                "keeper": job_json(kept.job),
                "remake": kept.remake,
                "next": advice,
                "exit_code": EXIT_OK,
            }
        )
        return EXIT_OK
    print(printable(f"shot {index}: job {job_id} is the keeper now ({kept.job.path})"))
    print(printable(advice))
    return EXIT_OK


async def retake(
    ns: argparse.Namespace, session: Session, board: Storyboard, index: int, output_dir: Path | None
) -> int:
    from jimeng_tui.domain.errors import JimengError, ValidationError
    from jimeng_tui.domain.job import JobState
    from jimeng_tui.story.checks import ShotRefused, preflight_board
    from jimeng_tui.story.takes import TakeRefused, drive_takes, order_takes, submit_takes

    engine = session.engine
    assert engine is not None
    session.require_credentials()
    if output_dir is not None:
        engine.runner.settings.output_dir = output_dir
        engine.runner.settings.output_dir_source = "--output-dir"
    try:
        await preflight_board(engine, board)
    except ShotRefused as exc:
        raise UsageError(f"{board.path}: {exc}; nothing was submitted") from None
    earlier = await asyncio.to_thread(engine.history.find_meta, board.history_matches())
    plans = plan(board, earlier)
    try:
        order = await asyncio.to_thread(order_takes, board, plans, index, ns.count)
        jobs = await submit_takes(engine, order)
    except TakeRefused as exc:
        raise UsageError(str(exc)) from None
    except ValidationError as exc:
        raise UsageError(f"shot {index}: {exc}; nothing was submitted") from None
    say = _say(ns, session)
    seeds = ", ".join(map(str, order.seeds))
    say(f"shot {index}: {len(jobs)} re-take(s) with seeds {seeds}")
    try:
        finals = await drive_takes(engine, jobs, notice=say)
    except JimengError as exc:
        raise UsageError(str(exc)) from None
    saved = [j for j in finals if j.state is JobState.SAVED]
    keeper = plans[index - 1].keeper
    code = EXIT_OK if len(saved) == len(finals) else EXIT_FAILED
    hint = f"keep one: `{PROG} story keep {board.path} {index} JOB_ID`" + (
        f" (the keeper now: job {keeper.id})" if keeper is not None else ""
    )
    if ns.json:
        print_json(
            {
                "storyboard": str(board.path),
                "shot": index,
                "takes": [job_json(j) for j in finals],
                "keeper": job_json(keeper),
                "next": hint,
                "exit_code": code,
            }
        )
        return code
    for job in finals:
        seed = (job.params or {}).get("seed")
        where = job.path if job.state is JobState.SAVED else f"{job.state}: {job.error_message}"
        print(printable(f"shot {index}: take job {job.id} (seed {seed}): {where}"))
    print(printable(hint))
    return code


def _generations(n: int) -> str:
    return "1 paid generation" if n == 1 else f"{n} paid generations"


def _say(ns: argparse.Namespace, session: Session) -> Any:
    def say(text: str) -> None:
        if not ns.quiet:
            session.progress.echo(printable(text), sys.stderr)

    return say


def _interrupted(session: Session) -> int:
    print(
        f"{PROG}: interrupted; the re-takes on the service stay in the history (the studio and "
        "`jimeng-tui status` follow them); nothing is sent twice",
        file=sys.stderr,
    )
    return 130


__all__ = ["cmd_story_takes"]
