"""The interactive studio: ``jimeng-tui`` (live) and ``jimeng-tui --sandbox``.

The app boots (the first frame, keys typed early), opens and closes the engine (and the
embedded sandbox), and opens the screens; quitting, help and the palette are app-wide. The main
screen owns its jobs and their actions (``screens/main_jobs.py``). The engine's events arrive
through ``on_event`` and become messages posted to the main screen (thread-safe); screens start,
drive and cancel jobs through ``self.app.host`` (``engine_host.py``).
"""

from __future__ import annotations

import contextlib
import gc
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from jimeng_tui.tui.engine_host import EngineHost
from jimeng_tui.tui.job_signal import write_to_terminal
from jimeng_tui.tui.palette import JimengCommands
from jimeng_tui.tui.screens.main import MainScreen
from jimeng_tui.tui.screens.settings_flow import open_first_run, open_settings
from jimeng_tui.tui.studio_extras import StudioExtras
from jimeng_tui.tui.system import system_open

if TYPE_CHECKING:
    from jimeng_tui.jobs.engine import Engine
    from jimeng_tui.services.base import BuiltRequest

STARTED_AT = time.perf_counter()  # for the time-to-ready log line

EngineFactory = Callable[..., "Engine"]


def default_engine_factory(*, sandbox: Any = None, on_event: Callable[[Any], None]) -> Engine:
    from jimeng_tui.session import open_engine

    return open_engine(sandbox=sandbox, env=os.environ, on_event=on_event)


SCREENSHOT_DELAY_S = 0.3


