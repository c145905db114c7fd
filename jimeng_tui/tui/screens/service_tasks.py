"""The Service tasks screen (issue 15 item 8): the account's tasks of the last 7 days on the
services that list them (Seedance/Ark), with status, model, created time and the history's job
for each. Enter on a task the history does not know asks, then adopts it: a job in the job list,
followed and saved like any other. Nothing is ever submitted from here."""

from __future__ import annotations

import time
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from jimeng_tui.tui.widgets.key_footer import KeyFooter

COLUMNS = ("Created", "Task", "Status", "Model", "History")


class ServiceTasksScreen(Screen[None]):
    HELP_TITLE = "Service tasks"
    BINDINGS: ClassVar[list[Any]] = [
        Binding("escape", "close", "Back", id="tasks.close"),
        Binding("enter", "adopt", "Adopt", id="tasks.adopt", tooltip="Asks first; never paid"),
        Binding("f5", "reload", "Reload", id="tasks.reload"),
    ]

    def __init__(self, engine: Any, *, adopted: Any = None) -> None:
        super().__init__()
        self.engine = engine
        self.adopted = adopted  # callback(job): show and drive it in the job list
        self.tasks: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Static("Service tasks · the account's tasks of the last 7 days", id="tasks-title")
        yield Static("Loading…", id="tasks-status")
        table: DataTable[str] = DataTable(id="tasks-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.action_reload()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_reload(self) -> None:
        self._status("Loading…")
        self._load()

    @work(exclusive=True, group="service-tasks", exit_on_error=False)
    async def _load(self) -> None:
        from jimeng_tui.domain.errors import JimengError
        from jimeng_tui.jobs.adopt import account_tasks, listing_services
        from jimeng_tui.tui.engine_host import engine_call

        if not listing_services(self.engine.runner):
            self._status(
                "No service set up here lists its tasks: add an Ark API key in Settings "
                "(Seedance lists the last 7 days)."
            )
            return
        try:
            self.tasks = await engine_call(self.app, account_tasks(self.engine.runner))
        except JimengError as exc:
            self._status(f"The tasks could not be listed: {exc}")
            return
        self._fill()

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for task in self.tasks:
            view = task.view
            when = time.strftime("%m-%d %H:%M", time.localtime(view.created_at or 0))
            known = (
                f"job {task.job.id} · {task.job.state}"
                if task.job is not None
                else "not known: Enter adopts"
            )
            table.add_row(when, view.task_id, task.status, task.model, known, key=view.task_id)
        unknown = sum(task.job is None for task in self.tasks)
        self._status(
            f"{len(self.tasks)} task(s), {unknown} not in the history"
            if self.tasks
            else "No tasks in the last 7 days."
        )

    def _status(self, text: str) -> None:
        self.query_one("#tasks-status", Static).update(text)

    def _selected(self) -> Any:
        table = self.query_one(DataTable)
        if not self.tasks or table.cursor_row < 0 or table.cursor_row >= len(self.tasks):
            return None
        return self.tasks[table.cursor_row]

    def on_data_table_row_highlighted(self, event: Any) -> None:
        event.stop()  # the app's handler is the job list's (its keys are job ids)

    def on_data_table_row_selected(self, event: Any) -> None:
        event.stop()
        self.action_adopt()

    def action_adopt(self) -> None:
        from jimeng_tui.tui.screens.confirm import ConfirmScreen

        task = self._selected()
        if task is None:
            return
        if task.job is not None:
            self.notify(f"Task {task.view.task_id} is job {task.job.id} already.")
            return
        text = (
            f"Adopt task {task.view.task_id} ({task.model}, {task.status})?\n\n"
            "It becomes a job in the job list and is followed, downloaded and saved like any "
            "other. Nothing is submitted: it costs nothing more."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._adopt(task.view.task_id)

        self.app.push_screen(ConfirmScreen("Adopt task", text, yes="Adopt"), answered)

    @work(group="service-tasks-adopt", exit_on_error=False)
    async def _adopt(self, task_id: str) -> None:
        from jimeng_tui.domain.errors import JimengError
        from jimeng_tui.jobs.adopt import adopt_task
        from jimeng_tui.tui.engine_host import engine_call

        try:
            job = await engine_call(self.app, adopt_task(self.engine.runner, task_id))
        except JimengError as exc:
            self.notify(str(exc), title="Cannot adopt", severity="error", timeout=10)
            return
        self.notify(f"Task {task_id} adopted as job {job.id}: it is saved like any other.")
        if self.adopted is not None:
            self.adopted(job)
        self.action_reload()
