"""The prompt form's parts: its defaults, the field rows (mode, duration, fps, ratio, images,
seed), the prompt counter and the per-field error line. ``PromptForm`` puts them together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Button, Input, Label, Select, Static

from jimeng_tui.services.jimeng import catalog

if TYPE_CHECKING:
    pass


@dataclass
class FormDefaults:
    """What a fresh form shows (from the config's ``[defaults]``).

    Mirrors the form's fields of ``store.config.DefaultsConfig`` on purpose: the first screen
    then does not import the config store (platformdirs, tomli-w, ~10 ms)."""

    mode: str = catalog.DEFAULT_MODE
    duration: int = catalog.DEFAULT_DURATION
    fps: int = catalog.DEFAULT_FPS
    aspect_ratio: str = catalog.DEFAULT_ASPECT_RATIO
    camera_template: str = ""
    camera_strength: str = catalog.DEFAULT_CAMERA_STRENGTH

    @classmethod
    def from_config(cls, defaults: Any) -> FormDefaults:
        out = cls()
        for name in ("mode", "duration", "fps", "aspect_ratio", "camera_template"):
            value = getattr(defaults, name, None)
            if value is not None:
                setattr(out, name, value)
        strength = getattr(defaults, "camera_strength", None)
        if strength:
            out.camera_strength = strength
        if out.mode not in catalog.MODES:
            out.mode = catalog.DEFAULT_MODE
        return out


def mode_options() -> list[tuple[str, str]]:
    """One short line per mode: a long one wraps in the drop-down beside the job list."""
    return [(f"{m.name} · {m.inputs}", m.name) for m in catalog.MODES.values()]


def _mode_rules(mode: catalog.Mode, *, image_count: int, duration: int, fps: int) -> dict[str, str]:
    """The notes a mode and its inputs call for (empty string = no note)."""
    image_note = ""
    if not mode.takes_images:
        image_note = "This mode takes no image (the i2v modes do)."
    elif not mode.takes_tail_image:
        image_note = f"This mode takes {mode.image_rule}; no last frame."
    ratio_note = ""
    if not mode.takes_aspect_ratio(image_count):
        ratio_note = (
            "Ratio: with a first frame, the service takes the ratio from the image."
            if mode.aspect is catalog.AspectRule.WITHOUT_IMAGE
            else "Ratio: this mode takes the ratio from the image."
        )
    from jimeng_tui.services.jimeng.request import (
        GenerationRequest,  # not needed for the first frame
    )

    conform = None
    if duration in catalog.DURATIONS and fps in catalog.FPS_CHOICES:
        conform = GenerationRequest(mode=mode.name, duration=duration, fps=fps).conform_note
    return {"image-note": image_note, "ratio-note": ratio_note, "conform-note": conform or ""}


def _note(note_id: str, text: str) -> Static:
    return Static(text, id=note_id, classes="note -shown" if text else "note")


class PromptCounter(Static):
    """ "N / 800", red past the limit, amber past the recommended length."""

    count: reactive[int] = reactive(0)

    def render(self) -> str:
        return f"{self.count} / {catalog.PROMPT_MAX_CHARS}"

    def watch_count(self, count: int) -> None:
        self.set_class(count > catalog.PROMPT_MAX_CHARS, "-over")
        self.set_class(
            catalog.PROMPT_RECOMMENDED_CHARS < count <= catalog.PROMPT_MAX_CHARS, "-long"
        )


class FieldError(Static):
    """An inline validation message under a field (hidden by the stylesheet when empty)."""

    def show(self, text: str) -> None:
        self.update(text)
        self.set_class(bool(text), "-shown")

    @property
    def shown(self) -> bool:
        return self.has_class("-shown")


class FormFields(Vertical):
    """Every row under the prompt: mode, duration/fps/ratio, notes, images, seed, Generate.

    The form mounts it one frame after the prompt (:class:`Deferred`): these ~50 widgets are
    most of the first screen's cost, and the prompt can take keys while they arrive."""

    class Mounted(Message):
        """The rows are in the DOM (the form applies what waited for them)."""

    def __init__(self, defaults: FormDefaults, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._defaults = defaults

    def compose(self) -> ComposeResult:
        d = self._defaults
        mode = catalog.MODES.get(d.mode, catalog.MODES[catalog.DEFAULT_MODE])
        rules = _mode_rules(mode, image_count=0, duration=d.duration, fps=d.fps)
        with Horizontal(classes="row"):
            yield Label("Mode", classes="field-label")
            yield Select(mode_options(), id="mode", value=d.mode, allow_blank=False, compact=True)
        with Horizontal(classes="row"):
            yield Label("Duration", classes="field-label")
            yield Select(
                [(f"{s} s", s) for s in catalog.DURATIONS],
                id="duration",
                value=d.duration if d.duration in catalog.DURATIONS else catalog.DEFAULT_DURATION,
                allow_blank=False,
                compact=True,
            )
            yield Label("FPS", classes="inline-label")
            yield Select(
                [(str(f), f) for f in catalog.FPS_CHOICES],
                id="fps",
                value=d.fps if d.fps in catalog.FPS_CHOICES else catalog.DEFAULT_FPS,
                allow_blank=False,
                compact=True,
            )
            yield Label("Ratio", classes="inline-label")
            yield Select(
                [(r, r) for r in catalog.ASPECT_RATIOS],
                id="aspect_ratio",
                value=d.aspect_ratio
                if d.aspect_ratio in catalog.ASPECT_RATIOS
                else catalog.DEFAULT_ASPECT_RATIO,
                allow_blank=False,
                compact=True,
                disabled=not mode.takes_aspect_ratio(0),
            )
        yield _note("conform-note", rules["conform-note"])
        yield _note("ratio-note", rules["ratio-note"])
        yield from self._image_row("first_image", "First", enabled=mode.takes_images)
        yield from self._image_row("last_image", "Last", enabled=mode.takes_tail_image)
        yield _note("image-note", rules["image-note"])
        with Horizontal(classes="row"):
            yield Label("Seed", classes="field-label")
            yield Input(
                placeholder="random",
                id="seed",
                type="integer",
                valid_empty=True,  # blank is random, not an error (Textual marked it red)
                compact=True,
                tooltip=f"blank = random; 0..{catalog.SEED_MAX} repeats a result",
            )
            yield Button("Generate", id="generate", variant="primary", compact=True)

    def _image_row(self, field: str, label: str, *, enabled: bool) -> ComposeResult:
        """An image path or URL, and its Browse button (``browse-<field>``)."""
        what = field.removesuffix("_image")
        with Horizontal(classes="row"):
            yield Label(label, classes="field-label")
            yield Input(
                placeholder=f"{what} frame: path or URL",
                id=field,
                compact=True,
                disabled=not enabled,
            )
            yield Button(
                "Browse",
                id=f"browse-{field}",
                classes="browse",
                compact=True,
                disabled=not enabled,
            )

    def on_mount(self) -> None:
        self.post_message(self.Mounted())
