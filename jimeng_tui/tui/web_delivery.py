"""In the browser (``jimeng-tui serve``), ``o`` sends the saved video to the browser as a download
(the browser's own player opens it from there), instead of opening a player on the server's
screen. A download, not an inline tab: the link is single-use, and a video element's range
requests would break it."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jimeng_tui.tui.system import NoOpener, system_open


def web_aware_opener(
    app: Any, fallback: Callable[[Path], None] = system_open
) -> Callable[[Path], None]:
    """An opener for ``app``: the system's in a terminal, the browser's when served."""

    def open_path(path: Path) -> None:
        if not getattr(app, "is_web", False):
            fallback(path)
            return
        if path.is_dir():
            raise NoOpener("in the browser: folders stay on the server")
        mime, _ = mimetypes.guess_type(path.name)
        # a single-use link on the server's own (authenticated) /download route
        app.deliver_binary(path, open_method="download", mime_type=mime or "video/mp4")

    return open_path


class WebFocusMixin:
    """In the browser the page starts unfocused: Textual skips its auto-focus of the prompt
    while the app is blurred, and had nothing to give the focus back to when the page got it,
    so typing went nowhere. The prompt takes the focus once the form is there, and again
    whenever the page regains the focus with nothing focused."""

    def on_ready(self: Any) -> None:  # (Textual calls each class's handler: JimengApp's too)
        if self.is_web:
            self.main.when_panels_ready(self._focus_prompt_if_none)

    def on_app_focus(self: Any, event: Any) -> None:
        self._focus_prompt_if_none()

    def _focus_prompt_if_none(self: Any) -> None:
        if self.main_ready and self.screen is self.main and self.main.focused is None:
            self.main.form.focus_prompt()
