"""A small yes/no (or OK) modal."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from jimeng_tui.tui.widgets.key_footer import KeyFooter


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "no", "Cancel", id="confirm.cancel")]

    def __init__(self, title: str, text: str, *, yes: str = "Yes", no: str | None = "Cancel"):
        super().__init__()
        self.dialog_title = title
        self.text = text
        self.yes_label = yes
        self.no_label = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog confirm") as box:
            box.border_title = self.dialog_title
            yield Static(self.text, classes="confirm-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes_label, id="yes", variant="primary", compact=True)
                if self.no_label:
                    yield Button(self.no_label, id="no", compact=True)
        yield KeyFooter()  # this dialog's keys, not the screen's behind it

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    @on(Button.Pressed, "#yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_no(self) -> None:
        self.dismiss(False)


class QuitNoticeScreen(ConfirmScreen):
    """A message whose only way on is to quit (the engine could not start): Esc quits too,
    and the footer says so."""

    BINDINGS = [Binding("escape", "no", "Quit", id="notice.quit")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__(title, text, yes="Quit", no=None)
