"""A Seedance-like capability table for the form's tests, registered as the "ark" service by
the ``seedance_like`` fixture (tests/tui/conftest.py) until the real Ark table is on this branch.

Shaped like Ark's models (ark-contract.md 2.4): several resolutions each, ratios with
``adaptive``, native lengths 4–15 s, reference images and yes/no options.
"""

from __future__ import annotations

from jimeng_tui.domain.capabilities import Capabilities, ImageLimits, InputKind, ModelCaps, Option

K = InputKind
RATIOS = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive")
CAMERA_FIXED = Option("camera_fixed", "Fixed camera", bool, default=False)
AUDIO = Option("generate_audio", "Sound", bool, default=True, cli_flag="--audio")
WATERMARK = Option("watermark", "Watermark", bool, default=False)

SEEDANCE_2 = ModelCaps(
    id="doubao-seedance-2-0-260128",
    label="Seedance 2.0",
    aliases=("seedance-2.0",),
    inputs=frozenset({K.TEXT, K.FIRST_FRAME, K.FIRST_LAST, K.REFERENCE_IMAGES}),
    durations=tuple(range(4, 16)),
    native_durations=tuple(range(4, 16)),
    fps=(24,),
    ratios=RATIOS,
    resolutions=("480p", "720p", "1080p"),
    max_reference_images=4,
    options=(AUDIO, WATERMARK),
    prompt_max_chars=2000,
)
SEEDANCE_LITE_T2V = ModelCaps(
    id="doubao-seedance-1-0-lite-t2v-250428",
    label="Seedance 1.0 lite t2v",
    aliases=("seedance-1.0-lite-t2v",),
    inputs=frozenset({K.TEXT}),
    durations=tuple(range(2, 13)),
    native_durations=tuple(range(2, 13)),
    fps=(24,),
    ratios=RATIOS[:-1],
    resolutions=("480p", "720p", "1080p"),
    options=(CAMERA_FIXED, WATERMARK),
    retired="being retired: use Seedance 2.0",
)

SEEDANCE_LIKE_CAPS = Capabilities(
    service="ark",
    label="Seedance (Ark)",
    models=(SEEDANCE_2, SEEDANCE_LITE_T2V),
    # Ark's: ≤ 30 MB, short side > 300 px, long side < 6000 px, ratio 0.4-2.5, data URLs
    image_limits=ImageLimits(
        30_000_000, 301, 5999, 0.4, 2.5, frozenset({"jpeg", "png"}), "data_url"
    ),
)
