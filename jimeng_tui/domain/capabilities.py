"""What a service's models can do, as plain data (issue 14's service seam).

Stdlib only, so the form, the CLI, config checks and the engine read a model's inputs, lengths,
frame rates, ratios and options without importing any one service. Each service package builds
its own ``Capabilities`` from its own table; nothing else hard-codes a model.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jimeng_tui.domain.errors import ValidationError

if TYPE_CHECKING:  # the form's first screen reads the tables, not the prices
    from jimeng_tui.domain.prices import PriceTable


class InputKind(enum.StrEnum):
    TEXT = "text"
    FIRST_FRAME = "first_frame"
    FIRST_LAST = "first_last"
    REFERENCE_IMAGES = "reference_images"
    REFERENCE_VIDEO = "reference_video"
    REFERENCE_AUDIO = "reference_audio"


@dataclass(frozen=True)
class Option:
    """A service-specific field the form and the CLI render generically."""

    name: str  # "camera_template", "generate_audio", "watermark", "camera_fixed"
    label: str
    kind: type[bool] | type[int] | type[str]
    choices: tuple[str | int, ...] = ()  # empty: a free value
    default: str | int | bool | None = None
    required: bool = False
    cli_flag: str = ""  # "" means --<name with dashes>

    @property
    def flag(self) -> str:
        return self.cli_flag or "--" + self.name.replace("_", "-")


@dataclass(frozen=True)
class ImageLimits:
    max_bytes: int
    min_side: int
    max_side: int
    min_ratio: float  # width / height
    max_ratio: float
    formats: frozenset[str]  # "jpeg", "png", ...
    send_as: str  # "base64" (Jimeng 3.0) | "data_url" (Ark)


@dataclass(frozen=True)
class ModelCaps:
    """One row of a service's model (or mode) table."""

    id: str  # "t2v_720p" | "doubao-seedance-2-0-260128"
    label: str
    aliases: tuple[str, ...] = ()
    inputs: frozenset[InputKind] = frozenset({InputKind.TEXT})
    durations: tuple[int, ...] = (5,)  # offered to the user, seconds
    native_durations: tuple[int, ...] = (5,)  # rendered by the service; others conformed locally
    fps: tuple[int, ...] = (24,)  # offered; native_fps is what the service renders
    native_fps: int = 24
    ratios: tuple[str, ...] = ()  # empty: the model takes no ratio (from the image)
    resolutions: tuple[str, ...] = ()  # empty: fixed by the model
    max_reference_images: int = 0
    options: tuple[Option, ...] = ()
    retired: str | None = None  # a warning while the model is being retired
    prompt_max_chars: int = 800

    def native_duration_for(self, seconds: int) -> int:
        """The shortest native length that covers ``seconds``."""
        covering = [d for d in sorted(self.native_durations) if d >= seconds]
        return covering[0] if covering else max(self.native_durations)

    def needs_conform(self, seconds: int, fps: int) -> bool:
        """Whether the service's render is trimmed or converted here to give what was asked."""
        return self.native_duration_for(seconds) != seconds or fps != self.native_fps

    def conform_note(self, seconds: int, fps: int) -> str | None:
        """A sentence for the user when the file will be changed locally, else None."""
        if not self.needs_conform(seconds, fps):
            return None
        native = self.native_duration_for(seconds)
        steps = []
        if seconds != native:
            steps.append(f"trimmed from {native} s to {seconds} s")
        if fps != self.native_fps:
            steps.append(f"converted from {self.native_fps} to {fps} fps")
        return (
            f"The service renders {native} s at {self.native_fps} fps; "
            f"the file will be {' and '.join(steps)} on this machine."
        )


@dataclass(frozen=True)
class Capabilities:
    service: str  # registry key: "jimeng3", "ark"
    label: str  # "Jimeng 3.0", "Seedance (Ark)"
    models: tuple[ModelCaps, ...]
    image_limits: ImageLimits
    can_cancel: frozenset[str] = frozenset()  # remote states a cancel is accepted in
    can_list_tasks: bool = False
    task_ttl_s: float = 12 * 3600
    url_ttl_s: float = 3600
    error_hints: tuple[tuple[str, str], ...] = ()  # (error code, what the user can do)
    prices: PriceTable | None = None  # the service's dated price table (issue 16)
    # The shape of the service's task ids (a full-match regex): routes `status`/`wait TASK`
    # of a task the history does not know to the service that can own it.
    task_id_pattern: str | None = None

    def error_hint(self, code: str) -> str | None:
        """What to do about ``code``, else about its family (Ark's ``Family.Detail`` codes,
        e.g. ``OutputVideoSensitiveContentDetected.PolicyViolation``)."""
        hints = dict(self.error_hints)
        return hints.get(code) or hints.get(code.split(".", 1)[0])

    def model(self, name: str) -> ModelCaps:
        """A model by id or alias; ValidationError naming the allowed ones otherwise."""
        for model in self.models:
            if name == model.id or name in model.aliases:
                return model
        allowed = ", ".join(m.id for m in self.models)
        raise ValidationError("model", f"{name!r} is not a {self.label} model (allowed: {allowed})")
