"""The fields of a batch line (``jobs/batch.py``): their names and spellings, their values from
JSON or a CSV cell, and the service-neutral ``VideoInput`` a line becomes.

The fields are ``generate``'s: the common ones below, plus every option of every registered
service's models (``camera_template``, ``generate_audio``…, also under the option's flag name:
``audio``). Read from the registry when asked, so a service registered later adds its own.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from jimeng_tui.domain.capabilities import Option
from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.domain.request import OptionValue, VideoInput
from jimeng_tui.services import registry

COMMON_FIELDS: tuple[str, ...] = (
    "prompt",
    "model",
    "mode",
    "duration",
    "fps",
    "aspect_ratio",
    "resolution",
    "first_image",
    "last_image",
    "reference_images",
    "seed",
)
# generate's option names and other spellings → the field
COMMON_ALIASES: dict[str, str] = {
    "ratio": "aspect_ratio",
    "image": "first_image",
    "tail_image": "last_image",
    "reference_image": "reference_images",
}
INT_FIELDS = frozenset({"duration", "fps", "seed"})
IMAGE_FIELDS = ("first_image", "last_image", "reference_images")
TRUE_WORDS = frozenset({"true", "yes", "on", "1"})
FALSE_WORDS = frozenset({"false", "no", "off", "0"})


def options() -> dict[str, Option]:
    """Every registered model's options by name."""
    return {option.name: option for option in registry.all_options()}


def fields() -> tuple[str, ...]:
    return (*COMMON_FIELDS, *(name for name in options() if name not in COMMON_FIELDS))


def aliases() -> dict[str, str]:
    found = dict(COMMON_ALIASES)
    for option in options().values():
        flag = option.flag.lstrip("-").replace("-", "_")
        if flag != option.name:
            found.setdefault(flag, option.name)
    return found


def field_name(name: str) -> str | None:
    key = name.strip().lower().lstrip("-").replace("-", "_").replace(" ", "_")
    key = aliases().get(key, key)
    return key if key in fields() else None


def unknown_field(name: str, what: str = "field") -> str:
    known = [*fields(), *aliases()]
    close = difflib.get_close_matches(name.strip().lower(), known, n=1)
    maybe = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown {what} {name!r}{maybe}; the fields are {', '.join(fields())}"


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        raise ValueError(f"{json.dumps(value)} is not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a whole number")


def _yes_no(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if not word:
            return None
        if word in TRUE_WORDS | FALSE_WORDS:
            return word in TRUE_WORDS
    raise ValueError(f"{json.dumps(value)} is not true or false")


def _images(value: Any) -> list[str] | None:
    """A JSON list of paths/URLs, or text with several separated by ``|`` (a CSV cell)."""
    items = value.split("|") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise ValueError(f"{json.dumps(value)} is not a list of image paths or URLs")
    return [item.strip() for item in items if item.strip()] or None


def convert(key: str, value: Any) -> Any:
    """A field's value from JSON or a CSV cell; None means "not given"."""
    if value is None:
        return None
    option = options().get(key)
    if key in INT_FIELDS or (option is not None and option.kind is int):
        return _whole_number(value)
    if option is not None and option.kind is bool:
        return _yes_no(value)
    if key == "reference_images":
        return _images(value)
    if not isinstance(value, str):
        raise ValueError(f"{json.dumps(value)} is not text; write it in quotes")
    if key == "prompt":
        return value
    value = value.strip()
    return value or None


def _model(values: dict[str, Any]) -> str:
    model, mode = values.get("model"), values.get("mode")
    if model and mode and registry.find_model(model)[1] != registry.find_model(mode)[1]:
        raise ValidationError("model", f"model {model!r} and mode {mode!r} disagree: give one")
    return str(model or mode or "")


def video_input(values: dict[str, Any]) -> VideoInput:
    """The line's converted values as the service-neutral input (ValidationError for a model
    and a mode that disagree)."""
    chosen: dict[str, OptionValue] = {
        name: values[name] for name in options() if values.get(name) is not None
    }
    return VideoInput(
        prompt=values.get("prompt", ""),
        model=_model(values),
        duration=values.get("duration"),
        fps=values.get("fps"),
        ratio=values.get("aspect_ratio"),
        resolution=values.get("resolution"),
        first_image=values.get("first_image"),
        last_image=values.get("last_image"),
        reference_images=tuple(values.get("reference_images") or ()),
        seed=values.get("seed"),
        options=chosen,
        image_fields=IMAGE_FIELDS,
    )


__all__ = ["IMAGE_FIELDS", "convert", "field_name", "fields", "unknown_field", "video_input"]
