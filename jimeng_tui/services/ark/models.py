"""The Seedance model table on Volcengine Ark, as of 2026-12-07.

Every value comes from ``shared/ark-contract.md``; each row's ``sources`` names the contract's
source tag per field, and says "unverified" where the contract does (third-party copies only, or
sources that disagree). Strict in what we send: a value no source gives is not offered.

Ark renders every offered length natively (whole seconds: ``durations == native_durations``, no
local trim); a frame rate other than 24 is converted locally, as for Jimeng 3.0.
Facts that only Ark's request builder needs (default resolution, default ratio per task kind,
the ``-1`` auto length, the ``frames`` grid, reference videos and sounds) live in
:class:`ArkFacts` beside each ``ModelCaps``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jimeng_tui.domain.capabilities import Capabilities, ImageLimits, InputKind, ModelCaps, Option
from jimeng_tui.services.ark.errors import ERROR_HINTS
from jimeng_tui.services.ark.prices import ARK_PRICES

SERVICE_NAME = "ark"
TABLE_DATE = "2026-12-07"
DEFAULT_API_URL = "https://ark.cn-beijing.volces.com/api/v3"  # [PY] _constants.py, [GO]
BYTEPLUS_API_URL = "https://ark.ap-southeast.bytepluses.com/api/v3"  # [BPDOC]
DEFAULT_MODEL = "seedance-2.0"  # WAVE3.md

NATIVE_FPS = 24  # `framespersecond: 24` in the [M-PT] GET example
# 24 is rendered; the others are what Jimeng 3.0 offers, converted on this machine.
FPS_CHOICES: tuple[int, ...] = (24, 25, 30)
DEFAULT_DURATION = 5  # every model takes 5 s; the [M-PT] example uses 5
SEED_MIN, SEED_MAX = -1, 2**32 - 1  # [M-GP], 3P-FK VIDEO_MAX_SEED
# 3P-FK ASPECT_RATIOS, M-GP; `9:21` (M-NV only) and `keep_ratio` (no source) are not offered.
RATIOS: tuple[str, ...] = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive")
ADAPTIVE = "adaptive"
URL_TTL_S = 24 * 3600.0  # video_url valid 24 h [CLI arkcli-gen.md, 3P apidog]
TASK_TTL_S = 7 * 24 * 3600.0  # the list covers 7 days [M-PT]; GET lifetime unverified
QUEUE_LIMIT = 120  # queued tasks per account [BPDOC]; over it: 429 QuotaExceeded [CLI]

# Image input limits [M-NV; same numbers in 3P geelark/kie]. "≤ 30 MB" read as decimal MB,
# "short side > 300 px" and "long side < 6000 px" as the integers that pass (strict).
IMAGE_LIMITS = ImageLimits(
    max_bytes=30_000_000,
    min_side=301,
    max_side=5999,
    min_ratio=0.4,
    max_ratio=2.5,
    formats=frozenset({"jpeg", "png", "webp", "bmp", "tiff", "gif"}),
    send_as="data_url",  # data:image/<lowercase fmt>;base64,… [M-CW]
)

CAMERA_FIXED = Option("camera_fixed", "Fixed camera", bool)
GENERATE_AUDIO = Option("generate_audio", "Sound", bool, cli_flag="--audio")
WATERMARK = Option("watermark", "Watermark", bool)
DRAFT = Option("draft", "Draft (cheaper preview)", bool)
# An `ep-…` endpoint id that serves this model; sent as the wire `model` [PY, GO, BPDOC].
ENDPOINT = Option("endpoint", "Endpoint id (ep-…)", str, cli_flag="--endpoint")


@dataclass(frozen=True)
class ArkFacts:
    """What Ark's request builder knows about a model beyond ``ModelCaps``."""

    has_sound: bool = False
    default_resolution: str = "720p"
    default_ratio_text: str = "16:9"  # [M-GP]; 3P-FK forces 16:9 without an image
    default_ratio_image: str = ADAPTIVE  # [M-GP]
    auto_duration: bool = False  # `duration: -1` lets the model pick (known, not offered)
    frames: tuple[int, int] | None = None  # 25+4n grid (min, max) instead of duration; 3P-FK
    reference_videos: int = 0  # 2.x multimodal references (known, not offered)
    reference_audios: int = 0
    references_resolutions: tuple[str, ...] = ()  # empty: the model's own
    references_ratios: tuple[str, ...] = ()  # empty: the model's own
    sources: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ArkModel:
    caps: ModelCaps
    facts: ArkFacts


