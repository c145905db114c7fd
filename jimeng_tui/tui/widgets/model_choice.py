"""What the form offers, read from the services' ``Capabilities`` (handed in by the screen).

No service is named here. The Model selector lists one entry per model, except for a service
whose models are the modes of one model: those share one entry (the service's label) and the
Mode selector picks among them. A service's models are modes when none of them offers a choice
of resolution (each mode is one fixed resolution and one set of inputs: Jimeng 3.0's
``t2v_720p``, ``i2v_first_1080p``…); models that offer resolutions are each an entry of their
own (the Seedance models).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the tables come with the form's rows, a frame after the first screen
    from jimeng_tui.domain.capabilities import Capabilities, ModelCaps

# Amber past this share of a model's prompt limit (Jimeng 3.0: 400 of 800, its recommendation).
PROMPT_RECOMMENDED_SHARE = 0.5
RETIRED_MARK = " (retiring)"
ADAPTIVE = "adaptive"


@dataclass(frozen=True)
class ModelEntry:
    """One line of the Model selector: one model, or a service's modes."""

    key: str  # the Select's value: the model id, or "service:<name>" for a group of modes
    label: str
    models: tuple[ModelCaps, ...]
    service: str

    @property
    def is_modes(self) -> bool:
        return self.key.startswith("service:")

    def find(self, model_id: str) -> ModelCaps | None:
        for model in self.models:
            if model_id == model.id or model_id in model.aliases:
                return model
        return None


def _modes_of_one_model(caps: Capabilities) -> bool:
    return len(caps.models) > 1 and all(len(m.resolutions) <= 1 for m in caps.models)


def model_entries(services: Iterable[Capabilities]) -> tuple[ModelEntry, ...]:
    entries: list[ModelEntry] = []
    for caps in services:
        if not caps.models:
            continue
        if _modes_of_one_model(caps):
            entries.append(
                ModelEntry(f"service:{caps.service}", caps.label, caps.models, caps.service)
            )
            continue
        for model in caps.models:
            label = model.label + (RETIRED_MARK if model.retired else "")
            entries.append(ModelEntry(model.id, label, (model,), caps.service))
    return tuple(entries)


def entry_of(entries: Iterable[ModelEntry], model_id: str) -> ModelEntry | None:
    """The entry that holds ``model_id`` (an id or alias), or None."""
    for entry in entries:
        if entry.find(model_id) is not None:
            return entry
    return None


# ------------------------------------------------------------------ what a model takes
def takes_first(model: ModelCaps) -> bool:
    from jimeng_tui.domain.capabilities import InputKind

    return bool(model.inputs & {InputKind.FIRST_FRAME, InputKind.FIRST_LAST})


def takes_last(model: ModelCaps) -> bool:
    from jimeng_tui.domain.capabilities import InputKind

    return InputKind.FIRST_LAST in model.inputs


def takes_references(model: ModelCaps) -> bool:
    from jimeng_tui.domain.capabilities import InputKind

    return InputKind.REFERENCE_IMAGES in model.inputs and model.max_reference_images > 0


def takes_ratio(model: ModelCaps, *, has_first_image: bool) -> bool:
    """Whether a ratio is sent. A model without ``adaptive`` that takes text or a first frame
    takes the ratio from the image when one is given (Jimeng 3.0's pro mode)."""
    if not model.ratios:
        return False
    return not (has_first_image and ADAPTIVE not in model.ratios)


def inputs_words(model: ModelCaps) -> str:
    """What goes in, in a few words (plus the resolution where the id lacks it)."""
    from jimeng_tui.domain.capabilities import InputKind

    required = [o.label.lower() for o in model.options if o.required]
    if required:
        words = "frame + " + " + ".join(required)
    elif takes_last(model) and InputKind.FIRST_FRAME not in model.inputs:
        words = "first + last frame"
    elif takes_first(model) and InputKind.TEXT not in model.inputs:
        words = "first frame"
    elif takes_first(model):
        words = "text or first frame"
    else:
        words = "text"
    if len(model.resolutions) == 1 and model.resolutions[0] not in model.id:
        words += f" · {model.resolutions[0].upper()}"
    return words


def mode_options(models: Iterable[ModelCaps]) -> list[tuple[str, str]]:
    """One short line per mode: a long one wraps in the drop-down beside the job list."""
    return [(f"{m.id} · {inputs_words(m)}", m.id) for m in models]


def image_rule(model: ModelCaps) -> str:
    from jimeng_tui.domain.capabilities import InputKind

    if not takes_first(model):
        return "no image"
    if InputKind.TEXT in model.inputs:
        return "an optional first-frame image"
    if takes_last(model) and InputKind.FIRST_FRAME not in model.inputs:
        return "a first and a last frame image"
    return "exactly one first-frame image"


def field_notes(
    model: ModelCaps, *, is_mode: bool, has_first_image: bool, duration: int, fps: int
) -> dict[str, str]:
    """The notes a model (or mode) and its inputs call for (empty string = no note)."""
    word = "mode" if is_mode else "model"
    image_note = ""
    if not takes_first(model):
        image_note = f"This {word} takes no image" + (" (the i2v modes do)." if is_mode else ".")
    elif not takes_last(model):
        image_note = f"This {word} takes {image_rule(model)}; no last frame."
    ratio_note = ""
    if not model.ratios:
        ratio_note = f"Ratio: this {word} takes the ratio from the image."
    elif not takes_ratio(model, has_first_image=has_first_image):
        ratio_note = "Ratio: with a first frame, the service takes the ratio from the image."
    conform = ""
    if duration in model.durations and fps in model.fps:
        conform = model.conform_note(duration, fps) or ""
    return {"image-note": image_note, "ratio-note": ratio_note, "conform-note": conform}
