"""Tool arguments → :class:`VideoInput`, checked against the chosen model's capabilities.

The service checks the rest when the job is made (lengths, frame rates, ratios, images: its
messages name the field and the allowed values). What is checked here is what the service
cannot see: which model a name means, and the fields a model has no place for (a resolution it
does not offer, reference images, an option it does not know), so that nothing is silently
dropped. Field names are the tools' parameter names (the CLI's option names).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

from jimeng_tui.domain.capabilities import ModelCaps, Option
from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.domain.request import OptionValue, VideoInput
from jimeng_tui.services import registry

MAX_WAIT_S = 50  # a tool call must end well inside the common clients' 60 s request timeout
IMAGE_FIELDS = ("image", "tail_image", "reference_images")


@dataclass(frozen=True)
class GenerateArgs:
    """``generate``'s parameters as the agent gave them (``None``: not given)."""

    prompt: str = ""
    model: str | None = None
    mode: str | None = None  # Jimeng 3.0's name for the model (the CLI's --mode)
    seed: int | None = None
    options: Mapping[str, OptionValue] = field(default_factory=dict)
    # the video's shape
    duration: int | None = None
    fps: int | None = None
    aspect_ratio: str | None = None
    resolution: str | None = None
    # images: files or URLs
    reference_images: Sequence[str] = ()
    image: str | None = None
    tail_image: str | None = None


def check_seconds(name: str, value: float | None, *, default: float = 0) -> float:
    """A wait in seconds, 0..MAX_WAIT_S."""
    if value is None:
        return default
    if not 0 <= value <= MAX_WAIT_S:
        raise ValidationError(name, f"{value} is out of range: 0 to {MAX_WAIT_S} seconds")
    return float(value)


def _model_name(args: GenerateArgs, default_model: str) -> str:
    if args.model and args.mode and args.model != args.mode:
        raise ValidationError(
            "mode", f"model {args.model!r} and mode {args.mode!r} disagree: give one of them"
        )
    return args.model or args.mode or default_model


def _check_option(option: Option, value: OptionValue) -> None:
    kind = option.kind
    if kind is bool and not isinstance(value, bool):
        raise ValidationError(option.name, f"{value!r} is not true or false")
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValidationError(option.name, f"{value!r} is not a whole number")
    if kind is str and not isinstance(value, str):
        raise ValidationError(option.name, f"{value!r} is not text", option.choices or None)
    if option.choices and value not in option.choices:
        raise ValidationError(option.name, f"{value!r} is not offered", option.choices)


def _check_fields(args: GenerateArgs, model: ModelCaps) -> None:
    if args.resolution is not None and args.resolution not in model.resolutions:
        if not model.resolutions:
            raise ValidationError("resolution", f"{model.id} has a fixed resolution")
        raise ValidationError(
            "resolution", f"{args.resolution!r} is not offered by {model.id}", model.resolutions
        )
    if len(args.reference_images) > model.max_reference_images:
        takes = model.max_reference_images or "no"
        raise ValidationError(
            "reference_images",
            f"{model.id} takes {takes} reference image(s), {len(args.reference_images)} given",
        )
    known = {option.name: option for option in model.options}
    for name, value in args.options.items():
        if name not in known:
            if not known:
                raise ValidationError("options", f"{model.id} takes no options, not {name!r}")
            raise ValidationError(
                "options", f"{name!r} is not an option of {model.id}", tuple(known)
            )
        _check_option(known[name], value)


def video_input(args: GenerateArgs, *, default_model: str) -> VideoInput:
    """The service-neutral input; ValidationError naming the parameter to fix."""
    _, model = registry.find_model(_model_name(args, default_model))
    _check_fields(args, model)
    chosen = {"model": model.id, "options": dict(args.options), "image_fields": IMAGE_FIELDS}
    return VideoInput.from_mapping(vars(args), **chosen)


def fingerprint(fields: VideoInput) -> str:
    """The same request gives the same fingerprint (an idempotency key's check)."""
    data = asdict(fields)
    data["options"] = dict(sorted(fields.options.items()))
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


__all__ = ["MAX_WAIT_S", "GenerateArgs", "check_seconds", "fingerprint", "video_input"]
