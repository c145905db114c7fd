"""The Storyboard screen: load a storyboard file, see what each shot would do, run it.

The same rules as ``jimeng-tui story run`` (``jimeng_tui/story``): every shot is checked before
anything is sent; a run asks first when it would submit a shot (no single key spends money);
saved shots are reused and the film is joined when every shot is saved. Each shot is an ordinary
job, so it also shows in the studio's queue and in History.

Re-takes (``t`` on a shot): alternatives with other seeds, after asking how many and the paid
confirmation; Enter on a shot shows its videos side by side, and keeping one rebuilds the film
from the keepers (a shot chained from it is made again from the new keeper's last frame only
after a paid confirmation). The rules are ``jimeng_tui/story/takes.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from jimeng_tui.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from jimeng_tui.jobs.engine import Engine
    from jimeng_tui.story.board import Storyboard
    from jimeng_tui.story.plan import ShotPlan
    from jimeng_tui.story.run import StoryRun

PLAN_WORDS = {
    "run": "to submit",
    "resume": "following",
    "skip": "saved before",
    "blocked": "not sent again",
}
REFRESH_S = 0.3


class StoryboardScreen(Screen[None]):
    HELP_TITLE = "Storyboard"
    BINDINGS: ClassVar[list[Any]] = [
        Binding("escape", "close", "Back", id="story.close"),
        Binding("ctrl+r", "run_story", "Run…", id="story.run"),
        Binding("t", "retake", "Re-take…", id="story.retake"),
        Binding("enter", "takes", "Takes", id="story.takes", show=True),
    ]
    DEFAULT_CSS = """
    StoryboardScreen { layout: vertical; }
    #story-title { padding: 0 1; text-style: bold; }
    #story-path { margin: 0 1; }
    #story-shots { height: 1fr; margin: 0 1; }
    #story-summary { padding: 0 1; height: auto; max-height: 8; }
    """

    def __init__(self, engine: Engine, path: Path | None = None) -> None:
        super().__init__()
        self.engine = engine
        self.initial_path = path
        self.board: Storyboard | None = None
        self.plans: list[ShotPlan] = []
        self.run_state: StoryRun | None = None
        self.running = False
        self.taking: dict[int, list[int]] = {}  # shot → the re-takes being made (job ids)

    def compose(self) -> ComposeResult:
        yield Static("Storyboard", id="story-title")
        yield Input(
            value=str(self.initial_path or ""),
            placeholder="a storyboard file (.toml); Enter loads it",
            id="story-path",
        )
        table: DataTable[str] = DataTable(id="story-shots", cursor_type="row", zebra_stripes=True)
        for label in ("Shot", "Starts", "Model", "Length", "Status", "Prompt"):
            table.add_column(label, key=label.lower())
        yield table
        yield Static(
            "Load a storyboard: its shots and what each would do are shown here.",
            id="story-summary",
        )
        yield KeyFooter()

    def on_mount(self) -> None:
        if self.initial_path is not None:
            self.load(str(self.initial_path))
        else:
            self.query_one("#story-path", Input).focus()

    # ------------------------------------------------------------------ loading
    @on(Input.Submitted, "#story-path")
    def _path_given(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.load(event.value.strip())

    def say(self, text: str) -> None:
        self.query_one("#story-summary", Static).update(text)

    @work(exclusive=True, group="story-load", exit_on_error=False)
    async def load(self, value: str) -> None:
        from jimeng_tui.story.board import BoardFileError, read_board

        if self.running:
            self.notify("The storyboard is running; wait for it to end.", severity="warning")
            return
        try:
            board = await asyncio.to_thread(read_board, Path(value).expanduser())
        except BoardFileError as exc:
            self.board, self.plans = None, []
            self._fill()
            self.say(f"[b red]Cannot use this file:[/] {exc}")
            return
        self.board = board
        self.query_one("#story-title", Static).update(f"Storyboard: {board.title}")
        if board.errors:
            self.plans = []
            self._fill()
            listed = "\n".join(f"  {e}" for e in board.errors[:6])
            self.say(f"[b red]{len(board.errors)} error(s); nothing can be sent:[/]\n{listed}")
            return
        await self._replan()
        self._fill()
        self.query_one("#story-shots", DataTable).focus()
        self.say(self._plan_summary())

    async def _replan(self) -> None:
        from jimeng_tui.story.plan import plan

        board = self.board
        assert board is not None
        earlier = await asyncio.to_thread(self.engine.history.find_meta, board.history_matches())
        self.plans = plan(board, earlier, retry_failed=self.engine.is_sandbox)

    def _plan_summary(self) -> str:
        counts: dict[str, int] = {}
        for p in self.plans:
            counts[str(p.action)] = counts.get(str(p.action), 0) + 1
        seconds = sum(p.shot.length for p in self.plans)
        return (
            f"{len(self.plans)} shots, about {seconds} s: {counts.get('run', 0)} to submit, "
            f"{counts.get('skip', 0)} saved before, {counts.get('resume', 0)} to follow, "
            f"{counts.get('blocked', 0)} not sent again. Ctrl+R runs it (asks first); "
            "t re-takes the shot under the cursor, Enter shows its takes."
        )

    def _status(self, p: ShotPlan) -> str:
        run = self.run_state
        n = p.shot.index
        if run is not None:
            if n in run.results:
                return run.results[n].outcome.replace("_", " ")
            for job_id, shot in run.shot_of.items():
                if shot.index == n:
                    job = self.engine.history.get(job_id)
                    if job is not None:
                        return str(job.state).replace("_", " ")
        taking = self.taking.get(n)
        if taking:
            jobs = [self.engine.history.get(i) for i in taking]
            done = sum(1 for j in jobs if j is not None and j.state == "saved")
            return f"re-takes {done}/{len(taking)} saved"
        word = PLAN_WORDS[str(p.action)]
        if p.after_other_take:
            return f"{word} (new keeper before)"
        if len(p.takes) > 1:
            word += f" · {len(p.takes)} takes"
        return f"{word} (changed)" if p.changed else word

    def _fill(self) -> None:
        table: DataTable[str] = self.query_one("#story-shots", DataTable)
        table.clear()
        for p in self.plans:
            shot = p.shot
            start = {"previous": "previous shot", "none": "text"}.get(
                shot.start, Path(shot.start).name
            )
            table.add_row(
                str(shot.index),
                start,
                shot.model,
                f"{shot.length} s",
                self._status(p),
                shot.prompt.replace("\n", " ")[:60],
                key=str(shot.index),
            )

    def _refresh(self) -> None:
        """The Status column only (the cursor stays where it is)."""
        table: DataTable[str] = self.query_one("#story-shots", DataTable)
        for p in self.plans:
            table.update_cell(str(p.shot.index), "status", self._status(p), update_width=True)

    # ------------------------------------------------------------------ re-takes
    def _cursor_plan(self) -> ShotPlan | None:
        if self.board is None or not self.plans:
            self.notify("Load a storyboard without errors first.", severity="warning")
            return None
        row = self.query_one("#story-shots", DataTable).cursor_row
        return self.plans[row] if 0 <= row < len(self.plans) else None

    def action_retake(self) -> None:
        from jimeng_tui.story.takes import MAX_TAKES
        from jimeng_tui.tui.screens.story_takes import TakeCountScreen

        p = self._cursor_plan()
        if p is None:
            return
        if self.running or self.taking:
            self.notify("Wait for the run or the re-takes to end.", severity="warning")
            return
        n = p.shot.index
        start = (
            f"They start on the last frame of shot {n - 1}'s keeper, like the shot does. "
            if p.shot.chained
            else ""
        )
        text = (
            f"How many alternatives of shot {n} (1 to {MAX_TAKES})? Each is a new generation "
            f"with another seed. {start}You choose the keeper after. Enter: next (asks before "
            "sending), Esc: cancel."
        )

        def counted(count: int | None) -> None:
            if count:
                self._order_takes(n, count)

        self.app.push_screen(TakeCountScreen(n, text, MAX_TAKES), counted)

    @work(exclusive=True, group="story-takes", exit_on_error=False)
    async def _order_takes(self, index: int, count: int) -> None:
        from jimeng_tui.domain.errors import JimengError
        from jimeng_tui.story.takes import TakeRefused, order_takes
        from jimeng_tui.tui.screens.paid_guard import confirm_paid

        board = self.board
        assert board is not None
        try:
            order = await asyncio.to_thread(order_takes, board, self.plans, index, count)
            requests = order.requests()
        except (TakeRefused, JimengError) as exc:
            self.say(f"[b red]Shot {index}: no re-take:[/] {exc}")
            return
        seeds = ", ".join(map(str, order.seeds))
        confirm_paid(
            self.app,
            title=f"Re-take shot {index}",
            what=f"Make {count} alternative(s) of shot {index} (seeds {seeds}).",
            requests=requests,
            proceed=lambda: self._start(self._make_takes, order),
        )

    @work(exclusive=True, group="story-takes", exit_on_error=False)
    async def _make_takes(self, order: Any) -> None:
        from jimeng_tui.domain.errors import JimengError
        from jimeng_tui.story.takes import drive_takes, submit_takes
        from jimeng_tui.tui.engine_host import engine_call

        index = order.shot.index
        # busy from the first submit on: Ctrl+R, another re-take and Esc wait for it
        self.taking[index] = []
        ticker = self.set_interval(REFRESH_S, self._refresh)
        try:
            try:
                jobs = await engine_call(self.app, submit_takes(self.engine, order))
            except JimengError as exc:
                self.say(f"[b red]Shot {index}: nothing was sent:[/] {exc}")
                return
            self.taking[index] = [j.id for j in jobs if j.id is not None]
            self.say(f"Shot {index}: making {len(jobs)} re-take(s)…")
            finals = await engine_call(self.app, drive_takes(self.engine, jobs))
        finally:
            self.taking.pop(index, None)
            ticker.stop()
        await self._replan()
        self._refresh()
        saved = sum(1 for j in finals if j.state == "saved")
        self.say(
            f"Shot {index}: {saved} of {len(finals)} re-take(s) saved. Enter on the shot shows "
            "its takes side by side; keep one to rebuild the film from the keepers."
        )
        if saved:
            self._show_takes(self.plans[index - 1])

    @on(DataTable.RowSelected, "#story-shots")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_takes()

    def action_takes(self) -> None:
        p = self._cursor_plan()
        if p is None:
            return
        if not p.takes:
            self.notify(f"Shot {p.shot.index} has no saved video yet.", severity="warning")
            return
        self._show_takes(p)

    def _show_takes(self, p: ShotPlan) -> None:
        from jimeng_tui.tui.screens.story_takes import TakesScreen

        keeper = p.keeper.id if p.keeper is not None else None
        cache = self.engine.paths.cache_dir
        index = p.shot.index

        def keep(job_id: int) -> None:
            self._keep(index, job_id)

        self.app.push_screen(TakesScreen(index, p.takes, keeper, cache, keep))

    @work(exclusive=True, group="story-keep", exit_on_error=False)
    async def _keep(self, index: int, job_id: int) -> None:
        from jimeng_tui.story.takes import TakeRefused, keep_take

        board = self.board
        assert board is not None
        history = self.engine.history
        try:
            kept = await asyncio.to_thread(keep_take, history, board, self.plans, index, job_id)
        except TakeRefused as exc:
            self.say(f"[b red]Not kept:[/] {exc}")
            return
        await self._replan()
        self.run_state = None  # the statuses are the new plan's
        self._fill()
        self.query_one("#story-shots", DataTable).move_cursor(row=index - 1)
        if kept.remake:
            self._ask_remake(index, kept.remake)
            return
        others = self._run_requests()
        if others is None:
            return
        if others:  # keeping a take sends nothing: the shots still to make wait for Ctrl+R
            self.say(
                f"Shot {index}: job {job_id} is the keeper now. {len(others)} other shot(s) "
                "are still to be made: Ctrl+R makes them (it asks first) and joins the film."
            )
            return
        self.say(f"Shot {index}: job {job_id} is the keeper now; joining the film…")
        self.action_run_story()

    def _ask_remake(self, index: int, remake: list[int]) -> None:
        from jimeng_tui.tui.screens.paid_guard import confirm_paid

        board = self.board
        assert board is not None
        listed = ", ".join(map(str, remake))
        self.say(
            f"Shot {index} has a new keeper. Shot {listed} starts on its last frame and was made "
            "from the earlier take: the next run (Ctrl+R) makes it again from the new keeper, or "
            f"keep shot {remake[0]}'s old video (Enter on it) to leave it as it is."
        )
        requests = self._run_requests()
        if requests is None:
            return
        confirm_paid(
            self.app,
            title=f"Shot {index}: new keeper",
            what=(
                f"Shot {listed} starts on shot {index}'s last frame. Make it again from the new "
                "keeper's last frame, so the chain follows the keeper? Then the film is joined "
                "from the keepers. (Don't send: it stays to be made at the next run.)"
            ),
            requests=requests,
            proceed=lambda: self._start(self._run),
        )

    @staticmethod
    def _start(worker: Any, *args: Any) -> None:
        """Start a ``@work`` method from a callback that expects nothing back."""
        worker(*args)

    def _run_requests(self) -> list[Any] | None:
        """The requests the next run sends (None, said on screen, when one cannot be built)."""
        from jimeng_tui.domain.errors import JimengError
        from jimeng_tui.jobs.request_builder import build_request
        from jimeng_tui.story.board import CHAINED_STAND_IN

        board = self.board
        assert board is not None
        out = []
        try:
            for p in self.plans:
                if str(p.action) == "run":
                    stand_in = str(board.folder / CHAINED_STAND_IN) if p.shot.chained else None
                    fields = p.shot.video_input(board.fps, stand_in)
                    out.append(build_request(fields, base_dir=board.folder))
        except JimengError as exc:  # the plan was checked at load; a file may have gone since
            self.notify(f"Not run: {exc}", severity="error")
            return None
        return out

    # ------------------------------------------------------------------ running
    def action_run_story(self) -> None:
        from jimeng_tui.tui.screens.paid_guard import confirm_paid

        if self.running or self.taking:
            self.notify("The storyboard or a re-take is already running.")
            return
        if self.board is None or not self.plans:
            self.notify("Load a storyboard without errors first.", severity="warning")
            return
        requests = self._run_requests()
        if requests is None:
            return
        if not requests:
            self._run()  # every shot is saved: only the film is joined
            return
        confirm_paid(
            self.app,
            title="Run storyboard",
            what=(
                f"{len(requests)} shot(s) will be submitted. Saved shots are reused; the film is "
                "joined when every shot is saved."
            ),
            requests=requests,
            proceed=lambda: self._start(self._run),
        )

    @work(exclusive=True, group="story-run", exit_on_error=False)
    async def _run(self) -> None:
        from jimeng_tui.domain.errors import JimengError
        from jimeng_tui.story.checks import ShotRefused, preflight_board
        from jimeng_tui.story.film import make_film
        from jimeng_tui.story.run import SAVED, StoryRun
        from jimeng_tui.tui.engine_host import engine_call

        board = self.board
        assert board is not None
        self.running = True
        ticker = self.set_interval(REFRESH_S, self._refresh)
        try:
            try:
                await engine_call(self.app, preflight_board(self.engine, board))
            except ShotRefused as exc:
                self.say(f"[b red]{exc}[/]; nothing was submitted")
                return
            self.run_state = StoryRun(self.engine, board, self.plans)
            self.say("Running… shots that start from the previous one wait for it.")
            results = await engine_call(self.app, self.run_state.run())
            self._refresh()
            unsaved = [r for r in results.values() if r.outcome != SAVED or r.job is None]
            if unsaved:
                listed = ", ".join(str(r.shot.index) for r in unsaved)
                self.say(f"[b red]No video for shot {listed}[/]; nothing was joined.")
                return
            jobs = [results[s.index].job for s in board.shots]
            output = self.engine.runner.settings.output_dir
            self.say("Joining the shots…")
            try:
                film = await asyncio.to_thread(make_film, board, [j for j in jobs if j], output)
            except JimengError as exc:
                self.say(f"[b red]Joining failed:[/] {exc}")
                return
            self.say(
                f"[b]Film saved:[/] {film.path.name} ({film.frames} frames, "
                f"{film.duration_s:.2f} s); sidecar {film.sidecar.name}"
            )
        finally:
            ticker.stop()
            self.running = False
            with contextlib.suppress(Exception):  # the screen may be closing
                await self._replan()  # the keepers and takes as the run left them (t, Enter)

    def action_close(self) -> None:
        if self.running or self.taking:
            self.notify(
                "The storyboard or a re-take is running; wait for it to end (if you quit, jobs "
                "on the service resume at the next start and a new run reuses them).",
                severity="warning",
            )
            return
        self.dismiss(None)


__all__ = ["StoryboardScreen"]
