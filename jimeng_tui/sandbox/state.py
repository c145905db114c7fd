"""All the emulator's state: tasks, faults, limits, its clock, link signing and the request log.

One :class:`SandboxState` per server (``app.state.sandbox``); the test thread may change its
faults and clock while the server runs (its mutations take ``state.lock``).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import random
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jimeng_tui.sandbox.options import SandboxOptions
from jimeng_tui.sandbox.tasks import Task, TaskFile
from jimeng_tui.sandbox.video import ClipCache, ClipSpec

FAULT_KINDS: tuple[str, ...] = (
    "fail",
    "fail_after_create",
    "task_fail",
    "reset",
    "slow",
    "truncate",
)

RUNTIME_SETTINGS = (
    "slow_seconds",
    "large_file_bytes",
    "max_concurrency",
    "qps",
    "ark_deny",
    "ark_queue_limit",
)

# Finds the clip behind a video link's task id: (spec, finished at), or None.
VideoSource = Callable[[str], tuple[ClipSpec, float] | None]


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class SandboxState:
    options: SandboxOptions
    tasks: dict[str, Task] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    clock_offset: float = 0.0

    def __post_init__(self) -> None:
        o = self.options
        self.lock = threading.RLock()
        self.rng = random.Random(o.seed)
        self.rates = {kind: getattr(o, f"{kind}_rate") for kind in FAULT_KINDS}
        self.slow_seconds = o.slow_seconds
        self.large_file_bytes = o.large_file_bytes
        self.max_concurrency = o.max_concurrency
        self.qps = o.qps
        self.ark_deny = o.ark_deny
        self.ark_queue_limit = o.ark_queue_limit
        self.pending: dict[tuple[str, str | None], int] = {}
        self.buckets: dict[str, _Bucket] = {}
        self.clips = ClipCache(o.cache_dir)
        self.link_secret = secrets.token_bytes(32)
        self._log_lock = threading.Lock()
        self.video_sources: list[VideoSource] = []  # more tasks with links (Ark's)
        self.task_file = TaskFile(o.task_file, o.task_s) if o.task_file else None
        if self.task_file is not None:
            kept, link_key = self.task_file.load(self.now())
            self.tasks.update(kept)
            self.link_secret = link_key or self.link_secret

    # clocks -------------------------------------------------------------
    def now(self) -> float:
        """The sandbox clock (wall time plus whatever ``advance`` added)."""
        return time.time() + self.clock_offset

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.clock_offset += seconds

    # faults -------------------------------------------------------------
    def set_faults(self, **changes: Any) -> None:
        """Change fault settings at runtime: the ``*_rate`` of every fault kind, slow_seconds,
        large_file_bytes, max_concurrency, qps, ark_deny, ark_queue_limit."""
        with self.lock:
            for name, value in changes.items():
                kind = name.removesuffix("_rate")
                if name.endswith("_rate") and kind in FAULT_KINDS:
                    if not 0.0 <= value <= 1.0:
                        raise ValueError(f"{name} must be between 0 and 1")
                    self.rates[kind] = float(value)
                elif name in RUNTIME_SETTINGS:
                    setattr(self, name, value)
                    if name == "qps":
                        self.buckets.clear()
                else:
                    raise TypeError(f"unknown fault setting {name!r}")

    def inject(self, kind: str, count: int = 1, action: str | None = None) -> None:
        """Make the next ``count`` matching requests hit fault ``kind`` (fail,
        fail_after_create, task_fail, reset, slow, truncate); ``action`` narrows it to "submit"
        (Jimeng submit, Ark create), "query" (Jimeng query, Ark get and list), "delete" (Ark) or
        "video"."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(FAULT_KINDS)}")
        if action not in (None, "submit", "query", "delete", "video"):
            raise ValueError("action must be submit, query, delete, video or None")
        with self.lock:
            key = (kind, action)
            self.pending[key] = self.pending.get(key, 0) + count

    def clear_faults(self) -> None:
        with self.lock:
            self.pending.clear()
            for kind in FAULT_KINDS:
                self.rates[kind] = 0.0

    def roll(self, kind: str, action: str) -> bool:
        with self.lock:
            for key in ((kind, action), (kind, None)):
                if self.pending.get(key, 0) > 0:
                    self.pending[key] -= 1
                    return True
            rate = self.rates[kind]
            return rate > 0 and self.rng.random() < rate

    # limits ------------------------------------------------------------
    def take_token(self, access_key: str) -> bool:
        if not self.qps:
            return True
        with self.lock:
            now = time.monotonic()
            capacity = max(1.0, self.qps)
            bucket = self.buckets.setdefault(access_key, _Bucket(capacity, now))
            bucket.tokens = min(capacity, bucket.tokens + (now - bucket.updated) * self.qps)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return True
            return False

    def running(self, access_key: str) -> int:
        now = self.now()
        with self.lock:
            return sum(
                1
                for t in self.tasks.values()
                if t.access_key == access_key and t.status(now) in ("in_queue", "generating")
            )

    # tasks ---------------------------------------------------------------
    def new_task_id(self) -> str:
        while True:
            task_id = str(secrets.randbelow(9 * 10**18) + 10**18)  # 19 digits, > 2**53
            if task_id not in self.tasks:
                return task_id

    def lookup(self, task_id: str) -> Task | None:
        """The task, or None when unknown or older than the (scaled) task lifetime."""
        with self.lock:
            task = self.tasks.get(task_id)
        if task is None or self.now() - task.created_at > self.options.task_s:
            return None
        return task

    def force_status(self, task_id: str, status: str | None) -> None:
        with self.lock:
            self.tasks[task_id].forced_status = status
            self.keep_tasks()

    def add_task(self, task: Task) -> None:
        with self.lock:
            self.tasks[task.task_id] = task
            self.keep_tasks()

    def keep_tasks(self) -> None:
        """Write the task file, if there is one (a failed write only costs the resume)."""
        if self.task_file is not None:
            with contextlib.suppress(OSError):
                self.task_file.save(self.tasks, self.link_secret, self.now())

    # links ---------------------------------------------------------------
    def link_signature(self, task_id: str, expires_ms: int) -> str:
        msg = f"{task_id}:{expires_ms}".encode()
        return hmac.new(self.link_secret, msg, hashlib.sha256).hexdigest()

    def video_url(self, base_url: str, task_id: str, expires_at: float | None = None) -> str:
        """A signed link to the task's clip, valid until ``expires_at`` (sandbox clock;
        default: the Jimeng link lifetime from now)."""
        return self.signed_url(base_url, f"{task_id}.mp4", "video", expires_at)

    def signed_url(
        self, base_url: str, name: str, folder: str, expires_at: float | None = None
    ) -> str:
        if expires_at is None:
            expires_at = self.now() + self.options.link_s
        expires_ms = int(expires_at * 1000)
        sig = self.link_signature(name.removesuffix(".mp4"), expires_ms)
        return f"{base_url.rstrip('/')}/{folder}/{name}?expires={expires_ms}&signature={sig}"

    def find_video(self, task_id: str) -> tuple[ClipSpec, float] | None:
        """The clip behind a video link and when its task finished, or None."""
        with self.lock:
            task = self.tasks.get(task_id)
        if task is not None:
            return task.spec, task.done_at
        for source in self.video_sources:
            found = source(task_id)
            if found is not None:
                return found
        return None

    # log -----------------------------------------------------------------
    def log(self, entry: dict[str, Any]) -> None:
        entry = {"time": datetime.now(UTC).isoformat(timespec="milliseconds"), **entry}
        with self.lock:
            self.requests.append(entry)
        path = self.options.request_log
        if path is not None:
            line = json.dumps(entry, ensure_ascii=False, default=str) + "\n"
            with self._log_lock, Path(path).open("a", encoding="utf-8") as fh:
                fh.write(line)
