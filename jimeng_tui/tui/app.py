"""The interactive studio: ``jimeng-tui`` (live) and ``jimeng-tui --sandbox``.

The app is the controller: widgets show state and post intent; the app calls the engine. Each
job's lifecycle runs in a Textual worker (group "jobs") awaiting ``engine.runner.drive``; the
engine's events arrive through ``on_event`` and become Textual messages (thread-safe).
"""

from __future__ import annotations

import contextlib
import gc
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from jimeng_tui.domain.job import FINAL_STATES, Job, JobState
from jimeng_tui.tui.engine_bridge import post_event
from jimeng_tui.tui.job_board import JobBoard
from jimeng_tui.tui.job_view import JobViewMixin
from jimeng_tui.tui.messages import (
    BrowseRequested,
    DownloadProgressed,
    GenerateRequested,
    JobNoticed,
    JobUpdated,
    PosterReady,
    ThrottleUpdated,
)
from jimeng_tui.tui.palette import JimengCommands
from jimeng_tui.tui.screens.job_actions import JobActionsMixin
from jimeng_tui.tui.screens.main import MainScreen
from jimeng_tui.tui.screens.main_actions import PaidJobActionsMixin
from jimeng_tui.tui.screens.settings_flow import SettingsFlowMixin
from jimeng_tui.tui.studio_extras import StudioExtras
from jimeng_tui.tui.system import system_open

if TYPE_CHECKING:
    from jimeng_tui.jobs.engine import Engine
    from jimeng_tui.services.base import BuiltRequest

S = JobState
STARTED_AT = time.perf_counter()  # for the time-to-ready log line
ACTIVE = frozenset(S) - FINAL_STATES

EngineFactory = Callable[..., "Engine"]


def default_engine_factory(*, sandbox: Any = None, on_event: Callable[[Any], None]) -> Engine:
    from jimeng_tui.session import open_engine

    return open_engine(sandbox=sandbox, env=os.environ, on_event=on_event)


SCREENSHOT_DELAY_S = 0.3


