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
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Button, Input, Static
from textual.worker import get_current_worker

from jimeng_tui.api.errors import JimengError
from jimeng_tui.api.request import GenerationRequest
from jimeng_tui.jobs.model import Job, JobState
from jimeng_tui.store.history import HistoryQuery
from jimeng_tui.tui.commands import ActionCommands
from jimeng_tui.tui.system import system_open
from jimeng_tui.tui.widgets.history_detail import HistoryDetail, link_status
from jimeng_tui.tui.widgets.history_filters import FilterValues, HistoryFilters
from jimeng_tui.tui.widgets.history_table import ORDER_LABELS, HistoryTable
from jimeng_tui.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from jimeng_tui.jobs.engine import Engine

S = JobState
PAGE_SIZE = 200
LOOKAHEAD = 40  # load the next page when the cursor is this close to the last loaded row
DEBOUNCE_S = 0.1
DETAIL_DELAY_S = 0.05  # holding ↓ does not render every job on the way
SETTLE_S = 0.15  # after a search result, wait this long for more typing before counting
GC_HOLD_S = 2.0  # the longest the cyclic GC waits while the screen opens or the user types
POSTER_CACHE = 32
ORDERS = ("newest", "oldest", "longest", "shortest")
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


def job_files(job: Job) -> list[Path]:
    """The files a job wrote: the video, its sidecar and the service's own file."""
    files = []
    for name in (job.path, job.sidecar_path, job.source_path):
        if name and Path(name) not in files:
            files.append(Path(name))
    return files


def delete_job_files(job: Job, *, extra: Iterable[Path] = ()) -> list[Path]:
    """Remove the job's files (blocking); returns the ones that were removed."""
    removed = []
    for path in [*job_files(job), *extra]:
        try:
            if path.is_file() or path.is_symlink():
                path.unlink()
                removed.append(path)
        except FileNotFoundError:
            continue
    return removed


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


