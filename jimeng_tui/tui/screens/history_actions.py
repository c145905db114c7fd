"""The History screen's actions on the highlighted job (re-run, load, favourite, open, copy,
download again, delete) and on the filtered rows (export)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

from textual import work

from jimeng_tui.domain.errors import JimengError, ValidationError
from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.jobs.request_builder import rerun_request
from jimeng_tui.services.base import BuiltRequest
from jimeng_tui.store.history import HistoryQuery
from jimeng_tui.tui.screens.history_dialogs import DeleteJobScreen, ExportScreen
from jimeng_tui.tui.screens.history_files import delete_job_files, job_files
from jimeng_tui.tui.screens.history_host import HistoryHost
from jimeng_tui.tui.screens.job_guard import job_having
from jimeng_tui.tui.system import open_or_copy

S = JobState
FOOTER_ACTIONS = (
    "rerun",
    "load",
    "favourite",
    "open_file",
    "open_folder",
    "copy_url",
    "copy_path",
    "redownload",
    "delete",
    "export",
)


class HistoryActionsMixin(HistoryHost):
    """HistoryScreen's actions (mixed into the screen: its bindings and palette name them)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        needs: dict[str, Callable[[Job], bool]] = {
            "rerun": lambda j: True,
            "load": lambda j: True,
            "favourite": lambda j: True,
            "open_file": lambda j: bool(j.path) and self.table.on_disk(j.id or 0) is not False,
            "open_folder": lambda j: bool(j.path),
            "copy_url": lambda j: bool(j.video_url),
            "copy_path": lambda j: bool(j.path),
            "redownload": lambda j: (
                bool(j.task_id)
                and (j.state is S.SAVE_FAILED or (j.is_final and j.state is not S.FAILED))
            ),
            "delete": lambda j: j.is_final,
        }
        if action in needs:
            if not self.is_mounted:
                return None
            job = self.highlighted
            return True if job is not None and needs[action](job) else None
        if action == "export":
            return True if self.table.loaded else None
        return True

    def _refresh_footer(self) -> None:
        """Re-check the actions only when their availability changed (the Footer recomposes
        every key on refresh_bindings, too slow to do on every keystroke or cursor move)."""
        state = tuple(self.check_action(name, ()) for name in FOOTER_ACTIONS)
        if state != self._footer_state:
            self._footer_state = state
            self.refresh_bindings()

    def _need_job(self) -> Job | None:
        job = self.highlighted
        if job is None:
            self.notify("No job is highlighted.", severity="warning")
        return job

    def _need_job_with(
        self, has: Callable[[Job], object], missing: str, severity: str = "warning"
    ) -> Job | None:
        """The highlighted job if ``has(job)``; otherwise None, after saying ``missing``."""
        return job_having(self._need_job(), has, missing, self.notify, severity=severity)

    def action_back(self) -> None:
        focused = self.focused
        if focused is not None and focused is not self.table and self.filters in focused.ancestors:
            self.table.focus()
            return
        self.dismiss(None)

    def action_search(self) -> None:
        self.filters.focus_search()

    def _request(self, job: Job) -> BuiltRequest | None:
        """The job's request, rebuilt by its own service (Jimeng 3.0 or Seedance)."""
        try:
            return rerun_request(job)
        except (TypeError, ValueError, ValidationError) as exc:
            self.notify(f"Cannot rebuild job {job.id}'s request: {exc}", severity="error")
            return None

    def action_rerun(self) -> None:
        job = self._need_job()
        request = self._request(job) if job else None
        if job is None or request is None:
            return
        from jimeng_tui.tui.screens.paid_guard import confirm_paid

        confirm_paid(
            self.app,
            title=f"Re-run job {job.id}?",
            what=f"Run job {job.id} again with the same parameters and seed, as a new job.",
            requests=[request],
            proceed=partial(self._send_rerun, job, request),
        )

    def _send_rerun(self, job: Job, request: BuiltRequest) -> None:
        start = getattr(self.app, "start_job", None)
        if callable(start):
            start(request)
            self.notify(f"Running job {job.id} again as a new job.", title="Re-run")
            self.set_timer(0.5, self._reload)
            return
        self.run_worker(
            self._create_and_drive(job, request),
            group="history-rerun",
            name="history-rerun",
            exit_on_error=False,
        )

    async def _create_and_drive(self, source: Job, request: BuiltRequest) -> None:
        runner = self.engine.runner
        try:
            job = await runner.create(request)
        except JimengError as exc:
            self.notify(str(exc), title="Cannot re-run", severity="error", timeout=10)
            return
        assert job.id is not None
        # an app worker: the job keeps running when this screen closes
        self.app.run_worker(
            runner.drive(job.id), name=f"job-{job.id}", group="jobs", exit_on_error=False
        )
        self.notify(f"Job {source.id} runs again as job {job.id}.", title="Re-run")
        self._reload()

    def action_load(self) -> None:
        job = self._need_job()
        request = self._request(job) if job else None
        if job is None or request is None:
            return
        load = getattr(self.app, "load_request", None)
        if not callable(load):
            form = getattr(getattr(self.app, "main", None), "form", None)
            load = getattr(form, "load_request", None)
        if not callable(load):
            self.notify("This window has no prompt form to load into.", severity="warning")
            return
        load(request)
        self.app.notify(f"Job {job.id}'s parameters are in the form.")
        self.dismiss(None)

    def action_favourite(self) -> None:
        job = self._need_job()
        if job is None or job.id is None:
            return
        self._set_favourite(job.id, not job.favourite)

    @work(thread=True, group="history-write", exit_on_error=False)
    def _set_favourite(self, job_id: int, value: bool) -> None:
        history = self.engine.history
        history.set_favourite(job_id, value)
        job = history.get(job_id)
        if job is not None:
            self._post(self._apply_jobs, [job])

    def action_open_file(self) -> None:
        job = self._need_job()
        if job is None:
            return
        if not job.path or self.table.on_disk(job.id or 0) is False:
            self.notify("The file is not on disk; re-download it with d.", severity="warning")
            return
        self._open(Path(job.path))

    def action_open_folder(self) -> None:
        job = self._need_job()
        if job is None or not job.path:
            return
        self._open(Path(job.path).parent)

    def _open(self, path: Path) -> None:
        copy = self.app.copy_to_clipboard
        open_or_copy(path, opener=self.opener, copy=copy, notify=self.notify)

    def action_copy_url(self) -> None:
        job = self._need_job()
        if job is None:
            return
        if not job.video_url:
            self.notify("This job has no video URL.", severity="warning")
            return
        self.app.copy_to_clipboard(job.video_url)
        link = self._link_text(job)
        if link.startswith("Link valid"):
            self.notify(f"Video URL copied. {link}.", timeout=4)
        else:
            self.notify(
                "Video URL copied, but the link has expired: re-download (d) fetches a fresh one.",
                severity="warning",
            )

    def action_copy_path(self) -> None:
        job = self._need_job()
        if job is None or not job.path:
            return
        self.app.copy_to_clipboard(job.path)
        self.notify(f"Copied {job.path}", timeout=4)

    def action_redownload(self, second_copy: bool = False) -> None:
        never_sent = "This job never reached the service: nothing to download."
        job = self._need_job_with(lambda j: j.task_id, never_sent, severity="information")
        if job is None or job.id is None:
            return
        self.notify(f"Checking job {job.id}'s files; fetching only what is missing or damaged…")
        self.app.run_worker(
            self._redownload(job.id, second_copy=second_copy),
            name=f"history-redownload-{job.id}",
            group="history-redownload",
            exit_on_error=False,
        )

    async def _redownload(self, job_id: int, *, second_copy: bool = False) -> Job | None:
        from jimeng_tui.jobs.redownload import redownload_job
        from jimeng_tui.tui.engine_host import engine_call

        try:
            outcome = await engine_call(
                self.app, redownload_job(self.engine.runner, job_id, second_copy=second_copy)
            )
        except JimengError as exc:
            self.app.notify(
                f"Job {job_id} cannot be downloaded again: {exc}",
                title="Re-download",
                severity="error",
                timeout=10,
            )
            return None
        job = outcome.job
        if outcome.verified:
            self._offer_second_copy(job_id, outcome.message)
        elif job.state is S.SAVED and job.path:
            self.app.notify(outcome.message, title=f"Job {job_id} downloaded", timeout=10)
        else:
            reason = job.error_message or job.state.value
            self.app.notify(
                f"Job {job_id}: {reason}", title="Re-download", severity="error", timeout=10
            )
        if self.is_attached:
            fresh = await self._get(job_id)
            if fresh is not None:
                self._posters.pop(job_id, None)
                self._apply_jobs([fresh])
        return job

    def _offer_second_copy(self, job_id: int, message: str) -> None:
        from jimeng_tui.tui.screens.already_saved import AlreadySavedScreen

        def chosen(keep: bool | None) -> None:
            if keep is False and self.is_attached:
                self.app.run_worker(
                    self._redownload(job_id, second_copy=True),
                    name=f"history-second-copy-{job_id}",
                    group="history-redownload",
                    exit_on_error=False,
                )

        self.app.push_screen(
            AlreadySavedScreen(job_id, message[:1].upper() + message[1:] + "."), chosen
        )

    async def _get(self, job_id: int) -> Job | None:
        return await asyncio.to_thread(self.engine.history.get, job_id)

    def action_delete(self) -> None:
        running = "The job is still running; cancel it in the studio first."
        job = self._need_job_with(lambda j: j.is_final, running, severity="information")
        if job is None or job.id is None:
            return

        def chosen(choice: str | None) -> None:
            if choice in ("entry", "files"):
                self._delete(job, with_files=choice == "files")

        self.app.push_screen(DeleteJobScreen(job, job_files(job)), chosen)

    @work(thread=True, group="history-write", exit_on_error=False)
    def _delete(self, job: Job, *, with_files: bool) -> None:
        removed: list[Path] = []
        if with_files:
            poster = self.engine.paths.cache_dir / "posters" / f"job-{job.id}.png"
            try:
                removed = delete_job_files(job, extra=[poster])
            except OSError as exc:
                self._post(
                    partial(self.notify, f"Could not delete the files: {exc}", severity="error")
                )
                return
            removed = [p for p in removed if p.name != f"job-{job.id}.png"]
        self.engine.history.delete(job.id or 0)
        self._post(self._deleted, job, removed, with_files)

    def _deleted(self, job: Job, removed: list[Path], with_files: bool) -> None:
        assert job.id is not None
        self.table.remove_job(job.id)
        self._posters.pop(job.id, None)
        if self.total is not None:
            self.total = max(0, self.total - 1)
        self._update_title()
        self._show_detail_now()
        if with_files:
            files = f" and {len(removed)} file{'s' if len(removed) != 1 else ''}"
        else:
            files = " (its files were kept)" if job_files(job) else ""
        self.notify(f"Deleted job {job.id}{files}.", title="History")

    def action_export(self) -> None:
        stamp = datetime.fromtimestamp(self.clock()).strftime("%Y%m%d-%H%M%S")
        default = self.engine.paths.videos_dir / f"jimeng-history-{stamp}.csv"

        def chosen(path: Path | None) -> None:
            if path is not None:
                self._export(path, self.query_for(limit=-1))

        self.app.push_screen(ExportScreen(default, self.total), chosen)

    @work(thread=True, group="history-export", exit_on_error=False)
    def _export(self, path: Path, query: HistoryQuery) -> None:
        from jimeng_tui.jobs.export import export_history

        try:
            if path.parent == self.engine.paths.videos_dir:
                path.parent.mkdir(parents=True, exist_ok=True)
            count = export_history(self.engine.history, query, path)
        except (JimengError, OSError) as exc:
            self._post(partial(self.notify, str(exc), title="Export", severity="error", timeout=10))
            return
        self.exported = (path, count)
        self._post(
            partial(self.notify, f"Wrote {count:,} job(s) to {path}", title="Export", timeout=8)
        )
