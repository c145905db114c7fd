"""Jimeng 3.0's catalog (``catalog.py``, the one table) expressed as the service interface's
``Capabilities``: one ``ModelCaps`` per mode, built from the table, never restated."""

from __future__ import annotations

from jimeng_tui.domain.capabilities import Capabilities, ImageLimits, InputKind, ModelCaps, Option
from jimeng_tui.services.jimeng import catalog
from jimeng_tui.services.jimeng.errors import BUSINESS_ERRORS
from jimeng_tui.services.jimeng.prices import JIMENG_PRICES

SERVICE_NAME = "jimeng3"

CAMERA_OPTIONS: tuple[Option, ...] = (
    Option(
        "camera_template",
        "Camera move",
        str,
        choices=catalog.CAMERA_TEMPLATES,
        required=True,
    ),
    Option(
        "camera_strength",
        "Camera strength",
        str,
        choices=catalog.CAMERA_STRENGTHS,
        default=catalog.DEFAULT_CAMERA_STRENGTH,
    ),
)

IMAGE_LIMITS = ImageLimits(
    max_bytes=catalog.IMAGE_MAX_BYTES,
    min_side=catalog.IMAGE_MIN_SIDE,
    max_side=catalog.IMAGE_MAX_SIDE,
    min_ratio=1 / catalog.IMAGE_MAX_RATIO,
    max_ratio=catalog.IMAGE_MAX_RATIO,
    formats=frozenset(f.lower() for f in catalog.IMAGE_FORMATS),
    send_as="base64",
)


def _inputs(mode: catalog.Mode) -> frozenset[InputKind]:
    kinds: set[InputKind] = set()
    if mode.min_images == 0:
        kinds.add(InputKind.TEXT)
    if mode.max_images == 1:
        kinds.add(InputKind.FIRST_FRAME)
    if mode.max_images == 2:
        kinds.add(InputKind.FIRST_LAST)
    return frozenset(kinds)


def model_caps(mode: catalog.Mode) -> ModelCaps:
    return ModelCaps(
        id=mode.name,
        label=mode.label,
        aliases=(mode.req_key,),
        inputs=_inputs(mode),
        durations=catalog.DURATIONS,
        native_durations=tuple(sorted(catalog.NATIVE_FRAMES)),
        fps=catalog.FPS_CHOICES,
        native_fps=catalog.NATIVE_FPS,
        ratios=() if mode.aspect is catalog.AspectRule.NEVER else catalog.ASPECT_RATIOS,
        resolutions=(mode.resolution,),
        options=CAMERA_OPTIONS if mode.camera else (),
        prompt_max_chars=catalog.PROMPT_MAX_CHARS,
    )


JIMENG_CAPS = Capabilities(
    service=SERVICE_NAME,
    label="Jimeng 3.0",
    models=tuple(model_caps(mode) for mode in catalog.MODES.values()),
    image_limits=IMAGE_LIMITS,
    can_cancel=frozenset(),  # the service has no cancel: a cancel only stops tracking here
    can_list_tasks=False,
    task_ttl_s=catalog.TASK_LIFETIME_S,
    url_ttl_s=catalog.VIDEO_URL_LIFETIME_S,
    error_hints=tuple((str(code), info.hint) for code, info in BUSINESS_ERRORS.items()),
    prices=JIMENG_PRICES,
    task_id_pattern=r"[0-9]+",  # long decimal strings
)
