"""What the History screen's parts (the actions, pages and detail-pane mixins) may use of the
screen: its Textual ``Screen`` side plus the fields and methods below. For the type checker
only; at run time the mixins are plain classes and ``HistoryScreen`` is the host."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections import OrderedDict
    from collections.abc import Callable
    from pathlib import Path
    from typing import Any

    from textual.screen import Screen
    from textual.timer import Timer

    from jimeng_tui.domain.job import Job
    from jimeng_tui.jobs.engine import Engine
    from jimeng_tui.store.history import HistoryQuery
    from jimeng_tui.tui.screens.history_gc import GcHold
    from jimeng_tui.tui.widgets.history_detail import HistoryDetail
    from jimeng_tui.tui.widgets.history_filters import FilterValues, HistoryFilters
    from jimeng_tui.tui.widgets.history_table import HistoryTable

    class HistoryHost(Screen[None]):
        engine: Engine
        clock: Callable[[], float]
        opener: Callable[[Path], None]
        page_size: int
        posters_enabled: bool
        filters_values: FilterValues
        order: str
        total: int | None
        generation: int
        opened_at: float
        updates: int
        first_page_ms: float | None
        last_query_ms: float | None
        last_update_ms: float | None
        _settle_timer: Timer | None
        _search_timer: Timer | None
        _detail_timer: Timer | None
        _title: str
        _after_paint: Callable[[], None] | None
        _refreshing: bool
        _footer_state: tuple[bool | None, ...]
        _posters: OrderedDict[int, Any]
        _gc_hold: GcHold

        @property
        def table(self) -> HistoryTable: ...
        @property
        def detail(self) -> HistoryDetail: ...
        @property
        def filters(self) -> HistoryFilters: ...
        @property
        def highlighted(self) -> Job | None: ...
        def _post(self, callback: Callable[..., Any], *args: Any) -> bool: ...
        def _refresh_footer(self) -> None: ...
        def _link_text(self, job: Job | None) -> str: ...
        def _show_detail_now(self) -> None: ...
        def _apply_jobs(self, jobs: list[Job]) -> None: ...
        def _reload(self) -> None: ...
        def _update_title(self, *, after_paint: bool = False) -> None: ...
        def _check_files(self, jobs: list[Job]) -> None: ...
        def _make_history_filmstrip(self, job: Job | None) -> None: ...  # screens/previews.py
        def query_for(self, *, offset: int = 0, limit: int | None = None) -> HistoryQuery: ...

else:
    HistoryHost = object
