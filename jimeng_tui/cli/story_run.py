"""One ``jimeng-tui story run FILE``: check, plan against the history, run the shots, join.

The format and the rules live in ``jimeng_tui/story``; nothing here imports Textual.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from jimeng_tui.cli.batch_run import BatchProgress
from jimeng_tui.cli.errors import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    UsageError,
)
from jimeng_tui.cli.file_runs import output_dir_for, retry_failed, run_locked
from jimeng_tui.cli.running import Session, run_jobs
from jimeng_tui.cli.story_json import run_json
from jimeng_tui.cli.text import printable
from jimeng_tui.domain.events import JobNotice
from jimeng_tui.domain.job import Job
from jimeng_tui.jobs.display import clock
from jimeng_tui.story.board import BoardFileError, Storyboard, read_board
from jimeng_tui.story.plan import Action, plan

BUSY = (
    "another jimeng-tui is running this storyboard (pid {pid}); nothing was submitted. Wait for "
    "it to finish (two runs at once could pay for a shot twice)"
)


def load_board(value: str) -> Storyboard:
    try:
        return read_board(Path(value))
    except BoardFileError as exc:
        raise UsageError(str(exc)) from None


def report_errors(board: Storyboard, as_json: bool = False) -> int:
    if as_json:
        from jimeng_tui.cli.story_json import board_errors_json

        board_errors_json(board)
    print(
        f"{PROG}: error: {board.path}: {len(board.errors)} error(s); nothing was submitted",
        file=sys.stderr,
    )
    for error in board.errors[:50]:
        print(printable(f"  {error}"), file=sys.stderr)
    return EXIT_USAGE


def cmd_story_run(ns: argparse.Namespace) -> int:
    started = time.monotonic()
    output_dir = output_dir_for(ns, again="sends every shot")
    if ns.targets:
        raise UsageError(f"story run takes no SHOT ({' '.join(ns.targets)}); see story retake")
    board = load_board(ns.file)
    if board.errors:
        return report_errors(board, ns.json)
    if ns.dry_run:
        from jimeng_tui.cli.story_report import report

        return report(ns, board, dry=True)
    from jimeng_tui.jobs.batch import BatchFile

    identity = BatchFile(path=board.path, sha256=board.sha256, kind="story")
    run = StoryCommand(ns, board, output_dir, started).run
    return run_locked(ns, "locks/story", identity, run, BUSY)


class StoryProgress(BatchProgress):
    """The status line counts the shots' jobs by state; a job's notices name its shot."""

    WORD = "story"

    def __init__(self, *, enabled: bool, quiet: bool):
        super().__init__(enabled=enabled, quiet=quiet)
        self.run: Any = None  # the StoryRun, once it exists

    def on_event(self, event: Any) -> None:
        run = self.run
        if run is not None and isinstance(event, JobNotice):
            number = run.shot_number(event.job_id)
            if number is not None:
                event = replace(event, text=f"shot {number}: {event.text}")
        job = getattr(event, "job", None)
        if (
            run is not None
            and isinstance(job, Job)
            and job.id is not None
            and run.shot_number(job.id) is not None
        ):
            self.jobs[job.id] = job
        super().on_event(event)


class StoryCommand:
    def __init__(
        self, ns: argparse.Namespace, board: Storyboard, output_dir: Path | None, started: float
    ):
        self.ns = ns
        self.board = board
        self.output_dir = output_dir
        self.started = started
        self.announced: set[int] = set()
        self.run_state: Any = None
        self.session: Session | None = None

    def run(self) -> int:
        return run_jobs(
            self.ns, self.body, interrupted=self.on_interrupt, progress_class=StoryProgress
        )

    def say(self, text: str) -> None:
        if self.session is not None and not self.ns.quiet:
            self.session.progress.echo(printable(text), sys.stderr)

    def on_event(self, event: Any) -> None:
        job = getattr(event, "job", None)
        run = self.run_state
        if not isinstance(job, Job) or job.id is None or run is None or not job.task_id:
            return
        shot = run.shot_of.get(job.id)
        if shot is not None and job.id not in self.announced:
            self.announced.add(job.id)
            self.say(f"shot {shot.index}: submitted: task {job.task_id}")

    async def body(self, session: Session) -> int:
        from jimeng_tui.jobs.output_target import check_output
        from jimeng_tui.story.checks import ShotRefused, preflight_board
        from jimeng_tui.story.film import make_film
        from jimeng_tui.story.run import SAVED, StoryRun

        self.session = session
        engine = session.engine
        assert engine is not None
        session.require_credentials()
        if self.output_dir is not None:
            engine.runner.settings.output_dir = self.output_dir
            engine.runner.settings.output_dir_source = "--output-dir"
        check_output(engine.runner.settings)
        board = self.board
        try:
            await preflight_board(engine, board)
        except ShotRefused as exc:
            raise UsageError(f"{board.path}: {exc}; nothing was submitted") from None
        earlier = await asyncio.to_thread(engine.history.find_meta, board.history_matches())
        plans = plan(board, earlier, retry_failed=retry_failed(self.ns), again=self.ns.again)
        counts: dict[Action, int] = {}
        for p in plans:
            counts[p.action] = counts.get(p.action, 0) + 1
        self.say(
            f"storyboard {board.title!r}: {len(plans)} shots: {counts.get(Action.RUN, 0)} to "
            f"submit, {counts.get(Action.SKIP, 0)} saved before, {counts.get(Action.RESUME, 0)} "
            f"to follow, {counts.get(Action.BLOCKED, 0)} not sent again"
        )
        session.progress.add_listener(self.on_event)
        self.run_state = StoryRun(engine, board, plans, say=self.say)
        progress = session.progress
        assert isinstance(progress, StoryProgress)
        progress.run = self.run_state
        if progress.enabled:
            progress._start_ticker()
        results = await self.run_state.run()
        unsaved = [r for r in results.values() if r.outcome != SAVED or r.job is None]
        elapsed = clock(time.monotonic() - self.started)
        if unsaved:
            listed = ", ".join(f"{r.shot.index} ({_outcome_word(r)})" for r in unsaved)
            unknown = [r for r in unsaved if r.job is not None and r.job.state == "submit_unknown"]
            advice = (
                "a submit without an answer is never sent again: check the console for its "
                "task (`--again` sends every shot anew)"
                if unknown
                else "fix the cause and run the same command again (saved shots are reused)"
            )
            message = (
                f"{len(unsaved)} of {len(results)} shots have no video: shot {listed}; nothing "
                f"was joined; {advice}"
            )
            print(f"{PROG}: error: {message}", file=sys.stderr)
            if self.ns.json:
                run_json(board, results, None, EXIT_FAILED, message)
            return EXIT_FAILED
        jobs = [results[s.index].job for s in board.shots]
        output = engine.runner.settings.output_dir
        film = await asyncio.to_thread(make_film, board, [j for j in jobs if j], output)
        made = "joined" if film.made_now else "joined earlier"
        if self.ns.json:
            run_json(board, results, film, EXIT_OK)
            return EXIT_OK
        print(
            printable(
                f"film {made}: {film.path} ({film.frames} frames, {film.duration_s:.2f} s at "
                f"{board.fps} fps, {len(jobs)} shots); sidecar {film.sidecar}"
            )
        )
        self.say(f"finished in {elapsed}")
        return EXIT_OK

    def on_interrupt(self, session: Session) -> int:
        print(
            f"{PROG}: interrupted; shots on the service stay in the history. Run the same "
            "command again to finish the storyboard: saved shots are reused, running ones "
            "followed, nothing is sent twice",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED


def _outcome_word(result: Any) -> str:
    job = result.job
    if result.outcome == "failed" and job is not None:
        return str(job.state).replace("_", " ") + (f" {job.error_code}" if job.error_code else "")
    return str(result.outcome).replace("_", " ")


__all__ = ["cmd_story_run"]
