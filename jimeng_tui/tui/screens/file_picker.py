"""A modal file picker for first/last frame images: folders and images only, with a preview."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Input, Label, Static

from jimeng_tui.tui.widgets.job_details import halfblock_text
from jimeng_tui.tui.widgets.key_footer import KeyFooter

IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".heic", ".tif", ".tiff"}
)


class ImageTree(DirectoryTree):
    """A DirectoryTree that lists folders and image files, hidden entries left out."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        out = []
        for path in paths:
            if path.name.startswith("."):
                continue
            try:
                if path.is_dir() or path.suffix.lower() in IMAGE_SUFFIXES:
                    out.append(path)
            except OSError:
                continue
        return out


def display_path(path: Path) -> str:
    """A short form for the path field: relative below the working folder, ~ below home."""
    path = Path(path)
    for base, prefix in ((Path.cwd(), ""), (Path.home(), "~/")):
        try:
            rel = path.resolve().relative_to(base.resolve())
        except (ValueError, OSError):
            continue
        return prefix + str(rel) if str(rel) != "." else (prefix or "./")
    return str(path)


def load_preview(path: Path, max_side: int = 256) -> tuple[Any, str]:
    """(PIL image or None, a one-line description). Blocking: call it in a thread."""
    try:
        from PIL import Image

        with Image.open(path) as img:
            info = f"{img.format} {img.width}×{img.height} · {path.stat().st_size / 1024:.0f} KB"
            img.thumbnail((max_side, max_side))
            return img.convert("RGB"), info
    except Exception as exc:
        return None, f"cannot preview: {exc.__class__.__name__}"


class FilePickerScreen(ModalScreen[str | None]):
    """Returns the chosen path (as a string) or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("backspace", "parent", "Up a folder", id="picker.parent", show=False),
    ]

    def __init__(self, start: Path, *, title: str = "Choose an image", preview: bool = True):
        super().__init__()
        self.start = start if start.is_dir() else start.parent
        self.picker_title = title
        self.preview_enabled = preview
        self._highlighted: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="picker", classes="dialog") as box:
            box.border_title = self.picker_title
            with Horizontal(id="picker-body"):
                yield ImageTree(self.start, id="picker-tree")
                with Vertical(id="picker-preview"):
                    yield Static("", id="preview-image")
                    yield Label("Highlight an image to preview it.", id="preview-info")
            yield Input(
                display_path(self.start).rstrip("/") + "/",
                id="picker-path",
                placeholder="path to a JPEG or PNG",
                compact=True,
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Use this image", id="picker-ok", variant="primary", compact=True)
                yield Button("Cancel", id="picker-cancel", compact=True)
        yield KeyFooter()  # this dialog's keys, not the screen's behind it

    def on_mount(self) -> None:
        self.query_one(ImageTree).focus()

    @on(DirectoryTree.NodeHighlighted)
    def _highlighted_node(self, event: DirectoryTree.NodeHighlighted[Any]) -> None:
        data = event.node.data
        path = getattr(data, "path", None)
        if path is None:
            return
        self._highlighted = Path(path)
        self.query_one("#picker-path", Input).value = display_path(Path(path))
        if Path(path).suffix.lower() in IMAGE_SUFFIXES:
            if self.preview_enabled:
                self._preview(Path(path))
        else:
            self.query_one("#preview-image", Static).update("")
            self.query_one("#preview-info", Label).update("Folder — Enter opens it.")

    @work(exclusive=True, thread=True, group="preview")
    def _preview(self, path: Path) -> None:
        image, info = load_preview(path)
        self.app.call_from_thread(self._show_preview, path, image, info)

    def _show_preview(self, path: Path, image: Any, info: str) -> None:
        if path != self._highlighted:
            return
        self.query_one("#preview-image", Static).update(
            halfblock_text(image, width=28) if image is not None else ""
        )
        self.query_one("#preview-info", Label).update(f"{path.name}\n{info}")

    @on(DirectoryTree.FileSelected)
    def _file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.dismiss(str(Path(event.path).resolve()))

    @on(Input.Submitted, "#picker-path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._choose(event.value)

    @on(Button.Pressed, "#picker-ok")
    def _ok(self) -> None:
        self._choose(self.query_one("#picker-path", Input).value)

    def _choose(self, value: str) -> None:
        value = value.strip()
        if not value:
            return
        if value.lower().startswith(("http://", "https://")):
            self.dismiss(value)
            return
        path = Path(value).expanduser()
        if path.is_dir():
            tree = self.query_one(ImageTree)
            tree.path = path
            tree.focus()
            return
        self.dismiss(str(path.resolve()))

    @on(Button.Pressed, "#picker-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_parent(self) -> None:
        tree = self.query_one(ImageTree)
        parent = Path(tree.path).parent
        tree.path = parent
        self.query_one("#picker-path", Input).value = display_path(parent).rstrip("/") + "/"
