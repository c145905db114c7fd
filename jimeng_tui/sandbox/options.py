"""Settings of the local Jimeng emulator, and the words that make it misbehave on purpose."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jimeng_tui.sandbox import ark_settings as ark
from jimeng_tui.services.jimeng import catalog

DEFAULT_ACCESS_KEY = "AKSANDBOXJIMENGTUI0001"
DEFAULT_SECRET_KEY = "sandbox-secret-key"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8420

# Content triggers (documented in `jimeng-tui sandbox --help`).
TEXT_RISK_WORD = "sandbox-reject"  # in the prompt → 50412 at submit
POST_TEXT_RISK_WORD = "sandbox-copyright"  # in the prompt → 50413 at submit
VIDEO_RISK_WORD = "sandbox-video-reject"  # in the prompt → 50516 once the task would be done
IMAGE_RISK_MARKER = "sandbox-risk"  # in an image URL, or a pure-magenta top-left 16×16 → 50411
IMAGE_RISK_COLOUR = (255, 0, 255)
IMAGE_RISK_PATCH = 16

# How far X-Date may be from the sandbox's clock (the gateway's rule).
MAX_CLOCK_SKEW_S = 15 * 60

FAULT_RATES: tuple[str, ...] = (
    "fail_rate",
    "fail_after_create_rate",
    "task_fail_rate",
    "reset_rate",
    "slow_rate",
    "truncate_rate",
)


class _Scaled:
    """A read-only duration in real seconds: the named setting divided by ``speed``."""

    def __init__(self, setting: str) -> None:
        self.setting = setting

    def __get__(self, options: SandboxOptions, owner: type | None = None) -> float:
        return float(getattr(options, self.setting)) / options.speed


@dataclass
class SandboxOptions:
    """Everything the sandbox can be told. Durations are service seconds, divided by ``speed``."""

    access_key: str = DEFAULT_ACCESS_KEY
    secret_key: str = DEFAULT_SECRET_KEY
    # More key pairs the gateway accepts (access key → secret key), e.g. for per-key limits.
    extra_keys: dict[str, str] = field(default_factory=dict)
    speed: float = 1.0
    queue_seconds: float = 1.0
    generate_seconds: float = 3.0
    link_lifetime_s: float = catalog.VIDEO_URL_LIFETIME_S
    task_lifetime_s: float = catalog.TASK_LIFETIME_S
    max_concurrency: int | None = None  # tasks in_queue/generating per access key → 50430
    qps: float | None = None  # API requests per second per access key → 50429
    fail_rate: float = 0.0  # 50500 (Ark: 500) at submit/query, no task created
    fail_after_create_rate: float = 0.0  # a submit/create makes its task, then answers 50500/500
    task_fail_rate: float = 0.0  # a task fails once done (50516; Ark: OutputVideoSensitive…)
    reset_rate: float = 0.0  # connection dropped without an answer (a submit's task IS created)
    slow_rate: float = 0.0  # the answer is delayed by slow_seconds
    slow_seconds: float = 2.0
    truncate_rate: float = 0.0  # video body cut after half (Content-Length says the full size)
    large_file_bytes: int | None = None  # serve every video padded to this many bytes
    request_log: Path | None = None  # JSON lines, one per API request
    cache_dir: Path | None = None  # rendered clips; None → a folder under the system temp dir
    task_file: Path | None = None  # keeps tasks across runs (see sandbox/tasks.py); None: memory
    seed: int = 0  # for the fault RNG
    # Ark (Seedance) under /api/v3 (sandbox/ark/).
    ark_api_key: str = ark.DEFAULT_ARK_API_KEY
    ark_link_lifetime_s: float = ark.LINK_LIFETIME_S
    ark_task_lifetime_s: float = ark.TASK_LIFETIME_S
    ark_queue_limit: int = ark.QUEUE_LIMIT  # queued tasks per account → 429 QuotaExceeded
    ark_deny: str | None = None  # every Ark call answers 403 with this code (ark.DENY_CODES)
    ark_endpoints: dict[str, str] = field(default_factory=dict)  # "ep-…" → the model it serves
    ark_not_open: tuple[str, ...] = ()  # model ids not activated → 404 ModelNotOpen

    def __post_init__(self) -> None:
        if self.speed <= 0:
            raise ValueError("speed must be positive")
        for name in (*FAULT_RATES,):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {value}")
        if self.ark_deny is not None and self.ark_deny not in ark.DENY_CODES:
            raise ValueError(f"ark_deny must be one of {', '.join(ark.DENY_CODES)}")
        self.ark_not_open = tuple(self.ark_not_open)
        if self.request_log is not None:
            self.request_log = Path(self.request_log)
        if self.cache_dir is not None:
            self.cache_dir = Path(self.cache_dir)
        if self.task_file is not None:
            self.task_file = Path(self.task_file)

    def __repr__(self) -> str:  # the secret key never reaches a log
        shown = {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name not in ("secret_key", "extra_keys", "ark_api_key")
        }
        inner = ", ".join(f"{k}={v!r}" for k, v in shown.items())
        return f"SandboxOptions({inner}, secret_key='***', ark_api_key='***')"

    # Scaled durations (real seconds).
    queue_s = _Scaled("queue_seconds")
    generate_s = _Scaled("generate_seconds")
    link_s = _Scaled("link_lifetime_s")
    task_s = _Scaled("task_lifetime_s")
    ark_link_s = _Scaled("ark_link_lifetime_s")
    ark_task_s = _Scaled("ark_task_lifetime_s")

    def keys(self) -> dict[str, str]:
        """Every access key the gateway accepts, with its secret."""
        return {**self.extra_keys, self.access_key: self.secret_key}

    def replace(self, **changes: Any) -> SandboxOptions:
        return dataclasses.replace(self, **changes)
