"""The Spend screen (issue 16 item 3): what the generations cost, a bar per day (the last 30
days), then per month and per model. The text is handed in (``show``): the app reads the ledger
in a worker (tui/spend_view.py); no I/O here."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from jimeng_tui.tui.widgets.key_footer import KeyFooter


class SpendScreen(Screen[None]):
    BINDINGS = [Binding("escape", "close", "Back")]
    DEFAULT_CSS = """
    SpendScreen #spend-body { padding: 1 2; }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("Reading the spend ledger…", id="spend-body", markup=False)
        yield KeyFooter()

    def show(self, text: str) -> None:
        self.query_one("#spend-body", Static).update(text)

    @property
    def text(self) -> str:
        return str(self.query_one("#spend-body", Static).render())

    def action_close(self) -> None:
        self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[Any, ...]) -> bool | None:
        return True
