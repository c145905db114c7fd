"""The history list's cursor keys (up/down, pages, first/last row, sideways, Enter): the table's
``action_*`` methods, mixed into HistoryTable (the binding names are unchanged)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.scroll_view import ScrollView as _Base
else:
    _Base = object


class TableKeysMixin(_Base):
    """Cursor actions for HistoryTable (``move_cursor``, ``_cursor`` and ``_order`` are its)."""

    def action_cursor_up(self: Any) -> None:
        self._keyboard()
        self.move_cursor(row=self._cursor - 1)

    def action_cursor_down(self: Any) -> None:
        self._keyboard()
        self.move_cursor(row=self._cursor + 1)

    def action_page_down(self: Any) -> None:
        self._keyboard()
        page = self.visible_rows
        self.scroll_relative(y=page, animate=False, force=True)
        self.move_cursor(row=self._cursor + page, scroll=False)
        self._scroll_cursor_into_view()

    def action_page_up(self: Any) -> None:
        self._keyboard()
        page = self.visible_rows
        self.scroll_relative(y=-page, animate=False, force=True)
        self.move_cursor(row=self._cursor - page, scroll=False)
        self._scroll_cursor_into_view()

    def action_first_row(self: Any) -> None:
        self._keyboard()
        self.move_cursor(row=0)

    def action_last_row(self: Any) -> None:
        self._keyboard()
        self.move_cursor(row=len(self._order) - 1)

    def action_scroll_home_x(self: Any) -> None:
        self.scroll_x = 0

    def action_scroll_end_x(self: Any) -> None:
        self.scroll_x = self.max_scroll_x

    def action_select_cursor(self: Any) -> None:
        self._keyboard()
        if self._order:
            self.post_message(self.RowSelected(self, self._cursor, str(self._order[self._cursor])))