def _seconds(first: int, last: int) -> tuple[int, ...]:
    return tuple(range(first, last + 1))


@dataclass(frozen=True)
class Family:
    """What the models of one generation share; a row adds its id, alias and label and names
    only what it changes."""

    caps: ModelCaps  # without id, label and aliases
    facts: ArkFacts


def _family(
    *,
    inputs: set[InputKind],
    resolutions: tuple[str, ...],
    seconds: tuple[int, int],
    options: tuple[Option, ...],
    facts: ArkFacts = ArkFacts(),
    ratios: tuple[str, ...] = RATIOS,
    max_reference_images: int = 0,
) -> Family:
    durations = _seconds(*seconds)
    caps = ModelCaps(
        id="",
        label="",
        inputs=frozenset(inputs),
        durations=durations,
        native_durations=durations,
        fps=FPS_CHOICES,
        native_fps=NATIVE_FPS,
        ratios=ratios,
        resolutions=resolutions,
        max_reference_images=max_reference_images,
        options=(*options, ENDPOINT),
        # No source gives a prompt limit: this only bounds the form's field (not enforced).
        prompt_max_chars=4000,
    )
    return Family(caps, facts)


_CAPS_FIELDS = frozenset(f.name for f in dataclasses.fields(ModelCaps))


def _model(
    model_id: str,
    alias: str,
    label: str,
    family: Family,
    *,
    sources: Mapping[str, str],
    **changes: Any,
) -> ArkModel:
    """A row: ``family`` with ``changes`` (``ModelCaps`` or ``ArkFacts`` fields), and
    ``sources`` added to the family's."""
    own = {k: v for k, v in changes.items() if k in _CAPS_FIELDS}
    caps = dataclasses.replace(family.caps, id=model_id, label=label, aliases=(alias,), **own)
    facts = dataclasses.replace(
        family.facts,
        sources={**family.facts.sources, **sources},  # the row's own win
        **{k: v for k, v in changes.items() if k not in own},
    )
    return ArkModel(caps, facts)


T, F, FL, REF = (
    InputKind.TEXT,
    InputKind.FIRST_FRAME,
    InputKind.FIRST_LAST,
    InputKind.REFERENCE_IMAGES,
)
ALL_RES = ("480p", "720p", "1080p")

NO_ADAPTIVE = tuple(r for r in RATIOS if r != ADAPTIVE)
SEEDANCE_2 = _family(
    inputs={T, F, FL, REF},
    resolutions=ALL_RES,
    seconds=(4, 15),
    options=(GENERATE_AUDIO, CAMERA_FIXED, WATERMARK),
    max_reference_images=9,
    facts=ArkFacts(has_sound=True, auto_duration=True, reference_videos=3, reference_audios=3),
)
SEEDANCE_1_0 = _family(
    inputs={T, F, FL},
    resolutions=ALL_RES,
    seconds=(2, 12),
    options=(CAMERA_FIXED, WATERMARK),
    facts=ArkFacts(frames=(29, 289), sources={"resolutions": "M-GP", "durations": "2–12 s: M-GP"}),
)

