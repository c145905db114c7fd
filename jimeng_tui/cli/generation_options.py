"""``generate``'s generation options as ONE table the parser is built from, and the
service-neutral ``VideoInput`` a parsed command line becomes.

The common fields (``--model``, ``--duration``, images…) are listed here; every option of every
registered model (``Option.flag``: ``--camera-template``, ``--audio``, ``--watermark``…) is
added from the registry, a bool as a switch, choices as choices. Which values a model takes is
its service's codec's to check (exit 2 naming the field and the allowed values), so one table
serves every service.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

from jimeng_tui.cli.errors import UsageError
from jimeng_tui.cli.flags import Flag, FlagGroup
from jimeng_tui.cli.help_text import join
from jimeng_tui.domain.capabilities import Option
from jimeng_tui.domain.request import FLAT_NAMES, OptionValue, VideoInput
from jimeng_tui.services import registry
from jimeng_tui.services.jimeng import catalog
from jimeng_tui.session.services import register_builtin

# the names generate's image errors are reported under: first, last, references
IMAGE_FIELDS = ("image", "image", "reference_image")


# VideoInput's names → the flags' (a codec may name either)
INPUT_NAMES = {field: flag for flag, field in FLAT_NAMES.items()}


def _model_ids() -> list[str]:
    return [m.id for caps in registry.all_capabilities() for m in caps.models]


def common_flags() -> tuple[Flag, ...]:
    return (
        Flag(
            "--model",
            "model",
            "MODEL",
            "the model: any service's model id or alias (see `models` below); default: "
            "[defaults] model, else Jimeng 3.0's [defaults] mode when its keys are set, else "
            "the first Seedance model",
        ),
        Flag(
            "--mode",
            "mode",
            "MODE",
            f"Jimeng 3.0's model and input kind: {join(catalog.MODE_NAMES)} (default "
            f"{catalog.DEFAULT_MODE}); the same as --model for Jimeng 3.0",
            choices=catalog.MODE_NAMES,
        ),
        Flag(
            "--duration",
            "duration",
            "SECONDS",
            "video length in seconds, one the model offers (Jimeng 3.0: "
            f"{join(catalog.DURATIONS)}, default {catalog.DEFAULT_DURATION}; it renders 5 or "
            "10 s, other lengths are trimmed locally)",
            type=int,
        ),
        Flag(
            "--fps",
            "fps",
            "FPS",
            f"frame rate (Jimeng 3.0: {join(catalog.FPS_CHOICES)}, default "
            f"{catalog.DEFAULT_FPS}); a rate the service does not render is converted locally",
            type=int,
        ),
        Flag(
            "--aspect-ratio",
            "aspect_ratio",
            "RATIO",
            f"ratio where the model takes one (Jimeng 3.0 text-to-video: "
            f"{join(catalog.ASPECT_RATIOS)}, default {catalog.DEFAULT_ASPECT_RATIO}; Seedance "
            "also adaptive); image modes take the ratio from the image",
        ),
        Flag(
            "--resolution",
            "resolution",
            "RES",
            "output resolution where the model offers several (480p, 720p, 1080p); Jimeng "
            "3.0's modes each have their own",
        ),
        Flag(
            "--image",
            "image",
            "PATH|URL",
            "first frame: a local JPEG/PNG (WebP and others are converted) or an http(s) URL; "
            "required by the i2v modes, optional for ti2v_pro. Jimeng 3.0's limits: 4.7 MB, "
            "320..4096 px per side, long/short side at most 3",
        ),
        Flag(
            "--tail-image",
            "tail_image",
            "PATH|URL",
            "last frame (i2v_first_tail_720p / i2v_first_tail_1080p, or a Seedance model that "
            "takes first + last frame); same aspect ratio as the first frame",
        ),
        Flag(
            "--reference-image",
            "reference_image",
            "PATH|URL",
            "a reference image (repeat for several), for the models that take them",
            action="append",
        ),
        Flag(
            "--seed",
            "seed",
            "INT",
            f"random seed: -1 for random (default) or 0..{catalog.SEED_MAX}",
            type=int,
        ),
    )


def model_options() -> dict[str, Option]:
    """Every registered model's options by flag."""
    register_builtin()
    return {option.flag: option for option in registry.all_options()}


def _option_flag(option: Option) -> Flag:
    users = [
        m.id for caps in registry.all_capabilities() for m in caps.models if option in m.options
    ]
    where = f"{users[0]} only" if len(users) == 1 else f"{len(users)} models"
    if option.kind is bool:
        return Flag(
            option.flag, option.name, None, f"{option.label} ({where})", action="store_true"
        )
    choices = option.choices or None
    values = f": {join(option.choices)}" if option.choices else ""
    default = f" (default {option.default})" if option.default not in (None, "") else ""
    return Flag(
        option.flag,
        option.name,
        option.name.upper().replace("_", "-").split("-")[-1],
        f"{option.label}, {where}{values}{default}",
        type=int if option.kind is int else None,
        choices=choices,
    )


def generation_flags() -> tuple[Flag, ...]:
    return (*common_flags(), *(_option_flag(o) for o in model_options().values()))


def generation_group() -> FlagGroup:
    """The generation options (an option not given is None: the model's default applies)."""
    return "generation options", [replace(flag, default=None) for flag in generation_flags()]


def chosen_model(ns: argparse.Namespace) -> str:
    """--model or --mode ("" when neither: the session's default); UsageError if they differ."""
    model, mode = ns.model or "", ns.mode or ""
    if model and mode and registry.find_model(model)[1].id != mode:
        raise UsageError(
            f"--model {model} and --mode {mode} name different models: give one "
            "(--mode is Jimeng 3.0's model)",
            "model",
        )
    return model or mode


def video_input(ns: argparse.Namespace, model: str) -> VideoInput:
    """The command line's generation options as the service-neutral input."""
    options: dict[str, OptionValue] = {}
    for option in model_options().values():
        value = getattr(ns, option.name, None)
        if value is not None:
            options[option.name] = value
    return VideoInput.from_mapping(
        vars(ns), model=model, options=options, image_fields=IMAGE_FIELDS
    )


def option_flag(field: str) -> str | None:
    """The option a codec's field is given with (``duration`` → --duration, ``generate_audio``
    → --audio, VideoInput's ``ratio`` → --aspect-ratio), so that an error names what the user
    typed."""
    field = INPUT_NAMES.get(field, field)
    for flag in generation_flags():
        if flag.dest == field:
            return flag.flag
    return None


def model_lines(title: str = "models (--model; --mode for Jimeng 3.0):") -> str:
    lines = [title]
    for caps in registry.all_capabilities():
        for model in caps.models:
            alias = f" ({', '.join(model.aliases)})" if model.aliases else ""
            lines.append(f"  {model.id:<22} {caps.label}: {model.label}{alias}")
    return "\n".join(lines) + "\n"


__all__ = [
    "chosen_model",
    "generation_flags",
    "generation_group",
    "model_lines",
    "option_flag",
    "video_input",
]
