"""Playing a saved video in the terminal (issue 18): its frames at a few a second, in the
terminal's own image protocol where textual-image found one, else in coloured half blocks.
Esc (or ``v``, or ``q``) stops; Space pauses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from jimeng_tui.jobs.filmstrip import PREVIEW_FPS
from jimeng_tui.tui.widgets.halfblock import halfblock_text

PLAYER_COLS = 64


class PreviewPlayerScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,v,q", "stop", "Stop", id="preview.stop"),
        Binding("space", "pause", "Pause", id="preview.pause"),
    ]
    DEFAULT_CSS = """
    PreviewPlayerScreen { align: center middle; }
    #player { width: auto; height: auto; border: round $accent; padding: 0 1;
              background: $surface; }
    #player-frame { width: auto; height: auto; }
    #player-status { color: $text-muted; }
    """

    def __init__(self, video: Path, cache_dir: Path, *, title: str = "", fps: int = PREVIEW_FPS):
        super().__init__()
        self.video = video
        self.cache_dir = cache_dir
        self.heading = title
        self.fps = fps
        self.frames: list[Any] = []
        self.index = 0
        self.shown = 0  # frames drawn (tests and the status line)
        self.playing = False
        self._image_widget: Any = None
        self._timer: Any = None

    def compose(self) -> ComposeResult:
        with Vertical(id="player") as box:
            box.border_title = f"{self.heading} · {self.video.name}".strip(" ·")
            box.border_subtitle = "Esc stops · Space pauses"
            yield Static("Loading frames…", id="player-frame")
            yield Static("", id="player-status")

    def on_mount(self) -> None:
        self.run_worker(self._load, thread=True, group="preview", exit_on_error=False)

    def _load(self) -> None:
        from jimeng_tui.jobs.filmstrip import preview_images

        try:
            frames = preview_images(self.video, self.cache_dir, self.fps)
        except Exception as exc:  # a damaged file: say so, never a traceback
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._loaded, frames)

    def _failed(self, reason: str) -> None:
        self.query_one("#player-frame", Static).update(f"Cannot play it: {reason}")

    def _loaded(self, frames: list[Any]) -> None:
        if not self.is_attached or not frames:
            return
        self.frames = frames
        from jimeng_tui.tui.terminal_probe import image_widget_class

        widget_class = image_widget_class()  # textual-image loads on this first use
        if widget_class is not None:  # the terminal shows real pixels
            image = widget_class(frames[0])
            width, height = frames[0].size
            image.styles.width = PLAYER_COLS
            image.styles.height = max(2, round(PLAYER_COLS * height / width / 2))
            self._image_widget = image
            self.query_one("#player-frame").remove()
            self.query_one("#player").mount(image, before=0)
        self.playing = True
        self._draw()
        self._timer = self.set_interval(1 / self.fps, self._next, name="preview-frames")

    def _draw(self) -> None:
        frame = self.frames[self.index]
        if self._image_widget is not None:
            self._image_widget.image = frame
        else:
            self.query_one("#player-frame", Static).update(halfblock_text(frame, PLAYER_COLS))
        self.shown += 1
        state = "playing" if self.playing else "paused"
        self.query_one("#player-status", Static).update(
            f"{state} · frame {self.index + 1}/{len(self.frames)} · {self.fps} a second"
        )

    def _next(self) -> None:
        if not self.playing or not self.frames:
            return
        self.index = (self.index + 1) % len(self.frames)
        self._draw()

    def action_pause(self) -> None:
        if not self.frames:
            return
        self.playing = not self.playing
        self._draw()

    def action_stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self.playing = False
        self.dismiss(None)