MODELS: tuple[ArkModel, ...] = (
    _model(
        "doubao-seedance-2-0-260128",
        "seedance-2.0",
        "Seedance 2.0",
        SEEDANCE_2,
        sources={
            "id": "3P-FK; CLI examples; M-PT",
            "inputs": "M-CW (frames); M-PT example (reference_image); refs ≤ 9: 3P geelark "
            "(unverified)",
            "resolutions": "civitai, together.ai, cometapi; 1080p conflicting (crazyrouter "
            "2026-06-18 says not public): unverified",
            "durations": "4–15 s, -1: civitai, together.ai, anyfast",
            "default_resolution": "unverified (720p as in the M-PT example)",
            "camera_fixed": "PY/GO field; accepted by 2.0 unverified",
            "generate_audio": "PY/GO; M-PT example",
            "references video/audio": "3P geelark (unverified); not offered",
        },
    ),
    _model(
        "doubao-seedance-2-0-fast-260128",
        "seedance-2.0-fast",
        "Seedance 2.0 fast",
        SEEDANCE_2,
        resolutions=("480p", "720p"),
        sources={
            "id": "3P aiid/apidog",
            "inputs": "as 2.0 (unverified for fast)",
            "resolutions": "civitai, cometapi",
            "durations": "4–15 s, -1: civitai, cometapi",
            "default_resolution": "unverified",
            "camera_fixed": "accepted by 2.0 fast unverified",
        },
    ),
    _model(
        "doubao-seedance-1-5-pro-251215",
        "seedance-1.5-pro",
        "Seedance 1.5 pro",
        _family(
            inputs={T, F, FL},
            resolutions=ALL_RES,
            seconds=(4, 12),
            options=(GENERATE_AUDIO, DRAFT, CAMERA_FIXED, WATERMARK),
            facts=ArkFacts(has_sound=True, auto_duration=True),
        ),
        sources={
            "id": "3P-FK; CLI examples",
            "inputs": "M-CW; 3P-ISS (first+last with roles)",
            "resolutions": "M-GP; 3P-FK",
            "durations": "4–12 s, -1: 3P-FK node limits; M-GP",
            "default_resolution": "720p: M-GP",
            "default_ratio": "adaptive: M-GP (without an image 16:9 is sent, 3P-FK)",
            "draft": "PY/GO; used with 1.5 pro by 3P-FK",
            "generate_audio": "302.ai",
        },
    ),
    _model(
        "doubao-seedance-1-0-pro-250528",
        "seedance-1.0-pro",
        "Seedance 1.0 pro",
        SEEDANCE_1_0,
        default_resolution="1080p",
        sources={
            "id": "3P-FK; Volcengine VideoPilot doc",
            "inputs": "M-CW",
            "default_resolution": "1080p: M-GP",
            "frames": "3P-FK 25+4n (unverified); not offered",
        },
    ),
    _model(
        "doubao-seedance-1-0-pro-fast-251015",
        "seedance-1.0-pro-fast",
        "Seedance 1.0 pro fast",
        SEEDANCE_1_0,
        default_resolution="1080p",
        sources={
            "id": "3P-FK",
            "inputs": "3P-FK 1.0 node (first+last unverified for fast)",
            "default_resolution": "1080p: M-GP",
        },
    ),
    _model(
        "doubao-seedance-1-0-lite-t2v-250428",
        "seedance-1.0-lite-t2v",
        "Seedance 1.0 lite (text)",
        SEEDANCE_1_0,
        inputs=frozenset({T}),
        ratios=NO_ADAPTIVE,  # no image to take a ratio from
        sources={"id": "3P-FK", "inputs": "M-CW, 3P-FK", "default_resolution": "720p: M-GP"},
    ),
    _model(
        "doubao-seedance-1-0-lite-i2v-250428",
        "seedance-1.0-lite-i2v",
        "Seedance 1.0 lite (image)",
        SEEDANCE_1_0,
        inputs=frozenset({F, FL, REF}),
        max_reference_images=4,
        references_resolutions=("480p", "720p"),
        references_ratios=NO_ADAPTIVE,
        sources={
            "id": "3P-FK",
            "inputs": "M-CW; references 1–4, not 1080p, no adaptive: 3P replicate, 3P-FK",
            "default_resolution": "720p: M-GP",
        },
    ),
)

BY_ID: dict[str, ArkModel] = {m.caps.id: m for m in MODELS}


def facts(model_id: str) -> ArkFacts:
    return BY_ID[model_id].facts


def sound_models() -> tuple[str, ...]:
    return tuple(m.caps.aliases[0] for m in MODELS if m.facts.has_sound)


ARK_CAPS = Capabilities(
    service=SERVICE_NAME,
    label="Seedance (Ark)",
    models=tuple(m.caps for m in MODELS),
    image_limits=IMAGE_LIMITS,
    can_cancel=frozenset({"queued"}),  # DELETE cancels a queued task only [M-TH, M-PT]
    can_list_tasks=True,
    task_ttl_s=TASK_TTL_S,
    url_ttl_s=URL_TTL_S,
    error_hints=ERROR_HINTS,
    prices=ARK_PRICES,
    task_id_pattern=r"cgt-[0-9A-Za-z_-]+",  # e.g. cgt-20250331175019-68d9t [contract examples]
)