class DeleteJobScreen(ModalScreen[str | None]):
    """Delete the entry, or the entry and its files. Returns "entry", "files" or None."""

    DEFAULT_CSS = """
    DeleteJobScreen, ExportScreen {
        align: center middle;
        background: $background 60%;
    }
    #history-delete, #history-export {
        width: 90%;
        max-width: 80;
        height: auto;
        max-height: 95%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    #history-delete .confirm-text, #history-export .confirm-text { margin-top: 1; }
    #history-delete .dialog-buttons, #history-export .dialog-buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    #history-delete Button, #history-export Button { margin-left: 2; }
    #history-export Input { width: 1fr; margin-top: 1; }
    #history-export #export-error { color: $error; height: auto; }
    """

    BINDINGS: ClassVar[list[Any]] = [
        Binding("escape", "cancel", "Cancel", id="history.delete.cancel")
    ]

    def __init__(self, job: Job, files: list[Path]) -> None:
        super().__init__()
        self.job = job
        self.files = files

    def compose(self) -> ComposeResult:
        excerpt = " ".join((self.job.prompt or self.job.mode).split())
        if len(excerpt) > 48:
            excerpt = excerpt[:47].rstrip() + "…"
        text = f"Remove job {self.job.id} ({excerpt}) from the history?"
        if self.files:
            listed = "\n".join(f"  {p}" for p in self.files)
            text += f"\n\nIts files stay on disk unless you choose “Delete files too”:\n{listed}"
        with Vertical(classes="dialog", id="history-delete") as box:
            box.border_title = "Delete history entry"
            yield Static(text, classes="confirm-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Delete entry", id="entry", variant="primary", compact=True)
                if self.files:
                    yield Button("Delete files too", id="files", variant="error", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "cancel" else event.button.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ExportScreen(ModalScreen[Path | None]):
    """Ask where to write the filtered rows; the suffix (.json / .csv) chooses the format."""

    DEFAULT_CSS = DeleteJobScreen.DEFAULT_CSS

    BINDINGS: ClassVar[list[Any]] = [
        Binding("escape", "cancel", "Cancel", id="history.export.cancel")
    ]

    def __init__(self, default: Path, count: int | None) -> None:
        super().__init__()
        self.default = default
        self.count = count

    def compose(self) -> ComposeResult:
        rows = "every row" if self.count is None else f"{self.count:,} row(s)"
        with Vertical(classes="dialog", id="history-export") as box:
            box.border_title = "Export history"
            yield Static(
                f"Write {rows} of the current search and filters to a new file. "
                "End the name in .json or .csv; an existing file is never replaced.",
                classes="confirm-text",
            )
            yield Input(str(self.default), id="export-path")
            yield Static("", id="export-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Export", id="export", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    def _accept(self) -> None:
        text = self.query_one("#export-path", Input).value.strip()
        error = self.query_one("#export-error", Static)
        if not text:
            error.update("Type a file name.")
            return
        path = Path(text).expanduser()
        if path.suffix.lower() not in (".json", ".csv"):
            error.update("The name must end in .json or .csv.")
            return
        self.dismiss(path)

    @on(Input.Submitted, "#export-path")
    def _submitted(self) -> None:
        self._accept()

    @on(Button.Pressed, "#export")
    def _export(self) -> None:
        self._accept()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class HistoryScreen(Screen[None]):
    """Every job ever run: search, filters, details, and the actions that reuse a job."""

    TITLE = "History"
    COMMANDS: ClassVar[set[Any]] = {HistoryCommands}
    AUTO_FOCUS = "#hs-table"  # not the first focusable (the search box), then the list
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (120, "-wide")]

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
        self._gc_held = False
        self._gc_timer: Timer | None = None
        self._froze_heap = False
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
        self._hold_gc()  # until the first page is on screen
        yield Static("History", id="hs-title")
        yield HistoryFilters(id="hs-filters")
        with Container(id="hs-body"):
            yield HistoryTable(id="hs-table")
            yield HistoryDetail(id="hs-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.table.border_title = "Jobs"
        self.detail.border_title = "Details"
        self.table.focus()
        self._first_page_now()
        self.set_interval(1.0, self._tick, name="history-clock")
        if self._gc_held and self._gc_timer is None:
            self._gc_timer = self.set_timer(GC_HOLD_S, self._release_gc)

    def on_unmount(self) -> None:
        self._release_gc()
        if self._froze_heap:
            self._froze_heap = False
            gc.unfreeze()  # what this screen left behind can be collected again

    # ------------------------------------------------------------------ frames
    def _hold_gc(self) -> None:
        """Hold the cyclic garbage collector while the user waits on this screen: while it
        opens, and through a burst of typing in the search box. A full collection of a big
        heap takes tens of milliseconds, and one landing on a keystroke doubles its wait; it
        runs when the typing pauses instead (Textual holds it the same way while it scrolls,
        the app while it draws its first screen). Released by ``_release_gc``, at the latest
        GC_HOLD_S after it began."""
        if self._gc_held or not gc.isenabled():
            return  # already held (here, or by the app while it starts)
        gc.disable()
        self._gc_held = True
        if self.is_mounted:
            self._gc_timer = self.set_timer(GC_HOLD_S, self._release_gc)

    def _release_gc(self) -> None:
        if self._gc_timer is not None:
            self._gc_timer.stop()
            self._gc_timer = None
        if self._gc_held:
            self._gc_held = False
            gc.enable()

    def _freeze_heap(self) -> None:
        """Once the screen is up: move every object alive now (the app, this screen) out of the
        collector's sight until the screen closes (``gc.freeze``). A full collection then looks
        at what was made since (the rows of recent searches) and takes well under a
        millisecond, instead of 50 ms or more over the whole heap, whenever it falls on a
        keystroke. Unfreezing is all or nothing: closing the screen also ends the app's own
        freeze of its first screen, which only served that first frame."""
        if not self._froze_heap:
            gc.collect(1)  # not the young garbage of opening the screen (a few ms)
            gc.freeze()
            self._froze_heap = True

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

    # ------------------------------------------------------------------ queries
    def query_for(self, *, offset: int = 0, limit: int | None = None) -> HistoryQuery:
        f = self.filters_values
        return HistoryQuery(
            text=f.text.strip(),
            status=f.status,
            mode=f.mode,
            since=f.since,
            until=f.until,
            favourite=f.favourite,
            order=self.order,
            limit=self.page_size if limit is None else limit,
            offset=offset,
        )

    def _first_page_now(self) -> None:
        """The opening page, read here and now, so that the first frame shows the list: with no
        search or filter yet it is one walk of the date index, PAGE_SIZE rows (~2 ms on 100,000
        jobs). From a worker, like every other page, when another thread has the history."""
        query = self.query_for()
        started = time.perf_counter()
        try:
            jobs = self.engine.history.query_if_free(query)
        except (JimengError, sqlite3.Error):  # the worker tries again and reports it its way
            jobs = None
        if jobs is None:
            self._reload()
            return
        self.generation += 1
        self._started_at = started
        query_ms = (time.perf_counter() - started) * 1000
        self._first_page_loaded(self.generation, jobs, query_ms, query)

    def _reload(self) -> None:
        """Query the first page again (new search, filter or order)."""
        self.generation += 1
        # the count of the last result is no longer wanted: stop it rather than let it take
        # the CPU from this query (it runs on a connection of its own: it holds no lock)
        self.engine.history.interrupt_counts()
        self._loading_more = False
        self._started_at = time.perf_counter()
        self.run_worker(
            partial(self._load_first_page, self.generation, self.query_for()),
            thread=True,
            exclusive=True,
            group="history-page",
            name="history-page",
            exit_on_error=False,
        )

    def _post(self, callback: Callable[..., Any], *args: Any) -> bool:
        """Run ``callback`` on the loop from a worker thread, unless the worker was cancelled."""
        if get_current_worker().is_cancelled:
            return False
        try:
            self.app.call_from_thread(callback, *args)
        except RuntimeError:  # the app is closing
            return False
        return True

    def _load_first_page(self, generation: int, query: HistoryQuery) -> None:
        history = self.engine.history
        started = time.perf_counter()
        try:
            jobs = history.query(query)
        except JimengError as exc:
            self._post(self._query_failed, generation, str(exc))
            return
        query_ms = (time.perf_counter() - started) * 1000
        self._post(self._first_page_loaded, generation, jobs, query_ms, query)

    def _count_thread(self, generation: int, query: HistoryQuery) -> None:
        try:
            total = self.engine.history.count(replace(query, limit=None, offset=0))
        except JimengError:  # interrupted by a newer search (or unreadable: the title says "+")
            return
        self._post(self._count_loaded, generation, total)

    def _query_failed(self, generation: int, message: str) -> None:
        if generation == self.generation:
            self.notify(message, title="History", severity="error")

    def _first_page_loaded(
        self, generation: int, jobs: list[Job], query_ms: float, query: HistoryQuery
    ) -> None:
        if generation != self.generation:
            return
        table = self.table
        table.set_order(self.order)
        table.show_jobs(jobs)
        self._paint_pending = True
        self.total = None
        self._exhausted = len(jobs) < self.page_size
        if self._exhausted:
            self.total = len(jobs)
        now = time.perf_counter()
        self.last_query_ms = query_ms
        self.last_update_ms = (now - self._started_at) * 1000
        if self.first_page_ms is None:
            self.first_page_ms = (now - self.opened_at) * 1000
            self.log.info(f"history: first page after {self.first_page_ms:.0f} ms")
        self.updates += 1
        self._update_title(after_paint=self.updates > 1)
        # The count, the file check and the details wait until typing pauses: while the user
        # types, each keystroke only costs one page query and the table update (its rows are
        # drawn first, in the next turn of the loop).
        if self._settle_timer is not None:
            self._settle_timer.stop()
        settle = partial(self._settle, generation, jobs, query)
        if self.updates == 1:
            self._after_paint = settle
        else:
            self._settle_timer = self.set_timer(SETTLE_S, settle)

    def _settle(self, generation: int, jobs: list[Job], query: HistoryQuery) -> None:
        self._settle_timer = None
        if generation != self.generation:
            return
        self._release_gc()
        self._freeze_heap()
        if self.total is None:
            self.run_worker(
                partial(self._count_thread, generation, query),
                thread=True,
                exclusive=True,
                group="history-count",
                name="history-count",
                exit_on_error=False,
            )
        self._check_files(jobs)
        job = self.highlighted
        if job is None or job.id is None or not job.path or self.table.on_disk(job.id) is not None:
            self._show_detail_now()
        # else the file check shows it, once, with the answer (not "checking…", then again)

    def _count_loaded(self, generation: int, total: int) -> None:
        if generation != self.generation:
            return
        self.total = total
        self._update_title()

    def _update_title(self, *, after_paint: bool = False) -> None:
        """The title line (count, order) and the list's "N loaded" subtitle. With
        ``after_paint``, a changed title waits until the new rows are drawn: the title spans
        the screen, and the frame that drew it with the rows redrew the filters and the detail
        pane too (Textual redraws the rectangle around everything that changed)."""
        loaded = self.table.loaded
        if self.total is None:
            count = f"{loaded:,}{'+' if loaded >= self.page_size else ''} jobs"
        elif self.filters_values.active:
            count = f"{self.total:,} match{'es' if self.total != 1 else ''}"
        else:
            count = f"{self.total:,} job{'s' if self.total != 1 else ''}"
        sandbox = " · sandbox" if getattr(self.engine, "is_sandbox", False) else ""
        title = f"History{sandbox} · {count} · {ORDER_LABELS[self.order]}"
        if title != self._title and after_paint and self._paint_pending:
            self._after_paint = self._update_title
        elif title != self._title:
            self._title = title
            self.query_one("#hs-title", Static).update(title, layout=False)  # one line, all wide
        shown = f"{loaded:,} loaded" if self.total is None or loaded < self.total else ""
        if shown != self.table.border_subtitle:
            self.table.border_subtitle = shown

    def _load_more(self) -> None:
        table = self.table
        if self._loading_more or self._exhausted:
            return
        if self.total is not None and table.loaded >= self.total:
            return
        self._loading_more = True
        self.run_worker(
            partial(self._load_next_page, self.generation, self.query_for(offset=table.loaded)),
            thread=True,
            group="history-more",
            name="history-more",
            exit_on_error=False,
        )

    def _load_next_page(self, generation: int, query: HistoryQuery) -> None:
        try:
            jobs = self.engine.history.query(query)
        except JimengError as exc:
            self._post(self._query_failed, generation, str(exc))
            jobs = []
        self._post(self._next_page_loaded, generation, jobs)

    def _next_page_loaded(self, generation: int, jobs: list[Job]) -> None:
        self._loading_more = False
        if generation != self.generation:
            return
        self._exhausted = len(jobs) < self.page_size
        self.table.append_jobs(jobs)
        self._update_title()
        self._check_files(jobs)

    # ------------------------------------------------------------------ files on disk
    def _check_files(self, jobs: list[Job]) -> None:
        targets = [(job.id, job.path) for job in jobs if job.id is not None and job.path]
        if targets:
            self.run_worker(
                partial(self._files_thread, self.generation, targets),
                thread=True,
                group="history-files",
                name="history-files",
                exit_on_error=False,
            )

    def _files_thread(self, generation: int, targets: list[tuple[int, str]]) -> None:
        found = {}
        for job_id, path in targets:
            try:
                found[job_id] = Path(path).is_file()
            except OSError:
                found[job_id] = False
        self._post(self._files_checked, generation, found)

    def _files_checked(self, generation: int, found: dict[int, bool]) -> None:
        if generation != self.generation:
            # rows of an older page may still be shown (same ids): the answer is still true
            found = {k: v for k, v in found.items() if self.table.job(k) is not None}
        self.table.set_on_disk(found)
        job = self.highlighted
        if job is not None and job.id in found:
            self._show_detail_now()

    # ------------------------------------------------------------------ filters & sorting
    @on(HistoryFilters.Changed)
    def _filters_changed(self, event: HistoryFilters.Changed) -> None:
        self.filters_values = event.values
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        if event.typing:
            self._hold_gc()
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

    def _link_text(self, job: Job | None) -> str:
        if job is None:
            return ""
        settings = self.engine.runner.settings
        return link_status(job, self.clock(), settings.link_lifetime_s, settings.task_lifetime_s)

    def _show_detail_now(self) -> None:
        self._detail_timer = None
        job = self.highlighted
        detail = self.detail
        on_disk = self.table.on_disk(job.id) if job and job.id is not None else None
        detail.show_job(job, on_disk=on_disk, link=self._link_text(job))
        if job is not None and job.id is not None and job.id in self._posters:
            detail.set_poster(self._posters[job.id])
        elif job is not None and job.state is S.SAVED and job.path and on_disk:
            self._make_poster(job)
        self._refresh_footer()

    def _make_poster(self, job: Job) -> None:
        if not self.posters_enabled or job.id is None or not job.path:
            return
        self.run_worker(
            partial(self._poster_thread, job.id, Path(job.path)),
            thread=True,
            exclusive=True,
            group="history-poster",
            name="history-poster",
            exit_on_error=False,
        )

    def _poster_thread(self, job_id: int, video: Path) -> None:
        image = None
        with contextlib.suppress(Exception):
            from PIL import Image

            from jimeng_tui.jobs.media import extract_poster

            dest = self.engine.paths.cache_dir / "posters" / f"job-{job_id}.png"
            if not dest.exists() or dest.stat().st_mtime < video.stat().st_mtime:
                extract_poster(video, dest)
            with Image.open(dest) as img:
                img.thumbnail((320, 320))
                image = img.convert("RGB")
        if image is not None:
            self._post(self._poster_ready, job_id, image)

    def _poster_ready(self, job_id: int, image: Any) -> None:
        self._posters[job_id] = image
        while len(self._posters) > POSTER_CACHE:
            self._posters.popitem(last=False)
        if self.detail.job_id == job_id:
            self.detail.set_poster(image)

    def _tick(self) -> None:
        """Every second: the link countdown, and the rows of jobs that are still running."""
        job = self.highlighted
        if job is not None:
            self.detail.set_link(self._link_text(job))
        active = [j.id for j in self._loaded_jobs() if not j.is_final and j.id is not None]
        if active and not self._refreshing:
            self._refreshing = True
            self.run_worker(
                partial(self._refresh_thread, active[:100]),
                thread=True,
                group="history-refresh",
                name="history-refresh",
                exit_on_error=False,
            )

    def _loaded_jobs(self) -> list[Job]:
        table = self.table
        return [j for j in (table.job(i) for i in table.job_ids) if j is not None]

    def _refresh_thread(self, ids: list[int]) -> None:
        history = self.engine.history
        jobs = [job for job in (history.get(i) for i in ids) if job is not None]
        self._post(self._refreshed, jobs)

    def _refreshed(self, jobs: list[Job]) -> None:
        self._refreshing = False
        changed = [j for j in jobs if j != self.table.job(j.id or 0)]
        self._apply_jobs(changed)

    def _apply_jobs(self, jobs: list[Job]) -> None:
        if not jobs:
            return
        for job in jobs:
            self.table.update_job(job)
        self._check_files(jobs)
        highlighted = self.highlighted
        if highlighted is not None and any(j.id == highlighted.id for j in jobs):
            self._show_detail_now()

    # ------------------------------------------------------------------ actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        needs: dict[str, Callable[[Job], bool]] = {
            "rerun": lambda j: True,
            "load": lambda j: True,
            "favourite": lambda j: True,
            "open_file": lambda j: bool(j.path) and self.table.on_disk(j.id or 0) is not False,
            "open_folder": lambda j: bool(j.path),
            "copy_url": lambda j: bool(j.video_url),
            "copy_path": lambda j: bool(j.path),
            "redownload": lambda j: bool(j.task_id) and j.is_final and j.state is not S.FAILED,
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

    def action_back(self) -> None:
        focused = self.focused
        if focused is not None and focused is not self.table and self.filters in focused.ancestors:
            self.table.focus()
            return
        self.dismiss(None)

    def action_search(self) -> None:
        self.filters.focus_search()

    def _request(self, job: Job) -> GenerationRequest | None:
        try:
            return GenerationRequest.from_params(dict(job.params))
        except (TypeError, ValueError) as exc:
            self.notify(f"Cannot rebuild job {job.id}'s request: {exc}", severity="error")
            return None

    def action_rerun(self) -> None:
        job = self._need_job()
        request = self._request(job) if job else None
        if job is None or request is None:
            return
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

    async def _create_and_drive(self, source: Job, request: GenerationRequest) -> None:
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
        try:
            self.opener(path)
        except OSError as exc:
            self.notify(f"Cannot open {path}: {exc}", severity="error")
            return
        self.notify(f"Opening {path.name or path}…", timeout=3)

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

    def action_redownload(self) -> None:
        job = self._need_job()
        if job is None or job.id is None:
            return
        if not job.task_id:
            self.notify("This job never reached the service: nothing to download.")
            return
        self.notify(f"Fetching job {job.id} again (asking the service for a fresh link)…")
        self.app.run_worker(
            self._redownload(job.id),
            name=f"history-redownload-{job.id}",
            group="history-redownload",
            exit_on_error=False,
        )

    async def _redownload(self, job_id: int) -> Job | None:
        try:
            job = await self.engine.runner.redownload(job_id)
        except JimengError as exc:
            self.app.notify(
                f"Job {job_id} cannot be downloaded again: {exc}",
                title="Re-download",
                severity="error",
                timeout=10,
            )
            return None
        if job.state is S.SAVED and job.path:
            self.app.notify(f"Saved {Path(job.path).name}", title=f"Job {job_id} downloaded")
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

    async def _get(self, job_id: int) -> Job | None:
        return await asyncio.to_thread(self.engine.history.get, job_id)

    def action_delete(self) -> None:
        job = self._need_job()
        if job is None or job.id is None:
            return
        if not job.is_final:
            self.notify("The job is still running; cancel it in the studio first.")
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
        from jimeng_tui.jobs.export import export_jobs

        try:
            if path.parent == self.engine.paths.videos_dir:
                path.parent.mkdir(parents=True, exist_ok=True)
            rows = self.engine.history.export_rows(query)
            count = export_jobs(rows, path)
        except (JimengError, OSError) as exc:
            self._post(partial(self.notify, str(exc), title="Export", severity="error", timeout=10))
            return
        self.exported = (path, count)
        self._post(
            partial(self.notify, f"Wrote {count:,} job(s) to {path}", title="Export", timeout=8)
        )
