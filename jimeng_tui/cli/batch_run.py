"""One run of a checked batch file (``jimeng-tui batch``): plan every line against the history,
then create, submit and drive the lines at once, and report each line and a summary.

Nothing here imports Textual; ``cli/batch.py`` checks the file and hands a run over.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jimeng_tui.cli.cost import apply_cost_flags
from jimeng_tui.cli.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, PROG
from jimeng_tui.cli.file_runs import retry_failed
from jimeng_tui.cli.hints import sandbox_flag
from jimeng_tui.cli.output import Progress, job_json, print_json_line
from jimeng_tui.cli.results import failure_advice, failure_headline
from jimeng_tui.cli.running import Session, run_jobs
from jimeng_tui.domain.errors import JimengError, ValidationError
from jimeng_tui.domain.events import JobNotice
from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.domain.meta import JobMeta
from jimeng_tui.jobs import batch as batchfile
from jimeng_tui.jobs.batch import Action, BatchFile, BatchLine, LinePlan
from jimeng_tui.jobs.display import clock
from jimeng_tui.jobs.output_target import check_output
from jimeng_tui.pricing import BudgetExceeded

if TYPE_CHECKING:
    from jimeng_tui.jobs.engine import Engine

# What became of a line. "running": its task was still on the service when the run was
# interrupted; "elsewhere": another jimeng-tui process is driving its job.
SAVED, FAILED, RUNNING, NOT_STARTED, ELSEWHERE = (
    "saved",
    "failed",
    "running",
    "not_started",
    "elsewhere",
)


@dataclass
class LineResult:
    line: BatchLine
    outcome: str
    job: Job | None = None
    earlier: bool = False  # the outcome comes from an earlier run of the file
    resumed: bool = False  # an earlier run's unfinished job was finished by this one
    message: str | None = None


class BatchProgress(Progress):
    """The status line counts jobs by state; a job's notices name its line."""

    WORD = "batch"  # what the status line calls the run

    def __init__(self, *, enabled: bool, quiet: bool):
        super().__init__(enabled=enabled, quiet=quiet)
        self.line_of: dict[int, BatchLine] = {}  # job id → its line
        self.started = time.time()

    def on_event(self, event: Any) -> None:
        if isinstance(event, JobNotice) and event.job_id in self.line_of:
            event = replace(event, text=f"line {self.line_of[event.job_id].number}: {event.text}")
        super().on_event(event)

    def line(self) -> str:
        counts: dict[str, int] = {}
        for job in self.jobs.values():
            label = str(job.state).replace("_", " ")
            counts[label] = counts.get(label, 0) + 1
        parts = [f"{n} {label}" for label, n in counts.items()]
        if self.throttle:
            parts.append(self.throttle)
        spinner = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"[self._frame % 10]
        return f"{spinner} {self.WORD} {clock(time.time() - self.started)}: " + " · ".join(parts)


