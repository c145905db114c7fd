"""The Storyboard screen: load a storyboard file, see what each shot would do, run it.

The same rules as ``jimeng-tui story run`` (``jimeng_tui/story``): every shot is checked before
anything is sent; a run asks first when it would submit a shot (no single key spends money);
saved shots are reused and the film is joined when every shot is saved. Each shot is an ordinary
job, so it also shows in the studio's queue and in History.
"""

from __future__ import annotations

import asyncio
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
        from jimeng_tui.story.plan import plan

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
        earlier = await asyncio.to_thread(self.engine.history.find_meta, board.history_matches())
        self.plans = plan(board, earlier, retry_failed=self.engine.is_sandbox)
        self._fill()
        self.query_one("#story-shots", DataTable).focus()
        self.say(self._plan_summary())

    def _plan_summary(self) -> str:
        counts: dict[str, int] = {}
        for p in self.plans:
            counts[str(p.action)] = counts.get(str(p.action), 0) + 1
        seconds = sum(p.shot.length for p in self.plans)
        return (
            f"{len(self.plans)} shots, about {seconds} s: {counts.get('run', 0)} to submit, "
            f"{counts.get('skip', 0)} saved before, {counts.get('resume', 0)} to follow, "
            f"{counts.get('blocked', 0)} not sent again. Ctrl+R runs it (asks first)."
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
        word = PLAN_WORDS[str(p.action)]
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
            table.update_cell(str(p.shot.index), "status", self._status(p))

    # ------------------------------------------------------------------ running
    def action_run_story(self) -> None:
        from jimeng_tui.tui.screens.confirm import ConfirmScreen

        if self.running:
            self.notify("The storyboard is already running.")
            return
        if self.board is None or not self.plans:
            self.notify("Load a storyboard without errors first.", severity="warning")
            return
        paid = sum(1 for p in self.plans if str(p.action) == "run")
        if paid == 0:
            self._run()
            return
        cost = (
            "in the sandbox nothing is billed"
            if self.engine.is_sandbox
            else "each is a paid generation"
        )
        text = (
            f"{paid} shot(s) will be submitted ({cost}). Saved shots are reused; the film is "
            "joined when every shot is saved."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._run()

        self.app.push_screen(ConfirmScreen("Run storyboard", text, yes="Run"), answered)

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

    def action_close(self) -> None:
        if self.running:
            self.notify(
                "The storyboard is running; wait for it to end (if you quit, shots on the "
                "service resume at the next start and a new run reuses them).",
                severity="warning",
            )
            return
        self.dismiss(None)


__all__ = ["StoryboardScreen"]
