"""The main screen's jobs: the engine's messages shown (queue, details, header), Generate and the
file picker, jobs started, resumed and driven through the app's engine host, and the job list's
actions (``job_actions.py``, ``main_actions.py``), previews and the remembered form.

The app posts the engine's events here as messages (``engine_bridge.py``); the screen owns what
they mean on screen. The engine itself (opening, closing, where drives run) is the app's.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jimeng_tui.domain.job import Job
from jimeng_tui.tui.form_memory import FormMemoryMixin
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
from jimeng_tui.tui.screens.job_actions import JobActionsMixin
from jimeng_tui.tui.screens.main_actions import PaidJobActionsMixin
from jimeng_tui.tui.screens.main_previews import PreviewMixin

if TYPE_CHECKING:
    from jimeng_tui.domain.meta import JobMeta
    from jimeng_tui.jobs.engine import Engine
    from jimeng_tui.services.base import BuiltRequest

TICK_S = 1.0  # the job list's elapsed times


class MainJobs(JobViewMixin, JobActionsMixin, PaidJobActionsMixin, PreviewMixin, FormMemoryMixin):
    """Everything the main screen does with jobs (``self`` is the ``MainScreen``)."""

    STUDIO_ACTIONS = True  # the studio palette's job actions run on this screen
    HELP_TITLE = "Studio"
    _waiting_requests: list[BuiltRequest] | None = None

    def on_mount(self: Any) -> None:
        self.set_interval(TICK_S, self._tick, name="clock")

    @property
    def live(self: Any) -> bool:
        """False while starting up (until the job list is mounted) or shutting down (messages
        may still arrive then)."""
        app = self.app
        return bool(self.panels_ready and app.is_running and not app._closing and self.is_attached)

    def help_more_keys(self: Any) -> dict[str, Any]:
        """For the help screen: the job list's keys while the focus is elsewhere."""
        if not self.panels_ready or self.queue.has_focus:
            return {}
        from jimeng_tui.tui.screens.help import class_keys
        from jimeng_tui.tui.widgets.job_queue import JobQueue

        keymap = getattr(self.app, "_keymap", {})
        return {"Job list (F4 moves there)": class_keys(self.app, JobQueue.BINDINGS, keymap)}

    def _tick(self: Any) -> None:
        if self.live:
            self.queue.tick()

    # ------------------------------------------------------------------ the engine
    def engine_ready(self: Any, engine: Engine) -> None:
        """The engine is open: the header, the form's models and defaults, the last form."""
        from jimeng_tui.store.config import mask_key

        config = engine.loaded.config
        self.header.set_engine(sandbox=engine.is_sandbox, access_key=mask_key(engine.access_key))
        self.header.set_throttle(engine.runner.throttle_state)
        self.configure_form(config, sandbox=engine.is_sandbox)
        self.restore_form_once(engine)  # the last form over the defaults (first start only)

    def resume_jobs(self: Any, resumed: list[Job]) -> None:
        """Show and drive the unfinished jobs of the history, then what Generate asked for
        while connecting."""
        for job in resumed:
            self.show_job(job)
            self.drive(job.id)
        waiting, self._waiting_requests = self._waiting_requests or [], None
        for request in waiting:
            self.start_job(request, from_form=True)
        if resumed:
            self.notify(
                f"Resuming {len(resumed)} unfinished job{'s' if len(resumed) != 1 else ''}.",
                title="Jobs",
            )

    def drop_waiting_requests(self: Any) -> None:
        """Not sent later, to a service the user has yet to pick (the first-run dialog)."""
        if self._waiting_requests:
            self._waiting_requests = None
            self.notify("The job asked for while connecting was not sent; press Generate again.")

    def on_job_updated(self: Any, message: JobUpdated) -> None:
        if self.live:
            self.show_job(message.job)

    def on_download_progressed(self: Any, message: DownloadProgressed) -> None:
        if not self.live:
            return
        self.board.set_progress(message.job_id, message.received, message.total)
        self.queue.set_progress(message.job_id, message.received, message.total)
        if self.details.job_id == message.job_id:
            self.details.set_progress(message.received, message.total)

    def on_job_noticed(self: Any, message: JobNoticed) -> None:
        if not self.live:
            return
        self.board.add_notice(message.job_id, message.text)
        if self.details.job_id == message.job_id:
            self._refresh_details()

    def on_throttle_updated(self: Any, message: ThrottleUpdated) -> None:
        if self.live:
            self.header.set_throttle(message.state)

    def on_poster_ready(self: Any, message: PosterReady) -> None:
        if self.live and message.image is not None:
            self.picture_ready(message)  # job_view.py

    def on_data_table_row_highlighted(self: Any, event: Any) -> None:
        key = getattr(event.row_key, "value", None)
        if key is not None and self.live:
            self._detail(int(key))

    # ------------------------------------------------------------------ generate
    def action_generate(self: Any) -> None:
        self.form.submit()

    def on_generate_requested(self: Any, message: GenerateRequested) -> None:
        if self.app.host is None:
            # Pressed while the engine opens (a second at most): run it once the engine is up.
            # One at most: pressing again because it seems stuck must not make a second job.
            if self._waiting_requests:
                self.notify("Still connecting… the job waiting will start once connected.")
                return
            self._waiting_requests = [message.request]
            self.notify("Connecting… the job starts as soon as the engine is ready.")
            return
        self.start_job(message.request, from_form=True)

    def start_job(
        self: Any, request: BuiltRequest, *, from_form: bool, meta: JobMeta | None = None
    ) -> None:
        """Create the job (the engine checks it), show and select it, then drive it."""
        self.app.run_worker(
            self._create_job(request, from_form=from_form, meta=meta),
            name="create",
            group="jobs",
            exit_on_error=False,
        )

    async def _create_job(
        self: Any, request: BuiltRequest, *, from_form: bool, meta: JobMeta | None
    ) -> Job | None:
        from jimeng_tui.domain.errors import JimengError, ValidationError
        from jimeng_tui.tui.screens.budget_question import show_refusal

        host = self.app.host
        assert host is not None
        try:
            job = await host.create(request, meta=meta)
        except ValidationError as exc:  # a service's ImageError is one too
            show_refusal(self.app, exc, request, from_form=from_form)  # past a cap: send anyway?
            return None
        except JimengError as exc:
            self.notify(str(exc), title="Cannot run", severity="error", timeout=10)
            return None
        self.show_job(job)
        assert job.id is not None
        self.focus_job(job.id)
        return await host.run(job.id)

    def drive(self: Any, job_id: int | None) -> None:
        """Run a job the history holds to its end (resumed, adopted, fetched again)."""
        host = self.app.host
        if job_id is not None and host is not None:
            host.drive(job_id)

    def show_jobs(self: Any, jobs: Iterable[Job]) -> None:
        """Show fixed jobs (snapshots, demos) without an engine."""
        for job in jobs:
            self.show_job(job)

    # ------------------------------------------------------------------ file picker
    def on_browse_requested(self: Any, message: BrowseRequested) -> None:
        from jimeng_tui.tui.screens.file_picker import FilePickerScreen

        current = Path(message.current).expanduser() if message.current else Path.cwd()
        if not current.exists():
            current = Path.cwd()
        title = {"first_image": "First frame", "reference_images": "Reference image"}.get(
            message.field, "Last frame"
        )

        def chosen(value: str | None) -> None:
            if value:
                self.form.set_image(message.field, value)

        self.app.push_screen(FilePickerScreen(current, title=f"{title}: choose an image"), chosen)
