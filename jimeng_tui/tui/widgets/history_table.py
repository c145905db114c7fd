"""The history list: one row per job, newest first, loaded page by page by the History screen.

Pure presentation: the screen hands it Job objects (read from SQLite in a thread) and the result
of the file-on-disk check (also made in a thread). Nothing here reads files or the database.

A Line API widget rather than a DataTable: it looks and steers like the DataTable it replaced
(header, zebra rows, row cursor, hover, the same keys and messages), but a new result costs a
list assignment, and a frame formats only the rows on screen, straight into segments. (The
DataTable measured every cell of every added row, rendered each cell through Rich's
console, and dropped its whole render cache on any change, file ticks included: 30-60 ms per
search keystroke.) The columns have fixed widths, chosen from the table's width alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets.data_table import ColumnKey

from jimeng_tui.domain.job import Job
from jimeng_tui.jobs.display import length as length_cell
from jimeng_tui.tui.widgets.history_cells import (
    COLUMN_KEYS,
    KNOWN_FILES,
    NARROW,
    NEAR_END,
    TABLE_CSS,
    WIDE,
    WIDE_AT,
    Column,
    Layout,
    Piece,
    _cell_style,
    _Row,
    file_mark,
    fit,
    prompt_plain,
    status_parts,
)
from jimeng_tui.tui.widgets.history_table_keys import TableKeysMixin


class HistoryTable(TableKeysMixin, ScrollView, can_focus=True):
    """Every job of the current query, in the screen's order. Row keys are job ids (str)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("up", "cursor_up", "Cursor up", show=False),
        Binding("down", "cursor_down", "Cursor down", show=False),
        Binding("right", "scroll_right", "Scroll right", show=False),
        Binding("left", "scroll_left", "Scroll left", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("ctrl+home", "first_row", "Top", show=False),
        Binding("ctrl+end", "last_row", "Bottom", show=False),
        Binding("home", "scroll_home_x", "Home", show=False),
        Binding("end", "scroll_end_x", "End", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "history-table--header",
        "history-table--cursor",
        "history-table--hover",
        "history-table--odd-row",
        "history-table--even-row",
    }

    # The DataTable's look (Textual 8), under this widget's names.
    DEFAULT_CSS = TABLE_CSS
    model_name: Any = staticmethod(lambda model, width: model)  # the screen's: fitted_model_name

    class _RowMessage(Message):
        def __init__(self, table: HistoryTable, cursor_row: int, row_key: str) -> None:
            super().__init__()
            self.table = table
            self.cursor_row = cursor_row
            self.row_key = row_key

        @property
        def control(self) -> HistoryTable:
            return self.table

    class RowHighlighted(_RowMessage):
        """The cursor moved to another row (not sent when ``show_jobs`` replaces the rows:
        the screen that replaced them knows)."""

    class RowSelected(_RowMessage):
        """Enter, or a click on the highlighted row."""

    class NearEnd(Message):
        """The view reached the last ``NEAR_END`` loaded rows (scrolled with the mouse, say):
        time to load the next page."""

        def __init__(self, table: HistoryTable) -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> HistoryTable:
            return self.table

    class HeaderSelected(Message):
        """A click on a column's header."""

        def __init__(
            self,
            table: HistoryTable,
            column_key: ColumnKey,
            column_index: int,
            label: Text | str,
        ) -> None:
            super().__init__()
            self.table = table
            self.column_key = column_key
            self.column_index = column_index
            self.label = Text(label) if isinstance(label, str) else label

        @property
        def control(self) -> HistoryTable:
            return self.table

    def __init__(self, *, cell_padding: int = 1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cell_padding = cell_padding
        self._rows: dict[int, _Row] = {}
        self._previous: dict[int, _Row] = {}  # the rows of the last result (their cells, drawn)
        # the last file check of each job seen: a row that comes back in a later result shows
        # it at once instead of "…" (the screen checks the files of each new result again)
        self._known_files: dict[int, bool] = {}
        self._order: list[int] = []
        self._index: dict[int, int] | None = {}  # job id → row; None: rebuild when asked
        self._cursor = 0
        self._hover: int | None = None
        self._layout: Layout | None = None
        self._widths: tuple[int, ...] = NARROW.widths(24)
        self._sort = "newest"
        self.drawn = False  # whether a frame drew the rows since show_jobs replaced them
        self.columns: dict[str, Column] = {
            key: Column(ColumnKey(key), Text(label))
            for key, label in zip(COLUMN_KEYS, self._header_labels(), strict=True)
        }

    # ------------------------------------------------------------------ layout
    def on_mount(self) -> None:
        self._apply_layout(self.size.width or 80)

    def on_resize(self) -> None:
        self._apply_layout(self.size.width)

    def _apply_layout(self, width: int) -> None:
        if width <= 0:
            return
        layout = WIDE if width >= WIDE_AT else NARROW
        widths = layout.widths(layout.prompt_width(width, self.cell_padding))
        if layout == self._layout and widths == self._widths:
            return
        self._layout, self._widths = layout, widths
        for column, column_width in zip(self.columns.values(), widths, strict=True):
            column.width = column_width
        for row in self._rows.values():
            row.pieces = ()
        self._previous = {}
        self._update_virtual_size()
        self.refresh()

    @property
    def table_width(self) -> int:
        return sum(self._widths) + 2 * self.cell_padding * len(self._widths)

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(self.table_width, len(self._order) + 1)

    def _header_labels(self) -> tuple[str, ...]:
        arrow = {"newest": " ▼", "oldest": " ▲", "longest": " ▼", "shortest": " ▲"}[self._sort]
        date = "Date" + (arrow if self._sort in ("newest", "oldest") else "")
        length = "Len" + (arrow if self._sort in ("longest", "shortest") else "")
        return (date, "Prompt", "Model", length, "Status", "File")

    # ------------------------------------------------------------------ rendering
    def _pieces(self, row: _Row) -> tuple[Piece, ...]:
        """The row's cells at the current widths, padded and cut, with their own styles."""
        if row.pieces:
            return row.pieces
        job = row.job
        old = self._previous.get(job.id)  # type: ignore[arg-type]
        if old is not None and old.pieces and old.on_disk == row.on_disk and old.job == job:
            row.pieces = old.pieces  # typing on: most rows of the last result come back
            return row.pieces
        layout = self._layout or NARROW
        w_date, w_prompt, w_mode, w_length, w_status, w_file = self._widths
        pad = " " * self.cell_padding
        date = datetime.fromtimestamp(job.created_at).strftime(layout.date_format)
        cells: list[list[tuple[str, str]]] = [[(pad + fit(date, w_date) + pad, "")]]
        prompt_style = "" if job.prompt else "dim italic"
        if job.favourite:
            text = fit("★ " + prompt_plain(job), w_prompt)
            cells.append([(pad, ""), (text[:2], "bold yellow"), (text[2:] + pad, prompt_style)])
        else:
            cells.append([(pad + fit(prompt_plain(job), w_prompt) + pad, prompt_style)])
        cells.append([(pad + fit(self.model_name(job.mode, w_mode), w_mode) + pad, "")])
        cells.append([(pad + fit(length_cell(job), w_length) + pad, "")])
        icon, icon_style, label = status_parts(job)
        status = fit(f"{icon} {label}", w_status)
        split = len(icon)
        cells.append([(pad, ""), (status[:split], icon_style), (status[split:] + pad, "")])
        mark, mark_style = file_mark(job, row.on_disk)
        file = fit(mark, w_file)
        cells.append([(pad, ""), (file[: len(mark)], mark_style), (file[len(mark) :] + pad, "")])
        row.pieces = tuple(
            (text, _cell_style(style, column))
            for column, cell in enumerate(cells)
            for text, style in cell
            if text
        )
        return row.pieces

    def _row_styles(self, index: int) -> tuple[Style, Style | None]:
        """(the row's style, the style laid over each cell's own: the cursor's colour)."""
        get = self.get_component_rich_style
        style = get("history-table--odd-row" if index % 2 else "history-table--even-row")
        post = None
        if index == self._hover:
            style += get("history-table--hover")
        if index == self._cursor:
            cursor = get("history-table--cursor")
            style += cursor
            if cursor.color is not None:
                post = Style(color=cursor.color)
        return style, post

    def _row_strip(self, index: int, width: int) -> Strip:
        row = self._rows[self._order[index]]
        style, post = self._row_styles(index)
        if post is None:
            segments = [Segment(text, style + own) for text, own in self._pieces(row)]
        else:
            segments = [Segment(text, style + own + post) for text, own in self._pieces(row)]
        table_width = self.table_width
        if width > table_width:
            segments.append(Segment(" " * (width - table_width), style))
        return Strip(segments, max(width, table_width))

    def _header_strip(self, width: int) -> Strip:
        style = self.get_component_rich_style("history-table--header")
        pad = " " * self.cell_padding
        segments = [
            Segment(pad + fit(column.label.plain, column.width) + pad, style + _cell_style("", i))
            for i, column in enumerate(self.columns.values())
        ]
        table_width = self.table_width
        if width > table_width:
            segments.append(Segment(" " * (width - table_width), style))
        return Strip(segments, max(width, table_width))

    def render_line(self, y: int) -> Strip:
        self.drawn = True
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        if y == 0:
            strip = self._header_strip(width + scroll_x)
        else:
            index = scroll_y + y - 1
            if index >= len(self._order):
                return Strip.blank(width, self.rich_style)
            strip = self._row_strip(index, width + scroll_x)
        return strip.crop(scroll_x, scroll_x + width) if scroll_x else strip

    def _refresh_row(self, index: int | None) -> None:
        if index is None or not 0 <= index < len(self._order):
            return
        line = index + 1 - self.scroll_offset.y
        if 1 <= line < self.size.height:
            self.refresh(Region(0, line, self.size.width, 1))

    # ------------------------------------------------------------------ cursor & mouse
    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def row_count(self) -> int:
        return len(self._order)

    @property
    def visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def move_cursor(
        self,
        *,
        row: int | None = None,
        column: int | None = None,
        animate: bool = False,
        scroll: bool = True,
    ) -> None:
        """Put the cursor on ``row`` (clamped to the rows there are); ``column`` is ignored
        (a row cursor), as with the DataTable's row cursor."""
        if row is None:
            return
        row = max(0, min(row, len(self._order) - 1))
        old = self._cursor
        self._cursor = row
        if row != old:
            self._refresh_row(old)
            self._refresh_row(row)
            if self._order:
                self.post_message(self.RowHighlighted(self, row, str(self._order[row])))
        if scroll:
            self._scroll_cursor_into_view(animate=animate)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        bottom = round(new_value) + self.visible_rows
        if round(new_value) > round(old_value) and bottom >= len(self._order) - NEAR_END:
            self.post_message(self.NearEnd(self))

    def _scroll_cursor_into_view(self, animate: bool = False) -> None:
        top = int(self.scroll_y)
        visible = self.visible_rows
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=animate, force=True)
        elif self._cursor >= top + visible:
            self.scroll_to(y=self._cursor - visible + 1, animate=animate, force=True)

    def _keyboard(self) -> None:
        """Keys hide the hover highlight (as the DataTable does)."""
        if self._hover is not None:
            hover, self._hover = self._hover, None
            self._refresh_row(hover)

    def _row_at(self, event: events.MouseEvent) -> int | None:
        """The row under the mouse; -1 for the header; None for neither."""
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        if offset.y == 0:
            return -1
        index = self.scroll_offset.y + offset.y - 1
        return index if 0 <= index < len(self._order) else None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        index = self._row_at(event)
        hover = index if index is not None and index >= 0 else None
        if hover != self._hover:
            old, self._hover = self._hover, hover
            self._refresh_row(old)
            self._refresh_row(hover)

    def on_leave(self, event: events.Leave) -> None:
        self._keyboard()

    def on_click(self, event: events.Click) -> None:
        index = self._row_at(event)
        if index is None:
            return
        event.stop()
        if index == -1:
            offset = event.get_content_offset(self)
            x = (offset.x if offset else 0) + self.scroll_offset.x
            for number, column in enumerate(self.columns.values()):
                x -= column.width + 2 * self.cell_padding
                if x < 0:
                    self.post_message(self.HeaderSelected(self, column.key, number, column.label))
                    break
            return
        if index == self._cursor:
            self.post_message(self.RowSelected(self, index, str(self._order[index])))
        else:
            self.move_cursor(row=index, animate=True)

    # ------------------------------------------------------------------ data
    @property
    def job_ids(self) -> list[int]:
        return list(self._order)

    @property
    def loaded(self) -> int:
        return len(self._order)

    def job(self, job_id: int) -> Job | None:
        row = self._rows.get(job_id)
        return row.job if row else None

    @property
    def highlighted_id(self) -> int | None:
        if not self._order:
            return None
        return self._order[min(max(self._cursor, 0), len(self._order) - 1)]

    def get_row_index(self, row_key: str | int) -> int:
        if self._index is None:
            self._index = {job_id: i for i, job_id in enumerate(self._order)}
        return self._index[int(row_key)]

    def get_cell(self, row_key: str | int, column_key: str) -> str:
        """The text a cell shows (uncut), like the DataTable's ``get_cell``."""
        row = self._rows[int(row_key)]
        job = row.job
        layout = self._layout or NARROW
        if column_key == "date":
            return datetime.fromtimestamp(job.created_at).strftime(layout.date_format)
        if column_key == "prompt":
            return ("★ " if job.favourite else "") + prompt_plain(job)
        if column_key == "mode":
            return job.mode
        if column_key == "length":
            return length_cell(job)
        if column_key == "status":
            icon, _style_name, label = status_parts(job)
            return f"{icon} {label}"
        if column_key == "file":
            return file_mark(job, row.on_disk)[0]
        raise KeyError(column_key)

    def set_order(self, order: str) -> None:
        """Mark the sorted column in the header (the screen re-queries)."""
        if order == self._sort:
            return
        self._sort = order
        for column, label in zip(self.columns.values(), self._header_labels(), strict=True):
            column.label = Text(label)
        self.refresh(Region(0, 0, self.size.width, 1))

    def show_jobs(self, jobs: list[Job]) -> None:
        """Replace every row (a new search, filter or order); the cursor goes to the top.
        Rows are formatted when they are drawn: only the ones on screen."""
        known = self._known_files
        self._previous = self._rows
        self._rows = {job.id: _Row(job, known.get(job.id)) for job in jobs if job.id is not None}
        self._order = list(self._rows)
        self._index = None
        self._cursor = 0
        self._hover = None
        self._update_virtual_size()
        self.scroll_to(y=0, animate=False, force=True)
        self.drawn = False
        self.refresh()

    def append_jobs(self, jobs: list[Job]) -> None:
        """Add the next page under the loaded rows (rows already shown are skipped)."""
        first = len(self._order)
        for job in jobs:
            if job.id is not None and job.id not in self._rows:
                self._rows[job.id] = _Row(job, self._known_files.get(job.id))
                self._order.append(job.id)
        if len(self._order) == first:
            return
        self._index = None
        self._update_virtual_size()
        if first - self.scroll_offset.y < self.size.height:  # new rows come into view
            self.refresh()

    def update_job(self, job: Job) -> None:
        """Show a changed job (favourite, state, re-downloaded file) in its row."""
        row = self._rows.get(job.id) if job.id is not None else None
        if row is None:
            return
        row.job = job
        row.pieces = ()
        self._refresh_row(self.get_row_index(job.id or 0))

    def remove_job(self, job_id: int) -> None:
        if job_id not in self._rows:
            return
        index = self.get_row_index(job_id)
        del self._rows[job_id]
        self._known_files.pop(job_id, None)
        self._order.pop(index)
        self._index = None
        if self._hover is not None and self._hover >= len(self._order):
            self._hover = None
        self._cursor = max(0, min(self._cursor, len(self._order) - 1))
        self._update_virtual_size()
        self.refresh()

    def set_on_disk(self, found: dict[int, bool]) -> None:
        """The result of the screen's file check for some rows."""
        if len(self._known_files) > KNOWN_FILES:
            self._known_files.clear()
        self._known_files.update(found)
        for job_id, exists in found.items():
            row = self._rows.get(job_id)
            if row is not None and row.on_disk != exists:
                row.on_disk = exists
                row.pieces = ()
                self._refresh_row(self.get_row_index(job_id))

    def on_disk(self, job_id: int) -> bool | None:
        row = self._rows.get(job_id)
        return row.on_disk if row else None
