"""The main screen: prompt form, job queue and the selected job's details."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical, VerticalScroll
from textual.events import ScreenResume
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from jimeng_tui.tui.focus_keys import FOCUS_KEYS
from jimeng_tui.tui.messages import FormChanged
from jimeng_tui.tui.screens.form_request import (
    build_from_form,
    every_service,
    offered_services,
    video_input_of,
)
from jimeng_tui.tui.screens.main_jobs import MainJobs
from jimeng_tui.tui.typing_guard import TypedIntoList
from jimeng_tui.tui.widgets.deferred import Deferred
from jimeng_tui.tui.widgets.header import StatusHeader
from jimeng_tui.tui.widgets.key_footer import KeyFooter
from jimeng_tui.tui.widgets.prompt_form import FormDefaults, PromptForm

if TYPE_CHECKING:
    from jimeng_tui.domain.capabilities import Capabilities
    from jimeng_tui.tui.widgets.job_details import JobDetails
    from jimeng_tui.tui.widgets.job_queue import JobQueue

TIPS = (
    "Ctrl+G or F5 generates; the form keeps its values for the next prompt.\n"
    "F4 moves to the job list: Enter details · c cancel · t retry · r re-run (both ask "
    "first: paid) · l load into the form · o open · f folder · u copy URL · p copy path · "
    "d dismiss. Words typed there go to the prompt.\n"
    "F3 opens the history of every generation. Ctrl+P lists every action. "
    "Running jobs resume if you quit."
)

# Below this many columns the panels stack (form above, jobs and details below).
WIDE_AT = 130  # the job table needs ~70 columns beside the form's minimum of 58
# Below this many lines the form drops its blank lines between rows.
TALL_AT = 36


class MainScreen(MainJobs, Screen[None]):
    # Focus the prompt straight away: the default (first focusable, the scrolling left panel)
    # restyled the whole form on focus and again on blur, ~40 ms of the first screen.
    AUTO_FOCUS = "#prompt"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE_AT, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (TALL_AT, "-tall")]

    BINDINGS = [
        Binding(
            "ctrl+g,f5",
            "generate",
            "Generate",
            id="generate",
            tooltip="Send the prompt (the form keeps its values)",
        ),
        Binding(
            "f4",
            "toggle_focus",
            "Jobs ⇄ Form",
            id="focus_jobs",
            priority=True,
            tooltip="Switch between the form and the job list",
        ),
        Binding(
            "f3",
            "app.history",
            "History",
            id="history",
            tooltip="Every past generation: search, re-run, re-download, export",
        ),
        Binding(
            "f2", "app.settings", "Settings", id="settings", tooltip="Credentials and defaults"
        ),
        *FOCUS_KEYS,
    ]

    def __init__(
        self,
        *,
        defaults: FormDefaults | None = None,
        services: tuple[Capabilities, ...] | None = None,
        clock: Callable[[], float] = time.time,
        size: tuple[int, int] | None = None,
    ) -> None:
        # Start with the breakpoint classes of the expected size: adding them after the first
        # layout would style every widget a second time.
        classes = None
        if size is not None:
            width, height = size
            classes = " ".join(
                [
                    "-wide" if width >= WIDE_AT else "-narrow",
                    "-tall" if height >= TALL_AT else "-short",
                ]
            )
        super().__init__(classes=classes)
        self._defaults = defaults
        # None: every registered service (the sandbox's view, before the config is read),
        # read when the form's rows are built (a frame after the first: the tables load then)
        self._services: tuple[Capabilities, ...] | None = services
        self._clock = clock
        self._resumed = False
        self._panels_ready = False
        self._queue: JobQueue | None = None
        self._details: JobDetails | None = None
        self._waiting: list[Callable[[], object]] = []  # calls that need the panels (in order)

    def compose(self) -> ComposeResult:
        yield StatusHeader(id="header")
        with Container(id="panels"):
            with VerticalScroll(id="left"):
                services = self._services if self._services is not None else every_service
                yield PromptForm(
                    self._defaults, services=services, builder=build_from_form, id="form"
                )
                yield Static(TIPS, id="tips")
            # The job list and details mount one frame after the rest (no job is shown yet
            # then): the DataTable's import and the panel's widgets were ~15 ms of the first
            # screen. The app starts the engine once they are in (PanelsReady).
            yield Deferred(self._build_panels, mounted=self._panels_mounted, id="right-pending")
        yield KeyFooter()

    def _build_panels(self) -> Widget:
        from jimeng_tui.tui.model_names import model_label, short_model_name
        from jimeng_tui.tui.service_text import error_advice
        from jimeng_tui.tui.widgets.job_details import JobDetails
        from jimeng_tui.tui.widgets.job_queue import JobQueue

        self._queue = JobQueue(id="queue", clock=self._clock, model_name=short_model_name)
        self._details = JobDetails(advice=error_advice, model_label=model_label, id="details")
        return Vertical(self._queue, self._details, id="right")

    def _panels_mounted(self, _: Widget) -> None:
        # Called from the placeholder, which is gone by now: what waited runs from this screen
        # (a dialog pushed from a removed widget would never deliver its answer).
        self.call_next(self._open_panels)

    def _open_panels(self) -> None:
        self._panels_ready = True
        waiting, self._waiting = self._waiting, []
        for call in waiting:
            call()

    @property
    def panels_ready(self) -> bool:
        return self._panels_ready

    def when_panels_ready(self, call: Callable[[], object]) -> None:
        """Run ``call`` now if the job list and details are mounted, else once they are."""
        if self._panels_ready:
            call()
        else:
            self._waiting.append(call)

    def on_screen_resume(self, event: ScreenResume) -> None:
        # Runs before Screen's own handler. On the first resume every widget was styled a
        # moment ago when it mounted; restyling them all again cost ~30 ms of the first screen.
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    @property
    def form(self) -> PromptForm:
        return self.query_one(PromptForm)

    def configure_form(self, config: Any, *, sandbox: bool) -> None:
        """The models the credentials allow (all in the sandbox) and the config's defaults."""
        services, hint = offered_services(config.credentials, sandbox=sandbox)
        self.form.set_services(services, hint)
        self.form.apply_defaults(FormDefaults.from_config(config.defaults))
        self.post_message(FormChanged())  # the config's [prices] are in force now

    def load_request(self, request: Any) -> None:
        """Put a past job's request into the form, ready to edit."""
        self.form.load_input(video_input_of(request))
        self.form.focus_prompt()

    @property
    def queue(self) -> JobQueue:
        """The job list (only once ``panels_ready``)."""
        assert self._queue is not None, "the job list is not mounted yet"
        return self._queue

    @property
    def details(self) -> JobDetails:
        """The details pane (only once ``panels_ready``)."""
        assert self._details is not None, "the details pane is not mounted yet"
        return self._details

    @property
    def header(self) -> StatusHeader:
        return self.query_one(StatusHeader)

    def action_toggle_focus(self) -> None:
        if not self._panels_ready:  # pressed in the first frame: move once the list is there
            self._waiting.append(self.action_toggle_focus)
            return
        queue = self.queue
        if queue.has_focus:
            self.form.focus_prompt()
        else:
            queue.focus()

    def on_form_changed(self, _: FormChanged) -> None:
        """Re-estimate the form's request (the prompt does not change the price: a blank one
        still gets an estimate)."""
        from dataclasses import replace

        from jimeng_tui.tui.form_estimate import form_estimate_text

        form = self.form

        def build() -> Any:
            video = form.video_input()
            return build_from_form(replace(video, prompt=video.prompt.strip() or "estimate"))

        form.set_estimate(form_estimate_text(self.app, build))

    def on_typed_into_list(self, message: TypedIntoList) -> None:
        """Text typed while the job list had the focus: it was meant for the prompt."""
        from textual.widgets import TextArea

        prompt = self.form.query_one("#prompt", TextArea)
        if not prompt.has_focus:
            prompt.focus()
            prompt.move_cursor(prompt.document.end)
        for key in message.keys:
            prompt.post_message(key)
