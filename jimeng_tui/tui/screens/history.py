"""History: review, search and reuse every past generation (issue 7).

``HistoryScreen(engine)`` is pushed by the app. It reads ``engine.history`` in thread workers, a
page of ``PAGE_SIZE`` rows at a time, newest first; the next page loads when the cursor nears the
end. (One read runs on Textual's loop: the opening page, unfiltered, one walk of the date index,
and only when no other thread holds the history.) Searching is debounced and runs in an
exclusive worker, so a stale search never overwrites a newer one; its rows are drawn at once,
while the count, the file check and the details wait until typing pauses. Whether each file is
still on disk is checked in a thread for the rows of the page just shown.

What the screen uses of the app, when it has them: ``start_job(request)`` (re-run through the
app's job worker), ``load_request(request)`` (fill the form), ``copy_to_clipboard`` and
``notify``. Without ``start_job`` the screen calls ``runner.create`` and runs
``runner.drive(job_id)`` in an app worker of group ``"jobs"`` (it outlives this screen).

The screen's parts: ``history_pages.py`` reads the rows, ``history_detail_pane.py`` shows the
highlighted job, ``history_actions.py`` acts on it (with the dialogs of ``history_dialogs.py``)
and ``history_gc.py`` holds the garbage collector while the user waits.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from jimeng_tui.domain.job import Job
from jimeng_tui.jobs.report import failure_hint
from jimeng_tui.tui.commands import ActionCommands
from jimeng_tui.tui.model_names import fitted_model_name
from jimeng_tui.tui.screens.history_actions import HistoryActionsMixin
from jimeng_tui.tui.screens.history_detail_pane import HistoryDetailPaneMixin
from jimeng_tui.tui.screens.history_dialogs import DeleteJobScreen, ExportScreen
from jimeng_tui.tui.screens.history_files import delete_job_files, job_files
from jimeng_tui.tui.screens.history_gc import GcHold
from jimeng_tui.tui.screens.history_pages import HistoryPagesMixin
from jimeng_tui.tui.screens.previews import HistoryPreviewMixin
from jimeng_tui.tui.service_text import mode_labels, mode_names
from jimeng_tui.tui.system import system_open
from jimeng_tui.tui.widgets.history_cells import ORDER_LABELS
from jimeng_tui.tui.widgets.history_detail import HistoryDetail
from jimeng_tui.tui.widgets.history_filters import FilterValues, HistoryFilters
from jimeng_tui.tui.widgets.history_table import HistoryTable
from jimeng_tui.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from jimeng_tui.jobs.engine import Engine

__all__ = [
    "PAGE_SIZE",
    "DeleteJobScreen",
    "ExportScreen",
    "HistoryCommands",
    "HistoryScreen",
    "delete_job_files",
    "job_files",
]

PAGE_SIZE = 200
LOOKAHEAD = 40  # load the next page when the cursor is this close to the last loaded row
DEBOUNCE_S = 0.1
DETAIL_DELAY_S = 0.05  # holding ↓ does not render every job on the way
ORDERS = ("newest", "oldest", "longest", "shortest")

# (action, title, help) — the screen's commands in the palette.
PALETTE: tuple[tuple[str, str, str], ...] = (
    ("rerun", "History: re-run job", "Run the highlighted job again: same parameters and seed"),
    ("load", "History: load job into form", "Put the job's parameters in the form to edit"),
    ("favourite", "History: toggle favourite", "Mark or unmark the highlighted job with ★"),
    ("open_file", "History: open video", "Play the job's file in the system player"),
    ("open_folder", "History: open folder", "Open the folder holding the job's file"),
    ("copy_url", "History: copy video URL", "Copy the job's download link"),
    ("copy_path", "History: copy file path", "Copy the job's saved path"),
    ("redownload", "History: download again", "Fetch the video again (fresh link, task < 12 h)"),
    ("delete", "History: delete entry", "Remove the job from the history (and its files)"),
    ("export", "History: export rows", "Write the filtered rows to a JSON or CSV file"),
    ("sort", "History: change order", "Newest, oldest, longest or shortest first"),
    ("search", "History: search", "Search prompts as you type"),
    ("back", "History: close", "Back to the studio"),
)


class HistoryCommands(ActionCommands):
    """The History screen's actions in the command palette."""

    PALETTE = PALETTE

    def target(self) -> HistoryScreen | None:
        return self.screen if isinstance(self.screen, HistoryScreen) else None


