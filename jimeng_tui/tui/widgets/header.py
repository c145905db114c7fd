"""The one-line header: app name, live vs sandbox, masked access key, throttle state."""

from __future__ import annotations

from typing import Any

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

    def render(self) -> Text:
        # Laid out by hand, not with a rich Table.grid: measuring a table cost ~5 ms of the
        # first screen, for one line of two texts.
        left = Text(no_wrap=True, overflow="ellipsis", end="")
        left.append(" jimeng-tui ", style="bold")
        left.append("· ")
        style = "bold black on yellow" if self.sandbox else "bold black on green"
        if self.connection in ("live", "sandbox"):
            left.append(f" {self.connection} ", style=style)
        else:
            left.append(self.connection, style="dim")
        if self.access_key:
            left.append(f" · {self.access_key}", style="dim" if self.sandbox else "")
        right = Text(self.throttle)
        width = self.size.width - 1  # the last column stays blank, like the first
        room = max(0, width - right.cell_len)
        if left.cell_len > room:
            left.truncate(room, overflow="ellipsis")
        left.pad_right(room - left.cell_len)
        left.append_text(right)
        left.truncate(width)
        return left

    def set_engine(self, *, sandbox: bool, access_key: str) -> None:
        self.sandbox = sandbox
        self.connection = "sandbox" if sandbox else "live"
        self.access_key = access_key

    def set_throttle(self, state: Any) -> None:
        describe = getattr(state, "describe", None)
        self.throttle = describe() if callable(describe) else str(state)