@dataclass(eq=False)
class BatchRun:
    """One run of a checked file: plan against the history, then drive every line."""

    ns: argparse.Namespace
    batch: BatchFile
    output_dir: Path | None
    started: float
    results: dict[int, LineResult] = field(default_factory=dict)  # by line number
    jobs_of: dict[int, list[int]] = field(default_factory=dict)  # line → ids of jobs driven now
    line_of: dict[int, BatchLine] = field(default_factory=dict)  # job id → line (the progress's)
    announced: set[int] = field(default_factory=set)  # jobs whose task id was reported
    creating: BatchLine | None = None
    submitted: int = 0
    session: Session | None = None
    summary_printed: bool = False

    @property
    def progress(self) -> Progress:
        assert self.session is not None
        return self.session.progress

    @property
    def engine(self) -> Engine:
        assert self.session is not None and self.session.engine is not None
        return self.session.engine

    def run(self) -> int:
        return run_jobs(
            self.ns, self.body, interrupted=self.on_interrupt, progress_class=BatchProgress
        )

    # -- output --------------------------------------------------------------------------------

    def say(self, text: str) -> None:
        """A line for people: stdout, or stderr with --json (and nothing with --json --quiet)."""
        if self.ns.json and self.ns.quiet:
            return
        self.progress.echo(text, sys.stderr if self.ns.json else sys.stdout)

    def record(self, result: LineResult) -> None:
        self.results[result.line.number] = result
        n = result.line.number
        job = result.job
        if result.outcome == SAVED and job is not None:
            facts = ""
            if job.duration_s is not None and job.fps is not None:
                facts = f" ({job.duration_s:.3g} s, {job.fps:.3g} fps, {job.width}×{job.height})"
            before = " earlier" if result.earlier else ""
            self.say(f"line {n}: saved{before}: {job.path}{facts}")
        elif result.outcome == FAILED and job is None:
            self.say(f"line {n}: failed: {result.message}")
        elif result.outcome == FAILED and job is not None:
            self.say(f"line {n}: {failure_headline(job)}")
            if result.earlier:
                self.say(f"  in an earlier run; {result.message}")
            advice = failure_advice(job)
            if advice:
                self.say(f"  {advice}")
        elif result.outcome == ELSEWHERE:
            self.say(f"line {n}: left alone: {result.message}")
        if self.ns.json:
            print_json_line(self.line_json(result))

    def line_json(self, result: LineResult) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": "line",
            "line": result.line.number,
            "outcome": result.outcome,
            "earlier": result.earlier,
            "resumed": result.resumed,
            "message": result.message,
        }
        if result.job is not None:
            data.update(job_json(result.job))
        else:
            summary = result.line.built.summary
            data.update(
                prompt=summary.prompt,
                mode=summary.model,
                model=summary.model,
                parameters=dict(result.line.built.params),
            )
        return data

    # -- engine events ---------------------------------------------------------------------------

    def on_event(self, event: Any) -> None:
        job = getattr(event, "job", None)
        if not isinstance(job, Job) or job.id is None:
            return
        if job.id not in self.line_of and self.creating is not None:
            self.line_of[job.id] = self.creating
        line = self.line_of.get(job.id)
        if line is None or not job.task_id or job.id in self.announced:
            return
        self.announced.add(job.id)
        self.submitted += 1
        self.say(f"line {line.number}: submitted: task {job.task_id}")

    # -- the run ---------------------------------------------------------------------------------

    async def body(self, session: Session) -> int:
        self.session = session
        engine = session.engine
        assert engine is not None
        for service in sorted({line.built.service for line in self.batch.lines}):
            session.require_credentials(service)  # every service the file uses, before any line
        if self.output_dir is not None:
            engine.runner.settings.output_dir = self.output_dir
            engine.runner.settings.output_dir_source = "--output-dir"
        check_output(engine.runner.settings)  # before the first line is sent: exit 2
        apply_cost_flags(self.ns, engine, batch=True)  # --over-budget, --max-cost (issue 16)
        progress = session.progress
        assert isinstance(progress, BatchProgress)
        progress.line_of = self.line_of
        progress.add_listener(self.on_event)
        earlier = await asyncio.to_thread(engine.history.find_meta, self.batch.history_matches())
        plans = batchfile.plan(
            self.batch, earlier, retry_failed=retry_failed(self.ns), again=self.ns.again
        )
        self.announce(plans)
        tasks: list[asyncio.Task[None]] = []
        creating: asyncio.Task[Job | None] | None = None
        try:
            for p in plans:
                if p.action is Action.RESUME:
                    tasks.append(asyncio.create_task(self.drive_line(p, p.resume_jobs)))
                elif p.action is Action.RUN:
                    # shielded: Ctrl-C must not leave a row this run does not know about
                    creating = asyncio.create_task(self.create(p))
                    job = await asyncio.shield(creating)
                    if job is not None:
                        tasks.append(asyncio.create_task(self.drive_line(p, [job])))
            results = await asyncio.gather(*tasks, return_exceptions=True)
        except asyncio.CancelledError:
            if creating is not None:
                await asyncio.gather(creating, return_exceptions=True)
            for task in tasks:
                if not task.done() and not task.cancelling():
                    task.cancel()  # once: a second cancel would cut the runner's clean-up short
            await asyncio.gather(*tasks, return_exceptions=True)
            self.settle_interrupted(plans)
            self.summarise(plans, interrupted=True)
            raise
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return self.summarise(plans, interrupted=False)

    def announce(self, plans: list[LinePlan]) -> None:
        counts: dict[Action, int] = {}
        for p in plans:
            counts[p.action] = counts.get(p.action, 0) + 1
        if not self.ns.quiet:
            what = [f"{counts.get(Action.RUN, 0)} to submit"]
            if counts.get(Action.RESUME):
                what.append(f"{counts[Action.RESUME]} to resume")
            if counts.get(Action.SKIP):
                what.append(f"{counts[Action.SKIP]} saved before (skipped)")
            if counts.get(Action.BLOCKED):
                what.append(f"{counts[Action.BLOCKED]} not sent again")
            self.say(f"batch {self.batch.path}: {len(plans)} lines: " + ", ".join(what))
        for p in plans:
            n = p.line.number
            if p.action is Action.SKIP:
                self.record(LineResult(p.line, SAVED, p.latest, earlier=True))
            elif p.action is Action.BLOCKED:
                self.record(LineResult(p.line, FAILED, p.latest, earlier=True, message=p.reason))
            elif p.action is Action.RESUME:
                for job in p.resume_jobs:
                    assert job.id is not None
                    self.line_of[job.id] = p.line
                    self.jobs_of.setdefault(n, []).append(job.id)
                    if job.task_id:
                        self.announced.add(job.id)
                    self.progress.track(job)
                    where = f"task {job.task_id}, {job.state}" if job.task_id else str(job.state)
                    self.say(f"line {n}: resuming job {job.id} ({where}) from an earlier run")
            else:
                if p.reason:
                    self.progress.notice(f"line {n}: {p.reason}")
                elif p.line.repeat:
                    self.progress.notice(f"line {n}: the same request again (another generation)")
                for note in p.line.built.notes:
                    self.progress.notice(f"line {n}: {note}")

    async def create(self, p: LinePlan) -> Job | None:
        """The line's job row (marked with the batch) — before anything is sent."""
        engine = self.engine
        self.creating = p.line
        try:
            job = await engine.runner.create(
                p.line.built, meta=JobMeta(batch=p.line.origin(self.batch))
            )
        except BudgetExceeded as exc:  # a cap (issue 16): this line and the rest are not sent
            if not self.results or all(r.outcome != NOT_STARTED for r in self.results.values()):
                self.say(f"line {p.line.number}: not sent, nor any line after it: {exc.reason}")
            self.record(LineResult(p.line, NOT_STARTED, message=exc.reason))
            return None
        except ValidationError as exc:  # the file or an image changed since it was checked
            self.record(LineResult(p.line, FAILED, message=f"{exc} (nothing was sent)"))
            return None
        finally:
            self.creating = None
        assert job.id is not None
        self.line_of[job.id] = p.line
        self.jobs_of.setdefault(p.line.number, []).append(job.id)
        self.progress.track(job)
        return job

    async def drive_line(self, p: LinePlan, jobs: list[Job]) -> None:
        outcomes = await asyncio.gather(*(self.drive_one(j) for j in jobs))
        resumed = p.action is Action.RESUME
        saved = [j for j, o, _ in outcomes if o == SAVED]
        saved += [j for j in p.earlier if j.state is JobState.SAVED]
        if saved:
            self.record(LineResult(p.line, SAVED, saved[0], resumed=resumed))
            return
        for wanted in (ELSEWHERE, FAILED):
            found = [(j, m) for j, o, m in outcomes if o == wanted]
            if found:
                job, message = found[-1]
                self.record(LineResult(p.line, wanted, job, resumed=resumed, message=message))
                return

    async def drive_one(self, job: Job) -> tuple[Job, str, str | None]:
        from jimeng_tui.jobs.runner import ClaimedElsewhere

        engine = self.engine
        assert job.id is not None
        try:
            final = await engine.runner.drive(job.id)
        except ClaimedElsewhere as exc:
            return job, ELSEWHERE, str(exc)
        except JimengError as exc:
            return engine.history.get(job.id) or job, FAILED, str(exc)
        return final, (SAVED if final.state is JobState.SAVED else FAILED), None

    def settle_interrupted(self, plans: list[LinePlan]) -> None:
        """After Ctrl-C: a job still queued was never sent — its row goes, the line counts as
        not started; a job with a task stays in the history for the next run to resume."""
        engine = self.engine
        for p in plans:
            n = p.line.number
            if n in self.results:
                continue
            jobs = [engine.history.get(i) for i in self.jobs_of.get(n, [])]
            live = [j for j in jobs if j is not None]
            for job in live:
                if job.state in (JobState.QUEUED, JobState.DRAFT) and job.id is not None:
                    engine.history.delete(job.id)
            live = [j for j in live if j.state not in (JobState.QUEUED, JobState.DRAFT)]
            saved = [j for j in live if j.state is JobState.SAVED]
            resumed = p.action is Action.RESUME
            if saved:
                result = LineResult(p.line, SAVED, saved[-1], resumed=resumed)
            elif any(not j.is_final for j in live):
                job = [j for j in live if not j.is_final][-1]
                result = LineResult(p.line, RUNNING, job, resumed=resumed)
            elif live:
                result = LineResult(p.line, FAILED, live[-1], resumed=resumed)
            else:
                result = LineResult(p.line, NOT_STARTED, resumed=resumed)
            self.results[n] = result
            if self.ns.json:
                print_json_line(self.line_json(result))

    def summarise(self, plans: list[LinePlan], *, interrupted: bool) -> int:
        self.summary_printed = True
        results = [self.results[p.line.number] for p in plans if p.line.number in self.results]
        by: dict[str, list[int]] = {}
        for r in results:
            by.setdefault(r.outcome, []).append(r.line.number)
        count = {k: len(by.get(k, [])) for k in (SAVED, FAILED, RUNNING, NOT_STARTED, ELSEWHERE)}
        elapsed = time.monotonic() - self.started
        unsaved = [r for r in results if r.outcome != SAVED]
        code = EXIT_INTERRUPTED if interrupted else EXIT_FAILED if unsaved else EXIT_OK
        skipped = sum(1 for p in plans if p.action is Action.SKIP)
        resumed = sum(1 for p in plans if p.action is Action.RESUME)
        if self.ns.json:
            print_json_line(
                {
                    "type": "summary",
                    "file": str(self.batch.path),
                    "sha256": self.batch.sha256,
                    "lines": len(plans),
                    **count,
                    "skipped": skipped,
                    "resumed": resumed,
                    "submitted": self.submitted,
                    "failed_lines": by.get(FAILED, []),
                    "elapsed_s": round(elapsed, 3),
                    "interrupted": interrupted,
                    "exit_code": code,
                }
            )
        parts = [f"{count[SAVED]} saved", f"{count[FAILED]} failed"]
        if by.get(FAILED):
            parts[-1] += f" (line{'s' if count[FAILED] > 1 else ''} {_lines(by[FAILED])})"
        if count[RUNNING]:
            parts.append(f"{count[RUNNING]} still running on the service")
        if count[ELSEWHERE]:
            parts.append(f"{count[ELSEWHERE]} run by another process")
        parts.append(f"{count[NOT_STARTED]} not started")
        extra = []
        if skipped:
            extra.append(f"{skipped} saved by an earlier run")
        if resumed:
            extra.append(f"{resumed} resumed")
        extra.append(f"{self.submitted} submitted now")
        head = "interrupted after" if interrupted else "finished in"
        if skipped == len(plans):
            self.say(f"nothing to do: all {skipped} lines were saved by an earlier run")
        else:
            self.say(
                f"{head} {clock(elapsed)}: {len(plans)} lines: {', '.join(parts)} "
                f"({', '.join(extra)})"
            )
        if not interrupted and unsaved:
            shown = unsaved[: batchfile.MAX_REPORTED_ERRORS]
            listed = ", ".join(f"{r.line.number} ({_outcome_word(r)})" for r in shown)
            print(
                f"{PROG}: error: {len(unsaved)} of {len(plans)} lines have no video: line {listed}",
                file=sys.stderr,
            )
        return code

    def on_interrupt(self, session: Session) -> int:
        running = [r for r in self.results.values() if r.outcome == RUNNING]
        not_started = [r for r in self.results.values() if r.outcome == NOT_STARTED]
        if not self.summary_printed:
            print(f"{PROG}: interrupted before any line was submitted", file=sys.stderr)
            return EXIT_INTERRUPTED
        lines = []
        if running:
            lines.append(f"{len(running)} line(s) still running on the service stay in the history")
        if not_started:
            lines.append(f"{len(not_started)} line(s) were not started (nothing was sent)")
        what = "; ".join(lines) if lines else "nothing is left unfinished"
        print(
            f"{PROG}: interrupted; {what}. Run the same command again to finish the batch: "
            "lines already saved are skipped, running tasks are resumed, nothing is sent twice"
            + (
                f" (or `{PROG} resume{sandbox_flag(self.ns)}` for the running tasks)"
                if running
                else ""
            ),
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED


def _lines(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:20])
    return shown + (f" and {len(numbers) - 20} more" if len(numbers) > 20 else "")


def _outcome_word(result: LineResult) -> str:
    if result.outcome == FAILED and result.job is not None:
        if result.job.error_code is not None:
            return f"{result.job.state} {result.job.error_code}"
        return str(result.job.state)
    return result.outcome.replace("_", " ")
