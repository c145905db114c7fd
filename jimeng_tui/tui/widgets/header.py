"""The one-line header: app name, live vs sandbox, masked access key, throttle state."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class StatusHeader(Widget):
    """``jimeng-tui · sandbox · AK…0001     4 jobs active · service 1/5 · rate ok``

    Every unfinished job counts as active (waiting here, at the service, downloading,
    converting); the service part counts only the tasks the service works on."""

    DEFAULT_CSS = """
    StatusHeader { height: 1; width: 100%; dock: top; }
    """

    connection: reactive[str] = reactive("starting…")
    access_key: reactive[str] = reactive("")
    throttle: reactive[str] = reactive("")
    sandbox: reactive[bool] = reactive(False)
    active: reactive[int] = reactive(0)
    spend: reactive[str] = reactive("")  # the day's spend, "today 5.50 of 50.00 CNY" (issue 16)

    def render(self) -> Text:
        # Laid out by hand, not with a rich Table.grid: measuring a table cost ~5 ms of the
        # first screen, for one line of two texts.
        left = Text(no_wrap=True, end="")
        left.append(" jimeng-tui ", style="bold")
        left.append("· ")
        style = "bold black on yellow" if self.sandbox else "bold black on green"
        if self.connection in ("live", "sandbox"):
            left.append(f" {self.connection} ", style=style)
        else:
            left.append(self.connection, style="dim")
        essential = left.cell_len  # the name and live/sandbox: the last to give way
        if self.access_key:
            left.append(f" · {self.access_key}", style="dim" if self.sandbox else "")
        right = Text(no_wrap=True, end="")
        if self.active:
            right.append(f"{self.active} job{'s' if self.active != 1 else ''} active", "bold")
        if self.throttle:
            right.append(f" · {self.throttle}" if right.cell_len else self.throttle)
        if self.spend:
            right.append(f" · {self.spend}" if right.cell_len else self.spend)
        width = self.size.width - 1  # the last column stays blank, like the first
        room_right = width - min(left.cell_len, essential) - 1
        if right.cell_len > room_right:
            right = _cut(right, room_right)
        room_left = width - right.cell_len - (1 if right.cell_len else 0)
        if left.cell_len > room_left:
            # the masked key is shown whole or not at all (a cut key reads as another key)
            keep = min(room_left, essential)
            left = _cut(left, keep, ellipsis=keep < essential)
        left.pad_right(max(0, width - left.cell_len - right.cell_len))
        left.append_text(right)
        return left

    def set_engine(self, *, sandbox: bool, access_key: str) -> None:
        self.sandbox = sandbox
        self.connection = "sandbox" if sandbox else "live"
        self.access_key = access_key

    def set_throttle(self, state: Any) -> None:
        # the tasks the service works on for us, of how many: "service 2/5 · rate ok"
        describe = getattr(state, "describe", None)
        self.throttle = "service " + describe(word="") if callable(describe) else str(state)


def _cut(text: Text, width: int, *, ellipsis: bool = True) -> Text:
    """``text`` cut to ``width`` cells (ending in "…" when asked); empty when width < 1."""
    if width < 1:
        return Text("", end="")
    text = text.copy()
    text.truncate(width, overflow="ellipsis" if ellipsis else "crop")
    return text