class JimengApp(StudioExtras, App[int]):
    """The studio: boot, the engine's lifetime, the screens (the main one owns the jobs)."""

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
        # The services' tables are registered when the form's rows are built, a frame after
        # the first (screens/form_request.py: every_service), or the help first reads them.
        # Building the first screen allocates many objects; a cyclic collection in the middle
        # of it cost ~50 ms (a third of the start-up). Collection resumes after the first frame
        # (also when `jimeng-tui` paused it before importing Textual), as Textual itself
        # pauses it during smooth scrolling.
        self._gc_paused = True
        gc.disable()
        self.want_sandbox = sandbox
        self.typeahead = typeahead  # typed before the app took the terminal
        self._early_keys: list[events.Key] = []
        self.engine_factory = engine_factory or default_engine_factory
        self.clock = clock
        self.opener = opener
        self.start_engine = start_engine
        self.bell_on_finish = bell_on_finish
        self.sandbox_options = sandbox_options
        self.engine: Engine | None = None
        self.host: EngineHost | None = None  # how screens reach the engine (with it, or None)
        self._main_screen: MainScreen | None = None
        self.sandbox_server: Any = None  # an embedded SandboxServer we started (and stop)
        self._reuse_sandbox: Any = None  # a sandbox given by the factory, kept across reopens
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
        """The main screen (the bottom of the stack; after the app closed, the one it had)."""
        stack = self.screen_stack
        if stack:
            bottom = stack[0]
            assert isinstance(bottom, MainScreen)
            self._main_screen = bottom
        assert self._main_screen is not None, "the main screen is not up yet"
        return self._main_screen

    @property
    def main_ready(self) -> bool:
        """False while starting up (until the job list is mounted) or shutting down (messages
        may still arrive then)."""
        if not self.screen_stack or not self.is_running or self._closing:
            return False
        bottom = self.screen_stack[0]
        return isinstance(bottom, MainScreen) and bottom.is_mounted and bottom.live

    def on_mount(self) -> None:
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
        self.host = EngineHost(engine, report=self._job_error)
        config = engine.loaded.config
        if config.keys:
            self.set_keymap(dict(config.keys))
        self.main.engine_ready(engine)
        for warning in engine.loaded.warnings:
            self.notify(warning, title="Config", severity="warning", timeout=10)
        if not engine.is_sandbox and not (config.has_credentials or config.credentials.has_ark):
            open_first_run(self)
            return
        self.main.resume_jobs(engine.runner.resumable())

    @work(exclusive=True, group="engine-reopen", exit_on_error=False)
    async def reopen_engine(self, *, sandbox: bool) -> None:
        """Close the engine and open it again (new credentials, settings or the sandbox)."""
        old, host = self.engine, self.host
        self.engine = self.host = None
        if old is not None:
            if sandbox and old.sandbox is not None and old.sandbox is not self.sandbox_server:
                self._reuse_sandbox = old.sandbox
            await (host.aclose() if host is not None else old.aclose())
        self.want_sandbox = sandbox
        self.open_engine(sandbox=sandbox)

    def action_settings(self) -> None:
        open_settings(self)

    # ------------------------------------------------------------------ engine events
    def _on_engine_event(self, event: object) -> None:
        """Called by the engine (any thread): the event becomes a message to the main screen,
        by its type."""
        from jimeng_tui.tui.engine_bridge import post_event  # loaded with the first event

        stack = self.screen_stack
        if stack:
            post_event(stack[0], event)

    # ------------------------------------------------------------------ for other screens
    def start_job(self, request: BuiltRequest) -> None:
        """Create and run a job from outside the form (the history screen's re-run)."""
        self.main.start_job(request, from_form=False)

    def load_request(self, request: BuiltRequest) -> None:
        """Put a request's parameters into the form, ready to edit."""
        self.main.load_request(request)

    def write_to_terminal(self, data: bytes) -> None:
        write_to_terminal(self, data)

    def action_history(self) -> None:
        from jimeng_tui.tui.screens.history import HistoryScreen  # loaded on first use

        if self.engine is None:
            self.notify("Still connecting — try again in a moment.", severity="warning")
            return
        if isinstance(self.screen, HistoryScreen):
            return
        self.push_screen(HistoryScreen(self.engine, opener=self.opener))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is not WorkerState.ERROR:
            return
        error = worker.error
        if worker.group == "jobs" and error is not None:
            self._job_error(error)
        elif worker.group in ("engine", "engine-reopen"):
            self._engine_failed(str(error))

    def _job_error(self, error: BaseException) -> None:
        """A job's drive stopped on an unexpected error (the job itself says what it is)."""
        from jimeng_tui.domain.errors import JimengError

        text = str(error) if isinstance(error, JimengError) else repr(error)
        self.notify(text, title="Job error", severity="error", timeout=10)

    def action_export_history(self) -> None:
        """History's export, from the studio: opens History with its export dialog."""
        from jimeng_tui.tui.screens.history import HistoryScreen

        self.action_history()
        if isinstance(self.screen, HistoryScreen):
            self.screen.call_after_refresh(self.screen.action_export)

    # ------------------------------------------------------------------ screenshots
    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        # A moment later: from the palette, the screen behind it recomposes its footer after
        # the palette closes (taken at once, the picture had an empty footer).
        self.set_timer(SCREENSHOT_DELAY_S, self._save_screenshot)

    def screenshots_folder(self) -> Path:
        """``screenshots`` in the videos folder: found with the videos, not wherever
        jimeng-tui happened to be started."""
        if self.engine is not None:
            return self.engine.paths.videos_dir / "screenshots"
        from jimeng_tui.store.paths import app_paths

        return app_paths(os.environ).videos_dir / "screenshots"

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

    async def on_unmount(self) -> None:
        self._resume_gc()
        if self._froze_heap:  # the app's objects can go with it (more apps may follow: tests)
            self._froze_heap = False
            gc.unfreeze()
        self.workers.cancel_group(self, "jobs")
        engine, host = self.engine, self.host
        self.engine = self.host = None
        pending, self._pending_engine = self._pending_engine, None
        if host is not None:  # the drives stop (resumed next time), then the engine's thread
            with contextlib.suppress(Exception):
                await host.aclose()
        elif engine is not None:
            with contextlib.suppress(Exception):
                await engine.aclose()
        if pending is not None:
            with contextlib.suppress(Exception):
                await pending.aclose()
        server, self.sandbox_server = self.sandbox_server, None
        if server is not None:
            with contextlib.suppress(Exception):
                server.stop()


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
