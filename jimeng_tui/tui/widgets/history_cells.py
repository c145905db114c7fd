"""The history list's cells: column layouts, the text and style of each cell, the row records,
and the table's CSS. Pure functions of a Job (no Textual widget here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text

from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.jobs.display import STATE_ICONS as ICONS

if TYPE_CHECKING:
    from textual.widgets.data_table import ColumnKey

S = JobState

ORDER_LABELS: dict[str, str] = {
    "newest": "newest first",
    "oldest": "oldest first",
    "longest": "longest first",
    "shortest": "shortest first",
}
PROMPT_CAP = 160  # characters kept in a prompt cell (the column ellipsizes the rest)
COLUMN_KEYS: tuple[str, ...] = ("date", "prompt", "mode", "length", "status", "file")
NEAR_END = 40  # rows from the end of the loaded ones at which the view asks for more
KNOWN_FILES = 20_000  # file-check answers kept for rows that come back in a later result


@dataclass(frozen=True)
class Layout:
    """Column widths for one table width (the prompt column takes what is left)."""

    date_format: str
    date: int
    mode: int
    length: int
    status: int
    file: int = 4
    min_prompt: int = 12

    def prompt_width(self, table_width: int, padding: int) -> int:
        fixed = self.date + self.mode + self.length + self.status + self.file
        used = fixed + 2 * padding * 6 + 1  # six columns, one cell for the scrollbar
        return max(self.min_prompt, table_width - used)

    def widths(self, prompt: int) -> tuple[int, ...]:
        """Content widths in COLUMN_KEYS order."""
        return (self.date, prompt, self.mode, self.length, self.status, self.file)


WIDE = Layout("%Y-%m-%d %H:%M", date=16, mode=20, length=7, status=13)
NARROW = Layout("%m-%d %H:%M", date=11, mode=10, length=6, status=12)
WIDE_AT = 110  # table width from which the wide layout is used


def status_parts(job: Job) -> tuple[str, str, str]:
    """(icon, icon style, label) of the Status cell."""
    icon, style = ICONS.get(job.state, ("·", ""))
    if job.state is S.FAILED and job.error_code is not None:
        label = str(job.error_code)  # the red ✗ says failed; the code says why
    elif job.state is S.SUBMIT_UNKNOWN:
        label = "unknown"
    else:
        label = job.state.value.replace("_", " ")
    return icon, style, label


def prompt_plain(job: Job) -> str:
    return " ".join((job.prompt or "").split())[:PROMPT_CAP] or "(no prompt)"


def file_mark(job: Job, on_disk: bool | None) -> tuple[str, str]:
    """(mark, style) of the File cell: ✓ on disk, ✗ missing, … not checked yet."""
    if not job.path:
        return "", ""
    if on_disk is None:
        return "…", "dim"
    return ("✓", "green") if on_disk else ("✗", "red")


def fit(text: str, width: int) -> str:
    """``text`` in exactly ``width`` cells: padded, or cut with an ellipsis (wide characters
    count two cells; one cut in half leaves a space)."""
    if width <= 0:
        return ""
    length = cell_len(text)
    if length <= width:
        return text + " " * (width - length)
    return set_cell_size(text, width - 1) + "…"


_STYLES: dict[str, Style | None] = {}
_CELL_STYLES: dict[tuple[str, int], Style] = {}


def _style(name: str) -> Style | None:
    if name not in _STYLES:
        _STYLES[name] = Style.parse(name) if name else None
    return _STYLES[name]


Piece = tuple[str, Style]  # text, and its own style laid over the row's


def _cell_style(name: str, column: int) -> Style:
    """A cell's own style, tagged with its column: the tag keeps each cell a segment of its own
    (an exported SVG places each cell at its column, as the DataTable's did)."""
    key = (name, column)
    if key not in _CELL_STYLES:
        _CELL_STYLES[key] = (_style(name) or Style()) + Style.from_meta({"column": column})
    return _CELL_STYLES[key]


@dataclass
class Column:
    """What the DataTable's ``columns`` held that the screen and tests read."""

    key: ColumnKey
    label: Text
    width: int = 0


@dataclass
class _Row:
    job: Job
    on_disk: bool | None
    pieces: tuple[Piece, ...] = field(default=())


TABLE_CSS = """
    HistoryTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        scrollbar-size-vertical: 1;
        &:focus {
            background-tint: $foreground 5%;
            & > .history-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .history-table--header {
                background-tint: $foreground 5%;
            }
        }
        &:dark {
            & > .history-table--even-row {
                background: $surface-darken-1 40%;
            }
        }
        & > .history-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .history-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .history-table--odd-row {
        }
        & > .history-table--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .history-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        & > .history-table--hover {
            background: $block-hover-background;
        }
    }
    """
