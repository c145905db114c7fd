"""A filmstrip: N frames of a saved video side by side, in coloured half blocks (two pixels per
cell), so it shows in every terminal and in the browser the same way (issue 18)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widget import Widget

from jimeng_tui.tui.widgets.halfblock import halfblock_text

GAP = 1
MIN_FRAME_COLS = 6
MAX_FRAME_COLS = 20


def strip_text(images: list[Any], width: int, frame_cols: int | None = None) -> Text:
    """The frames side by side in ``width`` columns (as many as fit at MIN_FRAME_COLS), each
    ``frame_cols`` wide when given (else as wide as they fit, up to MAX_FRAME_COLS)."""
    if not images or width < MIN_FRAME_COLS:
        return Text()
    fit = max(1, min(len(images), (width + GAP) // (MIN_FRAME_COLS + GAP)))
    shown = (
        [images[round(i * len(images) / fit)] for i in range(fit)] if fit < len(images) else images
    )
    cols = frame_cols or max(MIN_FRAME_COLS, min(MAX_FRAME_COLS, (width + GAP) // len(shown) - GAP))
    frames = [halfblock_text(image, width=cols).split() for image in shown]
    rows = max(len(lines) for lines in frames)
    text = Text()
    for row in range(rows):
        for n, lines in enumerate(frames):
            if n:
                text.append(" " * GAP)
            text.append_text(lines[row] if row < len(lines) else Text(" " * cols))
        if row + 1 < rows:
            text.append("\n")
    return text


class Filmstrip(Widget):
    """Evenly spaced frames of the selected job's video (hidden while there are none)."""

    DEFAULT_CSS = """
    Filmstrip { height: auto; width: 1fr; margin-top: 1; }
    """

    def __init__(self, *, frame_cols: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.frame_cols = frame_cols
        self.images: list[Any] = []
        self.display = False

    def set_frames(self, images: list[Any] | None) -> None:
        self.images = list(images or [])
        self.display = bool(self.images)
        self.refresh(layout=True)

    def render(self) -> Text:
        return strip_text(self.images, self.size.width or 60, self.frame_cols)

    def get_content_height(self, container: Any, viewport: Any, width: int) -> int:
        return len(strip_text(self.images, width, self.frame_cols).split()) if self.images else 0


def place_filmstrip(
    host: Widget, images: list[Any] | None, *, widget_id: str, after: str | None = None
) -> None:
    """Show ``images`` in ``host``'s filmstrip, mounting it (last, or ``after`` a selector) the
    first time; None hides it."""
    found = host.query(Filmstrip)
    if not found and not images:
        return
    strip = found.first() if found else Filmstrip(id=widget_id)
    if not found:
        host.mount(strip, after=after)
    strip.set_frames(images)
