"""The one table of what the Jimeng Video 3.0 service offers.

Validation, CLI choices, TUI selectors and the sandbox all read this module; nothing else
spells a req_key, a limit or an allowed value.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class AspectRule(Enum):
    """Whether a mode sends the ``aspect_ratio`` field."""

    ALWAYS = "always"
    WITHOUT_IMAGE = "without_image"  # ti2v_pro: only for text-to-video use
    NEVER = "never"


@dataclass(frozen=True)
class Mode:
    name: str  # the CLI name of the original skill
    req_key: str
    label: str
    resolution: str
    min_images: int
    max_images: int
    aspect: AspectRule
    camera: bool = False  # template_id + camera_strength required (recamera)

    @property
    def takes_images(self) -> bool:
        return self.max_images > 0

    @property
    def takes_tail_image(self) -> bool:
        return self.max_images >= 2

    def takes_aspect_ratio(self, image_count: int) -> bool:
        if self.aspect is AspectRule.ALWAYS:
            return True
        return self.aspect is AspectRule.WITHOUT_IMAGE and image_count == 0

    def prompt_required(self, image_count: int) -> bool:
        # The only mode that may go without a prompt is ti2v_pro given a first frame.
        return not (self.aspect is AspectRule.WITHOUT_IMAGE and image_count > 0)

    @property
    def inputs(self) -> str:
        """What goes in, in a few words; plus the resolution where the name lacks it."""
        if self.camera:
            words = "frame + camera move"
        elif self.min_images == 2:
            words = "first + last frame"
        elif self.min_images == 1:
            words = "first frame"
        elif self.max_images == 1:
            words = "text or first frame"
        else:
            words = "text"
        if self.resolution not in self.name:
            words += f" · {self.resolution.upper()}"
        return words

    @property
    def image_rule(self) -> str:
        if self.max_images == 0:
            return "no image"
        if self.min_images == 0:
            return "an optional first-frame image"
        if self.min_images == 2:
            return "a first and a last frame image"
        return "exactly one first-frame image"


MODES: dict[str, Mode] = {
    m.name: m
    for m in (
        Mode(
            "t2v_720p",
            "jimeng_t2v_v30",
            "Text → video 720P",
            "720p",
            0,
            0,
            AspectRule.ALWAYS,
        ),
        Mode(
            "t2v_1080p",
            "jimeng_t2v_v30_1080p",
            "Text → video 1080P",
            "1080p",
            0,
            0,
            AspectRule.ALWAYS,
        ),
        Mode(
            "ti2v_pro",
            "jimeng_ti2v_v30_pro",
            "Pro: text or first frame → video 1080P",
            "1080p",
            0,
            1,
            AspectRule.WITHOUT_IMAGE,
        ),
        Mode(
            "i2v_first_720p",
            "jimeng_i2v_first_v30",
            "First frame → video 720P",
            "720p",
            1,
            1,
            AspectRule.NEVER,
        ),
        Mode(
            "i2v_first_1080p",
            "jimeng_i2v_first_v30_1080",
            "First frame → video 1080P",
            "1080p",
            1,
            1,
            AspectRule.NEVER,
        ),
        Mode(
            "i2v_first_tail_720p",
            "jimeng_i2v_first_tail_v30",
            "First + last frame → video 720P",
            "720p",
            2,
            2,
            AspectRule.NEVER,
        ),
        Mode(
            "i2v_first_tail_1080p",
            "jimeng_i2v_first_tail_v30_1080",
            "First + last frame → video 1080P",
            "1080p",
            2,
            2,
            AspectRule.NEVER,
        ),
        Mode(
            "i2v_recamera_720p",
            "jimeng_i2v_recamera_v30",
            "First frame + camera move → video 720P",
            "720p",
            1,
            1,
            AspectRule.NEVER,
            camera=True,
        ),
    )
}
MODE_NAMES: tuple[str, ...] = tuple(MODES)
MODE_BY_REQ_KEY: dict[str, Mode] = {m.req_key: m for m in MODES.values()}
DEFAULT_MODE = "t2v_720p"

# Durations and frame rates the product offers; the service renders only the NATIVE_FRAMES
# lengths at NATIVE_FPS.
DURATIONS: tuple[int, ...] = (4, 5, 6, 8, 10)
DEFAULT_DURATION = 5
FPS_CHOICES: tuple[int, ...] = (24, 25, 30)
DEFAULT_FPS = 24
NATIVE_FPS = 24
NATIVE_FRAMES: dict[int, int] = {5: 121, 10: 241}  # frames = 24 * seconds + 1
FRAME_CHOICES: tuple[int, ...] = tuple(NATIVE_FRAMES.values())

ASPECT_RATIOS: tuple[str, ...] = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9")
DEFAULT_ASPECT_RATIO = "16:9"

CAMERA_TEMPLATES: tuple[str, ...] = (
    "hitchcock_dolly_in",
    "hitchcock_dolly_out",
    "robo_arm",
    "dynamic_orbit",
    "central_orbit",
    "crane_push",
    "quick_pull_back",
    "counterclockwise_swivel",
    "clockwise_swivel",
    "handheld",
    "rapid_push_pull",
)
CAMERA_STRENGTHS: tuple[str, ...] = ("weak", "medium", "strong")
DEFAULT_CAMERA_STRENGTH = "medium"

PROMPT_MAX_CHARS = 800
PROMPT_RECOMMENDED_CHARS = 400

IMAGE_MAX_BYTES = 4_700_000  # "at most 4.7 MB": the decimal reading, the stricter one
IMAGE_MAX_SIDE = 4096
IMAGE_MIN_SIDE = 320
IMAGE_MAX_RATIO = 3.0
IMAGE_FORMATS: tuple[str, ...] = ("JPEG", "PNG")

SEED_RANDOM = -1
SEED_MAX = 2**32 - 1

# Pro output sizes by aspect ratio (the 720P/1080P sizes are not documented).
PRO_SIZES: dict[str, tuple[int, int]] = {
    "21:9": (2176, 928),
    "16:9": (1920, 1088),
    "4:3": (1664, 1248),
    "1:1": (1440, 1440),
    "3:4": (1248, 1664),
    "9:16": (1088, 1920),
}

VIDEO_URL_LIFETIME_S = 3600  # a video_url lives one hour
TASK_LIFETIME_S = 12 * 3600  # a task can be queried for about twelve hours

API_VERSION = "2022-08-31"
ACTION_SUBMIT = "CVSync2AsyncSubmitTask"
ACTION_RESULT = "CVSync2AsyncGetResult"
SERVICE = "cv"
REGION = "cn-north-1"
DEFAULT_API_URL = "https://visual.volcengineapi.com"

TASK_STATUSES: tuple[str, ...] = ("in_queue", "generating", "done", "not_found", "expired")


def native_frames_for(duration_s: int) -> int:
    """The shortest native render that covers ``duration_s`` seconds."""
    for seconds, frames in sorted(NATIVE_FRAMES.items()):
        if duration_s <= seconds:
            return frames
    raise ValueError(f"duration {duration_s} s is longer than the service renders")


def native_seconds(frames: int) -> int:
    return (frames - 1) // NATIVE_FPS


def ratio_value(aspect_ratio: str) -> float:
    w, h = aspect_ratio.split(":")
    return int(w) / int(h)


def nearest_aspect_ratio(width: int, height: int) -> str:
    """The catalog ratio closest to a picture's shape (what the service crops a first frame to)."""
    target = width / height
    return min(ASPECT_RATIOS, key=lambda r: abs(ratio_value(r) - target))
