"""The History screen's dialogs: delete an entry (and maybe its files), export the rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from jimeng_tui.domain.job import Job
from jimeng_tui.tui.widgets.key_footer import KeyFooter


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
        yield KeyFooter()  # this dialog's keys, not the screen's behind it

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
        yield KeyFooter()  # this dialog's keys, not the screen's behind it

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
