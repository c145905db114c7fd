"""Search box and filters of the History screen.

Posts ``HistoryFilters.Changed`` with the values; the screen debounces typing and queries the
history in a thread. Dates are typed as YYYY-MM-DD (local time, both ends included).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Checkbox, Input, Select

from jimeng_tui.domain.job import FINAL_STATES, JobState

S = JobState
RUNNING = ",".join(s.value for s in JobState if s not in FINAL_STATES)
STATUS_CHOICES: tuple[tuple[str, str], ...] = (
    ("Any status", ""),
    ("saved", S.SAVED.value),
    ("failed", S.FAILED.value),
    ("running", RUNNING),
    ("cancelled", S.CANCELLED.value),
    ("expired", S.EXPIRED.value),
    ("unknown", S.SUBMIT_UNKNOWN.value),
    ("not saved", S.SAVE_FAILED.value),
)
DATE_FORMAT = "%Y-%m-%d"
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(text: str) -> datetime | None:
    """``YYYY-MM-DD`` → local midnight of that day; None when empty; ValueError when invalid."""
    text = text.strip()
    if not text:
        return None
    if not DATE_RE.fullmatch(text):  # strptime alone takes "2025-11-2" half-way through typing
        raise ValueError(f"not a YYYY-MM-DD date: {text!r}")
    return datetime.strptime(text, DATE_FORMAT)


@dataclass(frozen=True)
class FilterValues:
    text: str = ""
    status: str | None = None
    mode: str | None = None
    since: float | None = None  # created_at >= since
    until: float | None = None  # created_at < until (the day after the "to" date)
    favourite: bool | None = None

    @property
    def active(self) -> bool:
        return any(
            (self.text.strip(), self.status, self.mode, self.since, self.until, self.favourite)
        )


class HistoryFilters(Horizontal):
    """Search as you type, status, model (of every service), date range and favourites."""

    DEFAULT_CSS = """
    HistoryFilters {
        height: auto;
        layout: grid;
        grid-size: 4 2;
        grid-columns: 17 22 1fr 12;
        grid-rows: 1 1;
        grid-gutter: 0 1;
        padding: 0 1;
        margin-bottom: 1;
    }
    HistoryFilters #hf-search { column-span: 3; }
    HistoryFilters #hf-dates { height: 1; column-span: 2; }
    HistoryFilters #hf-dates Input { width: 1fr; }
    HistoryFilters #hf-dates .sep { width: 3; content-align: center middle; color: $text-muted; }
    HistoryFilters .-invalid { background: $error 25%; }
    HistoryFilters Checkbox { width: auto; }
    HistoryFilters.-wide {
        grid-size: 5 1;
        grid-columns: 1fr 12 17 22 29;
        grid-rows: 1;
    }
    HistoryFilters.-wide #hf-search { column-span: 1; }
    HistoryFilters.-wide #hf-dates { column-span: 1; }
    """

    class Changed(Message):
        """The filters changed; ``typing`` is True for keystrokes in the search box."""

        def __init__(self, values: FilterValues, *, typing: bool) -> None:
            super().__init__()
            self.values = values
            self.typing = typing

    def __init__(self, *, modes: tuple[str | tuple[str, str], ...] = (), **kwargs: Any) -> None:
        """``modes``: the models to filter by, each a model id or (what to show, model id)
        (the screen reads them from the services)."""
        super().__init__(**kwargs)
        self._values = FilterValues()
        self._mode_choices = (
            ("Any model", ""),
            *((m, m) if isinstance(m, str) else m for m in modes),
        )

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search prompts (any language)…", id="hf-search", compact=True)
        yield Checkbox("★ only", id="hf-favourite", compact=True)
        yield Select(STATUS_CHOICES, value="", allow_blank=False, id="hf-status", compact=True)
        yield Select(self._mode_choices, value="", allow_blank=False, id="hf-mode", compact=True)
        with Horizontal(id="hf-dates"):
            yield Input(placeholder="from Y-M-D", id="hf-since", compact=True, max_length=10)
            yield Input(placeholder="to Y-M-D", id="hf-until", compact=True, max_length=10)

    def on_resize(self) -> None:
        self.set_class(self.size.width >= 120, "-wide")

    @property
    def values(self) -> FilterValues:
        return self._values

    def focus_search(self) -> None:
        self.query_one("#hf-search", Input).focus()

    def set_search(self, text: str) -> None:
        self.query_one("#hf-search", Input).value = text

    def _read(self) -> FilterValues:
        text = self.query_one("#hf-search", Input).value
        status = self.query_one("#hf-status", Select).value
        mode = self.query_one("#hf-mode", Select).value
        favourite = self.query_one("#hf-favourite", Checkbox).value
        since_input = self.query_one("#hf-since", Input)
        until_input = self.query_one("#hf-until", Input)
        since = until = None
        try:
            day = parse_day(since_input.value)
            since = day.timestamp() if day else None
            since_input.remove_class("-invalid")
        except ValueError:
            since_input.add_class("-invalid")
            since = self._values.since  # keep the last valid bound while typing
        try:
            day = parse_day(until_input.value)
            until = (day + timedelta(days=1)).timestamp() if day else None
            until_input.remove_class("-invalid")
        except ValueError:
            until_input.add_class("-invalid")
            until = self._values.until
        return FilterValues(
            text=text,
            status=str(status) if status else None,
            mode=str(mode) if mode else None,
            since=since,
            until=until,
            favourite=True if favourite else None,
        )

    def _changed(self, *, typing: bool) -> None:
        values = self._read()
        if values == self._values:
            return
        self._values = values
        self.post_message(self.Changed(values, typing=typing))

    @on(Input.Changed, "#hf-search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._changed(typing=True)

    @on(Input.Changed, "#hf-since, #hf-until")
    def _dates_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._changed(typing=True)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        # not stopped: the screen moves the focus to the list on Enter
        self._changed(typing=False)

    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _choice_changed(self, event: Message) -> None:
        event.stop()
        self._changed(typing=False)