# The mixins hold methods only: the state they share is set up in __init__ below, and every
# message handler (``@on``, ``on_*``) stays here, since Textual collects ``@on`` handlers only
# from classes that are themselves message pumps.
class HistoryScreen(
    HistoryActionsMixin,
    HistoryDetailPaneMixin,
    HistoryPagesMixin,
    HistoryPreviewMixin,
    Screen[None],
):
    """Every job ever run: search, filters, details, and the actions that reuse a job."""

    TITLE = "History"
    COMMANDS: ClassVar[set[Any]] = {HistoryCommands}
    AUTO_FOCUS = "#hs-table"  # not the first focusable (the search box), then the list
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]

    DEFAULT_CSS = """
    HistoryScreen { layout: vertical; }
    HistoryScreen #hs-title {
        width: 1fr;
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text;
        margin-bottom: 1;
    }
    HistoryScreen #hs-body { height: 1fr; layout: horizontal; }
    HistoryScreen HistoryTable {
        width: 3fr;
        height: 1fr;
        border: round $primary 60%;
        border-subtitle-color: $text-muted;
    }
    HistoryScreen HistoryTable:focus { border: round $primary; }
    HistoryScreen HistoryDetail {
        width: 2fr;
        min-width: 40;
        height: 1fr;
        border: round $secondary 60%;
        border-subtitle-color: $text-muted;
    }
    HistoryScreen.-narrow #hs-title { margin-bottom: 0; }
    HistoryScreen.-narrow HistoryFilters { margin-bottom: 0; }
    HistoryScreen.-narrow #hs-body { layout: vertical; }
    HistoryScreen.-narrow HistoryTable {
        width: 1fr;
        height: 1fr;
        border: none;
        border-bottom: solid $primary 60%;
    }
    HistoryScreen.-narrow HistoryTable:focus { border: none; border-bottom: solid $primary; }
    HistoryScreen.-narrow HistoryDetail {
        width: 1fr;
        min-width: 0;
        height: 45%;
        border: none;
    }
    """

    BINDINGS: ClassVar[list[Any]] = [
        Binding("escape", "back", "Back", id="history.back", tooltip="Back to the studio"),
        Binding("slash", "search", "Search", id="history.search", tooltip="Search prompts"),
        Binding("r", "rerun", "Re-run", id="history.rerun", tooltip="Same parameters and seed"),
        Binding("l", "load", "Load", id="history.load", tooltip="Load into the form to edit"),
        Binding("f", "favourite", "★", id="history.favourite", tooltip="Toggle favourite"),
        Binding("o", "open_file", "Open", id="history.open", tooltip="Play in the system player"),
        Binding("v", "play_preview", "Play", id="history.play", show=False, tooltip="In here"),
        Binding("P", "copy_file_link", "Copy file:// link", id="history.copy_link", show=False),
        Binding("m", "mark_compare", "Mark", id="history.mark", show=False, tooltip="To compare"),
        Binding("equals_sign", "compare", "Compare", id="history.compare", show=False),
        Binding(
            "O", "open_folder", "Folder", id="history.open_folder", show=False, tooltip="Folder"
        ),
        Binding("c", "copy_url", "Copy URL", id="history.copy_url", show=False),
        Binding("p", "copy_path", "Copy path", id="history.copy_path", show=False),
        Binding(
            "d",
            "redownload",
            "Re-download",
            id="history.redownload",
            tooltip="Fetch the video again with a fresh link (task < 12 h)",
        ),
        Binding("x,delete", "delete", "Delete", id="history.delete", tooltip="Delete the entry"),
        Binding("e", "export", "Export", id="history.export", tooltip="Filtered rows → JSON/CSV"),
        Binding("s", "sort", "Sort", id="history.sort", tooltip="Date or duration order"),
        Binding("dollar_sign", "app.spend", "Spend", id="history.spend", show=False),
    ]

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], float] = time.time,
        opener: Callable[[Path], None] | None = None,
        page_size: int = PAGE_SIZE,
        debounce_s: float = DEBOUNCE_S,
        posters: bool = True,
    ) -> None:
        super().__init__()
        self.engine = engine
        self.clock = clock
        self.opener = opener or system_open
        self.page_size = page_size
        self.debounce_s = debounce_s
        self.posters_enabled = posters
        self.filters_values = FilterValues()
        self.order = "newest"
        self.total: int | None = None
        self.generation = 0
        self._loading_more = False
        self._exhausted = False
        self._settle_timer: Timer | None = None
        self._footer_state: tuple[bool | None, ...] = ()
        self._search_timer: Timer | None = None
        self._detail_timer: Timer | None = None
        self._posters: OrderedDict[int, Any] = OrderedDict()
        self._refreshing = False
        self._gc_hold = GcHold(self)
        self._paint_pending = False  # new rows to draw as soon as the screen is idle
        self._title = ""
        self._after_paint: Callable[[], None] | None = None
        # timings for the benchmark and the log: (perf_counter) and milliseconds
        self.opened_at = time.perf_counter()
        self.first_page_ms: float | None = None
        self.last_query_ms: float | None = None
        self.last_update_ms: float | None = None
        self.updates = 0  # pages shown (replaced) so far

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        self._gc_hold.hold()  # until the first page is on screen
        yield Static("History", id="hs-title")
        yield HistoryFilters(modes=mode_names(), id="hs-filters")
        with Container(id="hs-body"):
            table = HistoryTable(id="hs-table")
            table.model_name = fitted_model_name  # seedance-2.0, not doubao-seedance-2-0-260128
            yield table
            yield HistoryDetail(mode_labels=mode_labels(), hint=failure_hint, id="hs-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.table.border_title = "Jobs"
        self.detail.border_title = "Details"
        self.table.focus()
        self._first_page_now()
        self.set_interval(1.0, self._tick, name="history-clock")
        self._gc_hold.start_timer()

    def on_unmount(self) -> None:
        self._gc_hold.close()

    # ------------------------------------------------------------------ frames
    def on_idle(self) -> None:
        if self._paint_pending:
            self._paint_now()

    def _paint_now(self) -> None:
        """Draw the new rows at once, then run what waited for them (``_after_paint``).

        Called when the screen is idle (the table's repaint request has reached it): the rows
        would otherwise wait for Textual's frame timer, which, after a frame drawn at once
        following a quiet spell (the echo of the keystroke in the search box), skips a tick:
        17-33 ms more before the user sees them. Drawing the frame here costs what it would
        have cost then. (Should a later Textual lack the timer's method, rows wait for it.)"""
        update = getattr(self, "_on_timer_update", None)
        if callable(update) and self.is_current:
            update()
        # (a table with no room to draw in counts as drawn: what waits for it must still run)
        table = self.table
        if table.drawn or not self.is_current or not table.region.height:
            self._paint_pending = False
            then, self._after_paint = self._after_paint, None
            if then is not None:
                then()

    @property
    def table(self) -> HistoryTable:
        return self.query_one(HistoryTable)

    @property
    def detail(self) -> HistoryDetail:
        return self.query_one(HistoryDetail)

    @property
    def filters(self) -> HistoryFilters:
        return self.query_one(HistoryFilters)

    @property
    def highlighted(self) -> Job | None:
        table = self.table
        job_id = table.highlighted_id
        return table.job(job_id) if job_id is not None else None

    def _post(self, callback: Callable[..., Any], *args: Any) -> bool:
        """Run ``callback`` on the loop from a worker thread, unless the worker was cancelled."""
        if get_current_worker().is_cancelled:
            return False
        try:
            self.app.call_from_thread(callback, *args)
        except RuntimeError:  # the app is closing
            return False
        return True

    # ------------------------------------------------------------------ filters & sorting
    @on(HistoryFilters.Changed)
    def _filters_changed(self, event: HistoryFilters.Changed) -> None:
        self.filters_values = event.values
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        if event.typing:
            self._gc_hold.hold()
            if self._settle_timer is not None:  # the user is still typing: details can wait
                self._settle_timer.stop()
                self._settle_timer = None
        if event.typing and self.debounce_s > 0:
            self._search_timer = self.set_timer(self.debounce_s, self._debounced)
        else:
            self._reload()

    def _debounced(self) -> None:
        self._search_timer = None
        self._reload()

    @on(Input.Submitted, "#hf-search")
    def _search_submitted(self) -> None:
        self.table.focus()

    def set_order(self, order: str) -> None:
        if order not in ORDERS or order == self.order:
            return
        self.order = order
        self._reload()

    def action_sort(self) -> None:
        self.set_order(ORDERS[(ORDERS.index(self.order) + 1) % len(ORDERS)])
        self.notify(f"Sorted {ORDER_LABELS[self.order]}.", timeout=2)

    @on(HistoryTable.HeaderSelected)
    def _header_selected(self, event: HistoryTable.HeaderSelected) -> None:
        event.stop()
        key = event.column_key.value
        if key == "date":
            self.set_order("oldest" if self.order == "newest" else "newest")
        elif key == "length":
            self.set_order("shortest" if self.order == "longest" else "longest")

    @on(HistoryTable.NearEnd)
    def _near_end(self, event: HistoryTable.NearEnd) -> None:
        event.stop()
        self._load_more()

    # ------------------------------------------------------------------ detail pane
    @on(HistoryTable.RowHighlighted)
    def _row_highlighted(self, event: HistoryTable.RowHighlighted) -> None:
        event.stop()
        if event.cursor_row >= self.table.loaded - LOOKAHEAD:
            self._load_more()
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(DETAIL_DELAY_S, self._show_detail_now)
        self._refresh_footer()
