"""An Ark (Seedance) request: the user's choices with every default resolved, checked against the
model's row of the table (``models.py``). JSON-able (``to_params`` / ``from_params``) so a job can
be resumed or re-run; image fields hold absolute paths or URLs, never image data."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from jimeng_tui.domain.capabilities import InputKind, ModelCaps
from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.services.ark import models
from jimeng_tui.services.ark.models import ADAPTIVE, ARK_CAPS, SEED_MAX, SEED_MIN

ENDPOINT_ID = re.compile(r"^ep-[A-Za-z0-9][A-Za-z0-9_-]*$")


class TaskKind(enum.StrEnum):
    """What the inputs make of a request (contract 2.2, "Mode rules")."""

    TEXT = "text"
    FIRST_FRAME = "first_frame"
    FIRST_LAST = "first_last"
    REFERENCE_IMAGES = "reference_images"

    @property
    def input_kind(self) -> InputKind:
        return InputKind(self.value)

    @property
    def words(self) -> str:
        return _KIND_WORDS[self]


_KIND_WORDS = {
    TaskKind.TEXT: "text only",
    TaskKind.FIRST_FRAME: "a first frame",
    TaskKind.FIRST_LAST: "a first and a last frame",
    TaskKind.REFERENCE_IMAGES: "reference images",
}
IMAGE_FIELDS = ("first_image", "last_image", "reference_image")


def model_name(caps: ModelCaps) -> str:
    """The short alias users type (seedance-2.0)."""
    return caps.aliases[0] if caps.aliases else caps.id


def allowed_kinds(caps: ModelCaps) -> tuple[str, ...]:
    return tuple(k.words for k in TaskKind if k.input_kind in caps.inputs)


def check_endpoint(value: str, field: str = "endpoint") -> None:
    if not ENDPOINT_ID.match(value):
        raise ValidationError(
            field, f"{value!r} is not an Ark endpoint id (they look like ep-20260101123456-abcde)"
        )


def task_kind(
    first: str | None,
    last: str | None,
    references: tuple[str, ...],
    image_fields: tuple[str, str, str] = IMAGE_FIELDS,
) -> TaskKind:
    """The task kind the inputs ask for; ValidationError for a mix Ark does not take."""
    if references and (first or last):
        raise ValidationError(
            image_fields[2],
            "reference images cannot be combined with a first or last frame: give "
            f"either {image_fields[0]} (and {image_fields[1]}) or {image_fields[2]}",
        )
    if last and not first:
        raise ValidationError(
            image_fields[1], f"a last frame needs a first frame too: add {image_fields[0]}"
        )
    if references:
        return TaskKind.REFERENCE_IMAGES
    if last:
        return TaskKind.FIRST_LAST
    return TaskKind.FIRST_FRAME if first else TaskKind.TEXT


@dataclass(frozen=True)
class ArkRequest:
    """A complete request: ``model`` is the table's id; ``None`` options are not sent."""

    prompt: str
    model: str
    duration: int
    fps: int
    resolution: str
    ratio: str
    first_image: str | None = None
    last_image: str | None = None
    reference_images: tuple[str, ...] = ()
    seed: int | None = None
    endpoint: str | None = None  # an ep-… id serving ``model``: the wire `model`
    camera_fixed: bool | None = None
    generate_audio: bool | None = None
    watermark: bool | None = None
    draft: bool | None = None

    @property
    def caps(self) -> ModelCaps:
        return ARK_CAPS.model(self.model)

    @property
    def wire_model(self) -> str:
        return self.endpoint or self.model

    @property
    def kind(self) -> TaskKind:
        return task_kind(self.first_image, self.last_image, self.reference_images)

    def options(self) -> dict[str, bool]:
        """The boolean options that are set, by ``Option.name``."""
        names = ("camera_fixed", "generate_audio", "watermark", "draft")
        return {n: v for n in names if (v := getattr(self, n)) is not None}

    def validate(self, image_fields: tuple[str, str, str] = IMAGE_FIELDS) -> None:
        """ValidationError naming the first wrong field and the allowed values."""
        if self.model not in models.BY_ID:
            raise ValidationError(
                "model", f"{self.model!r} is not a Seedance model id", tuple(models.BY_ID)
            )
        caps = self.caps
        name = model_name(caps)
        facts = models.facts(caps.id)
        kind = task_kind(self.first_image, self.last_image, self.reference_images, image_fields)
        if kind.input_kind not in caps.inputs:
            if kind is TaskKind.TEXT:
                field, said = image_fields[0], f"{name} needs an image"
            else:
                index = {TaskKind.FIRST_LAST: 1, TaskKind.REFERENCE_IMAGES: 2}.get(kind, 0)
                field, said = image_fields[index], f"{name} does not take {kind.words}"
            raise ValidationError(field, said, allowed_kinds(caps))
        if kind is TaskKind.REFERENCE_IMAGES and len(self.reference_images) > (
            caps.max_reference_images
        ):
            raise ValidationError(
                image_fields[2],
                f"{len(self.reference_images)} reference images given; {name} takes 1 to "
                f"{caps.max_reference_images}",
            )
        if kind is not TaskKind.FIRST_FRAME and not self.prompt.strip():
            raise ValidationError("prompt", f"{name} needs a prompt with {kind.words}")
        if self.duration not in caps.durations:
            raise ValidationError(
                "duration",
                f"{self.duration} s is not a length {name} renders (whole seconds)",
                caps.durations,
            )
        if self.fps not in caps.fps:
            raise ValidationError("fps", f"{self.fps} fps is not offered", caps.fps)
        resolutions = caps.resolutions
        if kind is TaskKind.REFERENCE_IMAGES and facts.references_resolutions:
            resolutions = facts.references_resolutions
        if self.resolution not in resolutions:
            with_refs = " with reference images" if resolutions != caps.resolutions else ""
            raise ValidationError(
                "resolution", f"{name} does not render {self.resolution!r}{with_refs}", resolutions
            )
        ratios = caps.ratios
        if kind is TaskKind.REFERENCE_IMAGES and facts.references_ratios:
            ratios = facts.references_ratios
        if kind is TaskKind.TEXT:  # nothing to take the ratio from
            ratios = tuple(r for r in ratios if r != ADAPTIVE)
        if self.ratio not in ratios:
            why = (
                " (adaptive takes the ratio from an image)"
                if self.ratio == ADAPTIVE and ADAPTIVE in caps.ratios
                else ""
            )
            raise ValidationError(
                "ratio", f"{name} does not take {self.ratio!r} with {kind.words}{why}", ratios
            )
        if self.seed is not None and not SEED_MIN <= self.seed <= SEED_MAX:
            raise ValidationError(
                "seed", f"{self.seed} is out of range: use -1 (random) or 0..{SEED_MAX}"
            )
        offered = {o.name for o in caps.options}
        for option in self.options():
            if option not in offered:
                raise ValidationError(option, refusal(caps, option))
        if self.endpoint is not None:
            check_endpoint(self.endpoint)

    def to_params(self) -> dict[str, Any]:
        params = asdict(self)
        params["reference_images"] = list(self.reference_images)
        return params

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> ArkRequest:
        """Rebuild a stored request (TypeError/ValueError when the JSON no longer makes one)."""
        known = {f.name for f in fields(cls)}
        values: dict[str, Any] = {k: v for k, v in params.items() if k in known}
        refs = values.get("reference_images") or ()
        if not isinstance(refs, list | tuple) or not all(isinstance(r, str) for r in refs):
            raise TypeError("reference_images must be a list of paths or URLs")
        values["reference_images"] = tuple(refs)
        request = cls(**values)
        for name, kind in (("duration", int), ("fps", int), ("prompt", str), ("model", str)):
            if not isinstance(getattr(request, name), kind):
                raise TypeError(f"{name} must be {kind.__name__}")
        return request


def refusal(caps: ModelCaps, option: str) -> str:
    """Why ``caps`` does not take ``option``, with the models that do."""
    name = model_name(caps)
    takers = tuple(
        model_name(m) for m in ARK_CAPS.models if any(o.name == option for o in m.options)
    )
    what = {"generate_audio": "makes no sound", "draft": "has no draft mode"}.get(
        option, f"does not take {option}"
    )
    offered = ", ".join(o.name for o in caps.options)
    return f"{name} {what} (models that do: {', '.join(takers) or 'none'}; {name} takes: {offered})"
