"""The emulator's own table of the Seedance models (ark-contract.md 2.3-2.4, section 7).

A copy on purpose: the emulator plays the service's side, so a client whose table disagrees with
it fails in tests. Values marked "unverified" in the contract are the emulator's choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FPS = 24
RATIOS: tuple[str, ...] = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9")
ADAPTIVE = "adaptive"
RESOLUTIONS: tuple[str, ...] = ("480p", "720p", "1080p")
SEED_MAX = 2**32 - 1
DEFAULT_DURATION = 5
FRAMES_MIN, FRAMES_MAX, FRAMES_STEP = 29, 289, 4  # 25 + 4n (1.0 models; 3P-FK, unverified)

# Output sizes (W, H) by family and resolution [M-CA]. The 1080p 21:9 sizes are unverified
# (the copied table is truncated there).
_SIZES_10 = {
    "480p": ((864, 480), (736, 544), (640, 640), (544, 736), (480, 864), (960, 416)),
    "720p": ((1248, 704), (1120, 832), (960, 960), (832, 1120), (704, 1248), (1504, 640)),
    "1080p": ((1920, 1088), (1664, 1248), (1440, 1440), (1248, 1664), (1088, 1920), (2176, 928)),
}
_SIZES_15 = {
    "480p": ((864, 496), (752, 560), (640, 640), (560, 752), (496, 864), (992, 432)),
    "720p": ((1280, 720), (1112, 834), (960, 960), (834, 1112), (720, 1280), (1470, 630)),
    "1080p": ((1920, 1080), (1664, 1248), (1440, 1440), (1248, 1664), (1080, 1920), (2206, 946)),
}
SIZES: dict[str, dict[str, dict[str, tuple[int, int]]]] = {
    family: {res: dict(zip(RATIOS, sizes, strict=True)) for res, sizes in table.items()}
    for family, table in (("1.0", _SIZES_10), ("1.5", _SIZES_15))
}

# Task kinds.
TEXT = "text"  # text only
FIRST = "first_frame"  # one image (role absent or first_frame)
FIRST_LAST = "first_last_frame"  # two images, roles first_frame + last_frame
REFERENCE = "reference_images"  # images with role reference_image


@dataclass(frozen=True)
class ArkModel:
    id: str
    family: str  # "1.0" or "1.5" (1.5 and 2.x share the output sizes)
    kinds: frozenset[str]
    resolutions: tuple[str, ...]
    default_resolution: str
    durations: tuple[int, int]  # whole seconds, inclusive
    auto_duration: bool = False  # duration -1: the model picks
    frames: bool = False  # takes `frames` instead of `duration`
    audio: bool = False  # generate_audio
    draft: bool = False
    priority: bool = True  # takes `priority` 0-9 (1.5 pro rejects it, CLI-measured)
    max_reference_images: int = 0
    media_references: bool = False  # 2.x: reference videos / audios
    reference_resolutions: tuple[str, ...] = RESOLUTIONS
    default_ratio_text: str = "16:9"

    def size(self, resolution: str, ratio: str) -> tuple[int, int]:
        return SIZES[self.family][resolution][ratio]


_I2V = frozenset({FIRST, FIRST_LAST})


def _seedance_10(id: str, kinds: frozenset[str], default_resolution: str, **extra: Any) -> ArkModel:
    return ArkModel(
        id=id,
        family="1.0",
        kinds=kinds,
        resolutions=RESOLUTIONS,
        default_resolution=default_resolution,
        durations=(2, 12),
        frames=True,
        **extra,
    )


def _seedance_20(id: str, resolutions: tuple[str, ...]) -> ArkModel:
    return ArkModel(
        id=id,
        family="1.5",
        kinds=frozenset({TEXT, FIRST, FIRST_LAST, REFERENCE}),
        resolutions=resolutions,
        default_resolution="720p",  # unverified
        durations=(4, 15),
        auto_duration=True,
        audio=True,
        max_reference_images=9,
        media_references=True,
    )


MODELS: dict[str, ArkModel] = {
    m.id: m
    for m in (
        _seedance_20("doubao-seedance-2-0-260128", RESOLUTIONS),
        _seedance_20("doubao-seedance-2-0-fast-260128", ("480p", "720p")),
        ArkModel(
            id="doubao-seedance-1-5-pro-251215",
            family="1.5",
            kinds=frozenset({TEXT} | _I2V),
            resolutions=RESOLUTIONS,
            default_resolution="720p",
            durations=(4, 12),
            auto_duration=True,
            audio=True,
            draft=True,
            priority=False,
            default_ratio_text="adaptive",
        ),
        _seedance_10("doubao-seedance-1-0-pro-250528", frozenset({TEXT} | _I2V), "1080p"),
        _seedance_10("doubao-seedance-1-0-pro-fast-251015", frozenset({TEXT} | _I2V), "1080p"),
        _seedance_10("doubao-seedance-1-0-lite-t2v-250428", frozenset({TEXT}), "720p"),
        _seedance_10(
            "doubao-seedance-1-0-lite-i2v-250428",
            frozenset(_I2V | {REFERENCE}),
            "720p",
            max_reference_images=4,
            reference_resolutions=("480p", "720p"),  # not 1080p with references
        ),
    )
}


def nearest_ratio(width: int, height: int) -> str:
    """The listed ratio closest to an image's (what ``adaptive`` resolves to)."""
    value = width / height

    def distance(ratio: str) -> float:
        w, h = (int(x) for x in ratio.split(":"))
        return abs(value - w / h)

    return min(RATIOS, key=distance)


def frame_count(duration: int) -> int:
    """Frames of a whole-second clip: 24 per second plus the closing frame, as the service's
    frames appear to be (5 s → 121; contract section 7)."""
    return FPS * duration + 1


def completion_tokens(width: int, height: int, frames: int) -> int:
    """Output tokens (contract section 7): W × H × frames / 1024, frames = fps × duration + 1,
    which gives the contract's example (720p 16:9 5 s → 108 900)."""
    return width * height * frames // 1024