class JimengApp(
    JobViewMixin, JobActionsMixin, SettingsFlowMixin, PaidJobActionsMixin, StudioExtras, App[int]
):
    """Prompt form, live job queue, job details, first-run and settings."""

    CSS_PATH = str(Path(__file__).with_name("app.tcss"))
    TITLE = "jimeng-tui"
    IS_STUDIO: ClassVar[bool] = True  # the palette's commands act on this app
    COMMANDS: ClassVar[set[Any]] = {*App.COMMANDS, JimengCommands}
    BINDINGS: ClassVar[list[Any]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("ctrl+c", "help_quit", show=False, system=True, id="help_quit"),
        Binding("f1,question_mark", "help", "Help", id="help", tooltip="Keys, modes, files"),
    ]

    def __init__(
        self,
        *,
        sandbox: bool = False,
        engine_factory: EngineFactory | None = None,
        clock: Callable[[], float] = time.time,
        opener: Callable[[Path], None] = system_open,
        start_engine: bool = True,
        bell_on_finish: bool = True,
        sandbox_options: Any = None,
        typeahead: str = "",
    ) -> None:
        super().__init__()
        from jimeng_tui.session.services import register_builtin

        register_builtin()  # the services' tables (cheap): error hints, modes, capabilities
        # Building the first screen allocates many objects; a cyclic collection in the middle
        # of it cost ~50 ms (a third of the start-up). Collection resumes after the first frame
        # (also when `jimeng-tui` paused it before importing Textual), as Textual itself
        # pauses it during smooth scrolling.
        self._gc_paused = True
        gc.disable()
        self.want_sandbox = sandbox
        self.typeahead = typeahead  # typed before the app took the terminal
        self._early_keys: list[events.Key] = []
        self._waiting_requests: list[BuiltRequest] = []
        self.engine_factory = engine_factory or default_engine_factory
        self.clock = clock
        self.opener = opener
        self.start_engine = start_engine
        self.bell_on_finish = bell_on_finish
        self.sandbox_options = sandbox_options
        self.engine: Engine | None = None
        self.sandbox_server: Any = None  # an embedded SandboxServer we started (and stop)
        self._reuse_sandbox: Any = None  # a sandbox given by the factory, kept across reopens
        self.board = JobBoard()  # the jobs on screen and what was heard about each
        self._typical_loaded: set[str] = set()
        self.ready_at: float | None = None
        self._pending_engine: Engine | None = None
        self._froze_heap = False
        self.engine_error: str | None = None

    # ------------------------------------------------------------------ startup
    def get_default_screen(self) -> Screen[Any]:
        try:
            size = (self.size.width, self.size.height)
        except Exception:
            size = None
        return MainScreen(clock=self.clock, size=size)

    @property
    def main(self) -> MainScreen:
        screen = self.screen_stack[0] if self.screen_stack else self.screen
        assert isinstance(screen, MainScreen)
        return screen

    @property
    def main_ready(self) -> bool:
        """False while starting up (until the job list is mounted) or shutting down (messages
        may still arrive then)."""
        if not self.screen_stack or not self.is_running or self._closing:
            return False
        screen = self.screen_stack[0]
        return (
            isinstance(screen, MainScreen)
            and screen.is_mounted
            and screen.is_attached
            and screen.panels_ready
        )

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick, name="clock")
        if self.start_engine:
            # The engine's imports (httpx, the service) run in a thread but hold the GIL:
            # started once the job list is painted, they no longer hold its painting up.
            self.call_after_refresh(lambda: self.main.when_panels_ready(self._boot_after_paint))

    async def on_event(self, event: events.Event) -> None:
        # Keys pressed before the first frame have nowhere to go yet (Textual drops them):
        # keep them, in order, and replay them on Ready.
        if self.ready_at is None and isinstance(event, events.Key):
            self._early_keys.append(event)
            return
        await super().on_event(event)

    def on_ready(self) -> None:
        self.ready_at = time.perf_counter()
        self._resume_gc(freeze=True)
        early, self._early_keys = self._early_keys, []
        if self.typeahead:  # typed before Textual had the terminal: it came first
            from jimeng_tui.tui.terminal_probe import key_events

            early[:0] = key_events(self.typeahead)
            self.typeahead = ""
        for key in early:
            self.post_message(key)
        self.log.info(f"first screen after {self.ready_at - STARTED_AT:.3f} s")

    def _boot_after_paint(self) -> None:
        self.call_after_refresh(self._boot)

    def _boot(self) -> None:
        self.open_engine(sandbox=self.want_sandbox)

    @work(thread=True, exclusive=True, group="engine", exit_on_error=False)
    def open_engine(self, *, sandbox: bool) -> None:
        """Start the embedded sandbox if asked, open the engine (in a thread), then show it."""
        # The API's modules load here, with the engine, not before the first frame.
        from jimeng_tui.domain.errors import JimengError

        server = None
        try:
            if sandbox:
                server = self._reuse_sandbox or self._start_sandbox()
            engine = self.engine_factory(sandbox=server, on_event=self._on_engine_event)
        except JimengError as exc:
            self.call_from_thread(self._engine_failed, str(exc))
            return
        self.call_from_thread(self._engine_ready, engine)

    def _start_sandbox(self) -> Any:
        if self.sandbox_server is not None:
            return self.sandbox_server
        from jimeng_tui.session import start_embedded_sandbox

        self.sandbox_server = start_embedded_sandbox(self.sandbox_options)
        return self.sandbox_server

    def _engine_failed(self, message: str) -> None:
        self.engine_error = message
        self.main.header.connection = "not connected"

        def done(_: bool | None) -> None:
            self.exit(2, message=message)

        from jimeng_tui.tui.screens.confirm import QuitNoticeScreen

        self.push_screen(QuitNoticeScreen("Cannot start", message), callback=done)

    def _engine_ready(self, engine: Engine) -> None:
        if not self.main.panels_ready:
            # The job list mounts a frame after the first screen: what the engine resumes
            # needs it, so the engine is handed over once it is there (and closed on the way
            # out if the app quits first).
            self._pending_engine = engine
            self.main.when_panels_ready(lambda: self._engine_ready(engine))
            return
        self._pending_engine = None
        self.engine = engine
        from jimeng_tui.store.config import mask_key

        config = engine.loaded.config
        self.main.header.set_engine(
            sandbox=engine.is_sandbox, access_key=mask_key(engine.access_key)
        )
        self.main.header.set_throttle(engine.runner.throttle_state)
        if config.keys:
            self.set_keymap(dict(config.keys))
        self.main.configure_form(config, sandbox=engine.is_sandbox)
        self.restore_form_once()  # the last form over the defaults (first start only)
        for warning in engine.loaded.warnings:
            self.notify(warning, title="Config", severity="warning", timeout=10)
        if not engine.is_sandbox and not (config.has_credentials or config.credentials.has_ark):
            self._first_run()
            return
        self._resume_jobs()

    def _resume_jobs(self) -> None:
        engine = self.engine
        if engine is None:
            return
        resumed = engine.runner.resumable()
        for job in resumed:
            self._show_job(job)
            self._drive(job.id)
        waiting, self._waiting_requests = self._waiting_requests, []
        for request in waiting:
            self._create_and_drive(request, from_form=True)
        if resumed:
            self.notify(
                f"Resuming {len(resumed)} unfinished job{'s' if len(resumed) != 1 else ''}.",
                title="Jobs",
            )

    # ------------------------------------------------------------------ first run / settings
    # ------------------------------------------------------------------ engine events
    def _on_engine_event(self, event: object) -> None:
        """Called by the engine (any thread): the event becomes a message, by its type."""
        post_event(self, event)

    @on(JobUpdated)
    def _job_updated(self, message: JobUpdated) -> None:
        if not self.main_ready:
            return
        self._show_job(message.job)

    @on(DownloadProgressed)
    def _download_progressed(self, message: DownloadProgressed) -> None:
        if not self.main_ready:
            return
        self.board.set_progress(message.job_id, message.received, message.total)
        main = self.main
        main.queue.set_progress(message.job_id, message.received, message.total)
        if main.details.job_id == message.job_id:
            main.details.set_progress(message.received, message.total)

    @on(JobNoticed)
    def _job_noticed(self, message: JobNoticed) -> None:
        if not self.main_ready:
            return
        self.board.add_notice(message.job_id, message.text)
        if self.main.details.job_id == message.job_id:
            self._refresh_details()

    @on(ThrottleUpdated)
    def _throttle_updated(self, message: ThrottleUpdated) -> None:
        if not self.main_ready:
            return
        self.main.header.set_throttle(message.state)

    # ------------------------------------------------------------------ details & posters
    def on_data_table_row_highlighted(self, event: Any) -> None:
        key = getattr(event.row_key, "value", None)
        if key is None or not self.main_ready:
            return
        self._detail(int(key))

    @on(PosterReady)
    def _poster_ready(self, message: PosterReady) -> None:
        if self.main_ready and message.image is not None:
            self.picture_ready(message)  # job_view.py

    # ------------------------------------------------------------------ generate
    def action_generate(self) -> None:
        if not isinstance(self.screen, MainScreen):
            return
        self.main.form.submit()

    @on(GenerateRequested)
    def _generate_requested(self, message: GenerateRequested) -> None:
        if self.engine is None:
            # Pressed while the engine opens (a second at most): run it once the engine is up.
            # One at most: pressing again because it seems stuck must not make a second job.
            if self._waiting_requests:
                self.notify("Still connecting… the job waiting will start once connected.")
                return
            self._waiting_requests.append(message.request)
            self.notify("Connecting… the job starts as soon as the engine is ready.")
            return
        self._create_and_drive(message.request, from_form=True)

    def start_job(self, request: BuiltRequest) -> None:
        """Create and run a job from outside the form (the history screen's re-run)."""
        self._create_and_drive(request, from_form=False)

    def load_request(self, request: BuiltRequest) -> None:
        """Put a request's parameters into the form, ready to edit."""
        self.main.load_request(request)

    def action_history(self) -> None:
        from jimeng_tui.tui.screens.history import HistoryScreen  # loaded on first use

        if self.engine is None:
            self.notify("Still connecting — try again in a moment.", severity="warning")
            return
        if isinstance(self.screen, HistoryScreen):
            return
        self.push_screen(HistoryScreen(self.engine, opener=self.opener))

    def _create_and_drive(self, request: BuiltRequest, *, from_form: bool) -> None:
        self.run_worker(
            self._create_job(request, from_form=from_form),
            name="create",
            group="jobs",
            exit_on_error=False,
        )

    async def _create_job(self, request: BuiltRequest, *, from_form: bool) -> Job | None:
        from jimeng_tui.domain.errors import JimengError, ValidationError
        from jimeng_tui.tui.budget_question import show_refusal

        engine = self.engine
        assert engine is not None
        try:
            job = await engine.runner.create(request)
        except ValidationError as exc:  # a service's ImageError is one too
            show_refusal(self, exc, request, from_form=from_form)  # past a cap: send anyway?
            return None
        except JimengError as exc:
            self.notify(str(exc), title="Cannot run", severity="error", timeout=10)
            return None
        self._show_job(job)
        assert job.id is not None
        self.focus_job(job.id)
        return await engine.runner.drive(job.id)

    def _drive(self, job_id: int | None) -> None:
        if job_id is None or self.engine is None:
            return
        self.run_worker(
            self.engine.runner.drive(job_id),
            name=f"job-{job_id}",
            group="jobs",
            exit_on_error=False,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is not WorkerState.ERROR:
            return
        error = worker.error
        if worker.group == "jobs":
            from jimeng_tui.domain.errors import JimengError

            text = str(error) if isinstance(error, JimengError) else repr(error)
            self.notify(text, title="Job error", severity="error", timeout=10)
        elif worker.group in ("engine", "engine-reopen"):
            self._engine_failed(str(error))

    # ------------------------------------------------------------------ file picker
    @on(BrowseRequested)
    def _browse(self, message: BrowseRequested) -> None:
        from jimeng_tui.tui.screens.file_picker import FilePickerScreen

        current = Path(message.current).expanduser() if message.current else Path.cwd()
        if not current.exists():
            current = Path.cwd()
        title = {"first_image": "First frame", "reference_images": "Reference image"}.get(
            message.field, "Last frame"
        )

        def chosen(value: str | None) -> None:
            if value:
                self.main.form.set_image(message.field, value)

        self.push_screen(FilePickerScreen(current, title=f"{title}: choose an image"), chosen)

    # ------------------------------------------------------------------ job actions
    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        # A moment later: from the palette, the screen behind it recomposes its footer after
        # the palette closes (taken at once, the picture had an empty footer).
        self.set_timer(SCREENSHOT_DELAY_S, self._save_screenshot)

    def _save_screenshot(self) -> None:
        folder = self.screenshots_folder()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = Path(self.save_screenshot(path=str(folder))).resolve()
        except OSError as exc:  # e.g. a folder it may not write to
            self.notify(f"Could not save the screenshot in {folder}: {exc}", severity="error")
            return
        self.notify(f"Screenshot saved to {path}", title="Screenshot", timeout=8)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        # Our own provider lists the app's actions; keep Textual's theme/keys commands.
        for command in super().get_system_commands(screen):
            if command.title not in ("Quit", "Screenshot"):
                yield command

    # ------------------------------------------------------------------ quitting
    # action_quit and the quitting screen: tui/quitting.py (QuittingMixin, via StudioExtras).

    def _resume_gc(self, *, freeze: bool = False) -> None:
        if self._gc_paused:
            self._gc_paused = False
            if freeze:
                # What the first screen built lives as long as the app. Out of the collector's
                # sight, the first collection after the pause takes well under a millisecond
                # instead of ~16 ms over the whole heap (it fell right after the first frame).
                gc.freeze()
                self._froze_heap = True
            gc.enable()

    # Textual runs every class's on_unmount in the MRO: FormMemoryMixin's runs too.
    async def on_unmount(self) -> None:  # type: ignore[override]
        self._resume_gc()
        if self._froze_heap:  # the app's objects can go with it (more apps may follow: tests)
            self._froze_heap = False
            gc.unfreeze()
        self.workers.cancel_group(self, "jobs")
        engine, self.engine = self.engine, None
        pending, self._pending_engine = self._pending_engine, None
        for opened in (engine, pending):
            if opened is not None:
                with contextlib.suppress(Exception):
                    await opened.aclose()
        server, self.sandbox_server = self.sandbox_server, None
        if server is not None:
            with contextlib.suppress(Exception):
                server.stop()

    # ------------------------------------------------------------------ test helpers
    def show_jobs(self, jobs: Iterable[Job]) -> None:
        """Show fixed jobs (snapshots, demos) without an engine."""
        for job in jobs:
            self._show_job(job)


def run_app(*, sandbox: bool = False) -> int:
    """Run the studio in this terminal; returns the exit code."""
    from jimeng_tui.tui.terminal_probe import probe_terminal, remember_graphics

    typeahead = ""
    if os.environ.get("JIMENG_TUI_NO_IMAGES") != "1":
        # must query the terminal before Textual takes it; textual-image loads with a poster
        graphics, typeahead = probe_terminal()
        remember_graphics(graphics)
    app = JimengApp(sandbox=sandbox, typeahead=typeahead)
    from jimeng_tui.tui.web_delivery import web_aware_opener

    app.opener = web_aware_opener(app)  # `jimeng-tui serve`: videos go to the browser
    code = app.run()
    return code if isinstance(code, int) else 0
