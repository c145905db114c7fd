"""Shown while the studio quits with downloads still finishing: what is left, how far each
is, and that Ctrl+Q again leaves at once (the jobs stay in the journal and resume next time)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from jimeng_tui.tui.widgets.key_footer import KeyFooter

# (job id, what it is doing, e.g. "downloading 45% (3.1 of 6.8 MB)")
QuitRow = tuple[int, str]


def quitting_text(rows: list[QuitRow]) -> str:
    count = len(rows)
    if not count:
        return "Closing…"
    noun = "download" if count == 1 else "downloads"
    lines = [f"Finishing {count} {noun}…", ""]
    lines += [f"  Job {job_id}: {doing}" for job_id, doing in rows]
    lines += ["", "Ctrl+Q again to leave now; they resume next time."]
    return "\n".join(lines)


class QuittingScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    QuittingScreen { align: center middle; }
    #quitting {
        width: 76;
        max-width: 96%;
        height: auto;
        border: round $warning;
        border-title-color: $text;
        border-title-style: bold;
        background: $surface;
        padding: 1 2;
    }
    """

    # The app's own Ctrl+Q (a priority binding) does it; listed here for the footer.
    BINDINGS = [Binding("ctrl+q", "app.quit", "Leave now", id="quitting.leave_now")]

    def __init__(self, rows: list[QuitRow]) -> None:
        super().__init__()
        self._rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(id="quitting") as box:
            box.border_title = "Quitting"
            yield Static(quitting_text(self._rows), id="quitting-text")
        yield KeyFooter()  # Ctrl+Q (leave now), not the keys of the screen behind

    def show_rows(self, rows: list[QuitRow]) -> None:
        if rows != self._rows:
            self._rows = rows
            self.query_one("#quitting-text", Static).update(quitting_text(rows))
