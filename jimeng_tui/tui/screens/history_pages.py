"""Reading the History screen's rows: pages of jobs, their count, the title line, and whether
each job's file is still on disk.

Reads run in thread workers (all but the opening page when the history is free: see
``_first_page_now``) and hand their answers to the loop with ``_post``; a page or a count for
an older ``generation`` (an earlier search, filter or order) is dropped.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import replace
from functools import partial
from pathlib import Path

from textual import work
from textual.widgets import Static

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.domain.job import Job
from jimeng_tui.store.history import HistoryQuery
from jimeng_tui.tui.screens.history_host import HistoryHost
from jimeng_tui.tui.widgets.history_cells import ORDER_LABELS

SETTLE_S = 0.15  # after a search result, wait this long for more typing before counting


class HistoryPagesMixin(HistoryHost):
    """HistoryScreen's reads of the history (mixed into the screen, which holds their state)."""

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
        self._load_first_page(self.generation, self.query_for())

    @work(thread=True, exclusive=True, group="history-page", exit_on_error=False)
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

    @work(thread=True, exclusive=True, group="history-count", exit_on_error=False)
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
        self._gc_hold.release()
        self._gc_hold.freeze_heap()
        if self.total is None:
            self._count_thread(generation, query)
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
        self._load_next_page(self.generation, self.query_for(offset=table.loaded))

    @work(thread=True, group="history-more", exit_on_error=False)
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
            self._files_thread(self.generation, targets)

    @work(thread=True, group="history-files", exit_on_error=False)
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
