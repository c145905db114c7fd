"""The prompt form's parts: its defaults, the field rows (mode, duration, fps, ratio, images,
seed), the prompt counter and the per-field error line. ``PromptForm`` puts them together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Static

from jimeng_tui.tui.widgets.form_button import FormButton
from jimeng_tui.tui.widgets.form_select import FormSelect
from jimeng_tui.tui.widgets.model_choice import (
    PROMPT_RECOMMENDED_SHARE,
    ModelEntry,
    field_notes,
    mode_options,
    takes_first,
    takes_last,
    takes_ratio,
)

if TYPE_CHECKING:
    from jimeng_tui.domain.capabilities import ModelCaps

# Seconds, frames per second and the ratio a fresh form starts from when the model offers them.
START_DURATION = 5
START_FPS = 24
START_RATIO = "16:9"


@dataclass
class FormDefaults:
    """What a fresh form shows (from the config's ``[defaults]``).

    Mirrors the form's fields of ``store.config.DefaultsConfig`` on purpose: the first screen
    then does not import the config store (platformdirs, tomli-w, ~10 ms). A value the chosen
    model does not offer falls back to what it does."""

    model: str = ""  # "" = ``mode`` if that service is available, else the first model offered
    mode: str = "t2v_720p"
    duration: int = START_DURATION
    fps: int = START_FPS
    aspect_ratio: str = START_RATIO
    camera_template: str = ""
    camera_strength: str = "medium"

    @classmethod
    def from_config(cls, defaults: Any) -> FormDefaults:
        out = cls()
        for name in ("model", "mode", "duration", "fps", "aspect_ratio", "camera_template"):
            value = getattr(defaults, name, None)
            if value is not None:
                setattr(out, name, value)
        strength = getattr(defaults, "camera_strength", None)
        if strength:
            out.camera_strength = strength
        return out


def pick(value: Any, offered: tuple[Any, ...], start: Any) -> Any:
    """``value`` if the model offers it, else ``start`` if it does, else its first value."""
    if value in offered:
        return value
    return start if start in offered else offered[0]


class FieldLabel(Static):
    """A field's name beside it: Textual's ``Label`` without the rules of its variants (the
    first screen then parses no Label stylesheet: the form was its only user there)."""

    DEFAULT_CSS = "FieldLabel { width: auto; height: auto; min-height: 1; }"


def _note(note_id: str, text: str) -> Static:
    return Static(text, id=note_id, classes="note -shown" if text else "note")


class PromptCounter(Static):
    """ "N / 800" (the model's limit), red past it, amber past the recommended length."""

    count: reactive[int] = reactive(0)
    limit: reactive[int] = reactive(800)

    def render(self) -> str:
        return f"{self.count} / {self.limit}"

    def watch_count(self) -> None:
        self._colour()

    def watch_limit(self) -> None:
        self._colour()

    def _colour(self) -> None:
        count, limit = self.count, self.limit
        self.set_class(count > limit, "-over")
        self.set_class(limit * PROMPT_RECOMMENDED_SHARE < count <= limit, "-long")


class FieldError(Static):
    """An inline validation message under a field (hidden by the stylesheet when empty)."""

    def show(self, text: str) -> None:
        self.update(text)
        self.set_class(bool(text), "-shown")

    @property
    def shown(self) -> bool:
        return self.has_class("-shown")


class FormFields(Vertical):
    """Every row under the prompt: model (and mode or resolution), duration/fps/ratio, notes,
    images, reference images, the model's options, seed, Generate.

    The form mounts it one frame after the prompt (:class:`Deferred`): these ~50 widgets are
    most of the first screen's cost, and the prompt can take keys while they arrive."""

    class Mounted(Message):
        """The rows are in the DOM (the form applies what waited for them)."""

    def __init__(
        self,
        defaults: FormDefaults,
        entries: tuple[ModelEntry, ...],
        entry: ModelEntry,
        model: ModelCaps,
        hint: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._defaults = defaults
        self._entries = entries
        self._entry = entry
        self._model = model
        self._hint = hint

    def compose(self) -> ComposeResult:
        d, entry, model = self._defaults, self._entry, self._model
        is_mode = entry.is_modes
        duration = pick(d.duration, model.durations, START_DURATION)
        fps = pick(d.fps, model.fps, START_FPS)
        rules = field_notes(
            model, is_mode=is_mode, has_first_image=False, duration=duration, fps=fps
        )
        with Horizontal(classes="row", id="model-row"):
            yield FieldLabel("Model", classes="field-label")
            yield FormSelect(
                [(e.label, e.key) for e in self._entries],
                id="model",
                value=entry.key,
                allow_blank=False,
                compact=True,
            )
            resolutions = model.resolutions or ("",)
            hide_res = "" if len(resolutions) > 1 else " -hidden"
            yield FieldLabel("Resolution", classes="inline-label" + hide_res, id="resolution-label")
            yield FormSelect(
                [(r, r) for r in resolutions],
                id="resolution",
                value=resolutions[0],
                allow_blank=False,
                compact=True,
                classes=hide_res.strip(),
            )
        with Horizontal(classes="row" + ("" if is_mode else " -hidden"), id="mode-row"):
            yield FieldLabel("Mode", classes="field-label")
            yield FormSelect(
                mode_options(entry.models),
                id="mode",
                value=model.id,
                allow_blank=False,
                compact=True,
            )
        yield _note("service-hint", self._hint)
        with Horizontal(classes="row"):
            yield FieldLabel("Duration", classes="field-label")
            yield FormSelect(
                [(f"{s} s", s) for s in model.durations],
                id="duration",
                value=duration,
                allow_blank=False,
                compact=True,
            )
            yield FieldLabel("FPS", classes="inline-label", id="fps-label")
            yield FormSelect(
                [(str(f), f) for f in model.fps],
                id="fps",
                value=fps,
                allow_blank=False,
                compact=True,
            )
            yield FieldLabel("Ratio", classes="inline-label")
            ratios = model.ratios or (START_RATIO,)
            yield FormSelect(
                [(r, r) for r in ratios],
                id="aspect_ratio",
                value=pick(d.aspect_ratio, ratios, START_RATIO),
                allow_blank=False,
                compact=True,
                disabled=not takes_ratio(model, has_first_image=False),
            )
        yield _note("conform-note", rules["conform-note"])
        yield _note("ratio-note", rules["ratio-note"])
        yield from self._image_row("first_image", "First", enabled=takes_first(model))
        yield from self._image_row("last_image", "Last", enabled=takes_last(model))
        yield _note("image-note", rules["image-note"])
        with Horizontal(classes="row -hidden", id="reference-row"):
            yield FieldLabel("Refs", classes="field-label")
            yield Input(placeholder="reference images", id="reference_images", compact=True)
            yield FormButton("Browse", id="browse-reference_images", classes="browse", compact=True)
        yield Horizontal(
            FieldLabel("Options", classes="field-label"), classes="row -hidden", id="choice-options"
        )
        # the yes/no options two to a line: four of them are wider than the form at 80 columns
        yield Horizontal(
            FieldLabel("", classes="field-label"),
            Container(id="flags"),
            classes="row -hidden",
            id="flag-options",
        )
        with Horizontal(classes="row"):
            yield FieldLabel("Seed", classes="field-label")
            yield Input(
                placeholder="random",
                id="seed",
                type="integer",
                valid_empty=True,  # blank is random, not an error (Textual marked it red)
                compact=True,
                tooltip="blank = random; the same number repeats a result",
            )
            yield FormButton("Generate", id="generate", variant="primary", compact=True)
        yield _note("estimate-note", "")  # the request's cost, handed in by the screen

    def _image_row(self, field: str, label: str, *, enabled: bool) -> ComposeResult:
        """An image path or URL, and its Browse button (``browse-<field>``)."""
        what = field.removesuffix("_image")
        with Horizontal(classes="row"):
            yield FieldLabel(label, classes="field-label")
            yield Input(
                placeholder=f"{what} frame: path or URL",
                id=field,
                compact=True,
                disabled=not enabled,
            )
            yield FormButton(
                "Browse",
                id=f"browse-{field}",
                classes="browse",
                compact=True,
                disabled=not enabled,
            )

    def on_mount(self) -> None:
        self.post_message(self.Mounted())
