"""The history list: one row per job, newest first, loaded page by page by the History screen.

Pure presentation: the screen hands it Job objects (read from SQLite in a thread) and the result
of the file-on-disk check (also made in a thread). Nothing here reads files or the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

from jimeng_tui.jobs.display import STATE_ICONS as ICONS
from jimeng_tui.jobs.model import Job, JobState

S = JobState

ORDER_LABELS: dict[str, str] = {
    "newest": "newest first",
    "oldest": "oldest first",
    "longest": "longest first",
    "shortest": "shortest first",
}
PROMPT_CAP = 160  # characters kept in a prompt cell (the column ellipsizes the rest)
FIRST_ROWS = 64  # rows added at once on a new result; the rest right after the first paint


@dataclass(frozen=True)
class Layout:
    """Column widths for one table width (the prompt column takes what is left)."""

    date_format: str
    date: int
    mode: int
    length: int
    status: int
    file: int = 4
    min_prompt: int = 12

    def prompt_width(self, table_width: int, padding: int) -> int:
        fixed = self.date + self.mode + self.length + self.status + self.file
        used = fixed + 2 * padding * 6 + 1  # six columns, one cell for the scrollbar
        return max(self.min_prompt, table_width - used)


WIDE = Layout("%Y-%m-%d %H:%M", date=16, mode=20, length=7, status=13)
NARROW = Layout("%m-%d %H:%M", date=11, mode=10, length=6, status=12)
WIDE_AT = 110  # table width from which the wide layout is used


def fmt_number(value: float) -> str:
    rounded = round(value)
    return str(rounded) if abs(value - rounded) < 0.05 else f"{value:.1f}"


def length_cell(job: Job) -> str:
    """``5s/24`` from the saved file, else from the request (what was asked)."""
    if job.duration_s is not None and job.fps is not None:
        return f"{fmt_number(job.duration_s)}s/{fmt_number(job.fps)}"
    duration = job.params.get("duration")
    fps = job.params.get("fps")
    if duration is None:
        return "–"
    return f"{duration}s/{fps}" if fps else f"{duration}s"


def status_text(job: Job) -> Text:
    icon, style = ICONS.get(job.state, ("·", ""))
    if job.state is S.FAILED and job.error_code is not None:
        label = str(job.error_code)  # the red ✗ says failed; the code says why
    elif job.state is S.SUBMIT_UNKNOWN:
        label = "unknown"
    else:
        label = job.state.value.replace("_", " ")
    return Text.assemble((icon, style), " ", label, no_wrap=True, overflow="ellipsis")


def prompt_text(job: Job) -> Text:
    prompt = " ".join((job.prompt or "").split())[:PROMPT_CAP] or "(no prompt)"
    text = Text(no_wrap=True, overflow="ellipsis")
    if job.favourite:
        text.append("★ ", style="bold yellow")
    text.append(prompt, style="" if job.prompt else "dim italic")
    return text


def file_text(job: Job, on_disk: bool | None) -> Text:
    if not job.path:
        return Text("")
    if on_disk is None:
        return Text("…", style="dim")
    return Text("✓", style="green") if on_disk else Text("✗", style="red")


class HistoryTable(DataTable[Any]):
    """Every job of the current query, in the screen's order. Row keys are job ids (str)."""

    DEFAULT_CSS = """
    HistoryTable {
        height: 1fr;
        scrollbar-size-vertical: 1;
    }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, cell_padding=1, **kwargs)
        self._jobs: dict[int, Job] = {}
        self._order: list[int] = []
        self._on_disk: dict[int, bool] = {}
        self._in_table: set[int] = set()  # ids with a row (a prefix of _order)
        self._fill_token = 0
        self._layout: Layout | None = None
        self._prompt_width = 0
        self._sort = "newest"

    # ------------------------------------------------------------------ layout
    def on_mount(self) -> None:
        self._apply_layout(self.size.width or 80)

    def on_resize(self) -> None:
        self._apply_layout(self.size.width)

    def _choose(self, width: int) -> tuple[Layout, int]:
        layout = WIDE if width >= WIDE_AT else NARROW
        return layout, layout.prompt_width(width, self.cell_padding)

    def _apply_layout(self, width: int) -> None:
        if width <= 0:
            return
        layout, prompt_width = self._choose(width)
        if layout == self._layout and prompt_width == self._prompt_width:
            return
        self._layout, self._prompt_width = layout, prompt_width
        self._rebuild()

    def _labels(self) -> dict[str, str]:
        arrow = {"newest": " ▼", "oldest": " ▲", "longest": " ▼", "shortest": " ▲"}[self._sort]
        date = "Date" + (arrow if self._sort in ("newest", "oldest") else "")
        length = "Len" + (arrow if self._sort in ("longest", "shortest") else "")
        return {"date": date, "length": length}

    def _rebuild(self) -> None:
        layout = self._layout or NARROW
        row = self.cursor_row
        self.clear(columns=True)
        labels = self._labels()
        self.add_column(labels["date"], width=layout.date, key="date")
        self.add_column("Prompt", width=self._prompt_width or 24, key="prompt")
        self.add_column("Mode", width=layout.mode, key="mode")
        self.add_column(labels["length"], width=layout.length, key="length")
        self.add_column("Status", width=layout.status, key="status")
        self.add_column("File", width=layout.file, key="file")
        self._in_table = set()
        self._add_upto(len(self._order))
        if self.row_count:
            self.move_cursor(row=min(row, self.row_count - 1), animate=False, scroll=True)

    def _cells(self, job: Job) -> list[Any]:
        layout = self._layout or NARROW
        return [
            datetime.fromtimestamp(job.created_at).strftime(layout.date_format),
            prompt_text(job),
            Text(job.mode, no_wrap=True, overflow="ellipsis"),
            length_cell(job),
            status_text(job),
            file_text(job, self._on_disk.get(job.id or 0)),
        ]

    def _add_upto(self, count: int) -> None:
        """Add rows for ``_order`` up to index ``count`` (rows are always a prefix)."""
        for job_id in self._order[len(self._in_table) : count]:
            self.add_row(*self._cells(self._jobs[job_id]), key=str(job_id))
            self._in_table.add(job_id)

    def _fill(self, token: int) -> None:
        if token == self._fill_token:
            self._add_upto(len(self._order))

    # ------------------------------------------------------------------ data
    @property
    def job_ids(self) -> list[int]:
        return list(self._order)

    @property
    def loaded(self) -> int:
        return len(self._order)

    def job(self, job_id: int) -> Job | None:
        return self._jobs.get(job_id)

    @property
    def highlighted_id(self) -> int | None:
        if not self.row_count:
            return None
        row = min(max(self.cursor_row, 0), len(self._order) - 1)
        return self._order[row]

    def set_order(self, order: str) -> None:
        """Mark the sorted column in the header (the screen re-queries)."""
        if order == self._sort:
            return
        self._sort = order
        labels = self._labels()
        for key, label in labels.items():
            if key in self.columns:
                self.columns[key].label = Text(label)  # type: ignore[index]
        self.refresh()

    def show_jobs(self, jobs: list[Job]) -> None:
        """Replace every row (a new search, filter or order); the cursor goes to the top."""
        self._jobs = {job.id: job for job in jobs if job.id is not None}
        self._order = [job.id for job in jobs if job.id is not None]
        self._on_disk = {}
        self._in_table = set()
        self._fill_token += 1
        self.clear()
        # A screenful now, the rest after the first paint: typing stays quick on long results.
        self._add_upto(FIRST_ROWS)
        if self.row_count:
            self.move_cursor(row=0, animate=False)
        if len(self._order) > FIRST_ROWS:
            self.call_after_refresh(self._fill, self._fill_token)

    def append_jobs(self, jobs: list[Job]) -> None:
        """Add the next page under the loaded rows (rows already shown are skipped)."""
        complete = len(self._in_table) == len(self._order)
        for job in jobs:
            if job.id is not None and job.id not in self._jobs:
                self._jobs[job.id] = job
                self._order.append(job.id)
        if complete:  # else the pending fill adds them
            self._add_upto(len(self._order))

    def update_job(self, job: Job) -> None:
        """Show a changed job (favourite, state, re-downloaded file) in its row."""
        if job.id is None or job.id not in self._jobs:
            return
        self._jobs[job.id] = job
        if job.id not in self._in_table:
            return
        key = str(job.id)
        for column, value in zip(self.columns, self._cells(job), strict=True):
            self.update_cell(key, column, value)

    def remove_job(self, job_id: int) -> None:
        if job_id not in self._jobs:
            return
        del self._jobs[job_id]
        self._order.remove(job_id)
        self._on_disk.pop(job_id, None)
        if job_id in self._in_table:
            self._in_table.discard(job_id)
            self.remove_row(str(job_id))

    def set_on_disk(self, found: dict[int, bool]) -> None:
        """The result of the screen's file check for some rows."""
        for job_id, exists in found.items():
            self._on_disk[job_id] = exists
            job = self._jobs.get(job_id)
            if job is not None and job_id in self._in_table:
                self.update_cell(str(job_id), "file", file_text(job, exists))

    def on_disk(self, job_id: int) -> bool | None:
        return self._on_disk.get(job_id)
