"""The one-line header: app name, live vs sandbox, masked access key, throttle state."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class StatusHeader(Widget):
    """``jimeng-tui · sandbox · AK…0001            3/5 running · rate ok``"""

    DEFAULT_CSS = """
    StatusHeader { height: 1; width: 100%; dock: top; }
    """

    connection: reactive[str] = reactive("starting…")
    access_key: reactive[str] = reactive("")
    throttle: reactive[str] = reactive("")
    sandbox: reactive[bool] = reactive(False)

    def render(self) -> Table:
        left = Text()
        left.append(" jimeng-tui ", style="bold")
        left.append("· ")
        style = "bold black on yellow" if self.sandbox else "bold black on green"
        if self.connection in ("live", "sandbox"):
            left.append(f" {self.connection} ", style=style)
        else:
            left.append(self.connection, style="dim")
        if self.access_key:
            left.append(f" · {self.access_key}", style="dim" if self.sandbox else "")
        right = Text(self.throttle + " ", justify="right")
        grid = Table.grid(expand=True)
        grid.add_column(no_wrap=True, overflow="ellipsis")
        grid.add_column(justify="right", no_wrap=True)
        grid.add_row(left, right)
        return grid

    def set_engine(self, *, sandbox: bool, access_key: str) -> None:
        self.sandbox = sandbox
        self.connection = "sandbox" if sandbox else "live"
        self.access_key = access_key

    def set_throttle(self, state: Any) -> None:
        describe = getattr(state, "describe", None)
        self.throttle = describe() if callable(describe) else str(state)
