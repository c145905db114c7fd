"""Ark tasks in the sandbox: their lifecycle on the sandbox clock, the queue limit, cancel/delete
per status (contract section 5), the 7-day window, and the list's filters and paging."""

from __future__ import annotations

import contextlib
import secrets
import string
import time
from dataclasses import dataclass, field
from typing import Any

from jimeng_tui.sandbox.ark import CANCELLED_LIFETIME_S
from jimeng_tui.sandbox.ark import models as m
from jimeng_tui.sandbox.state import SandboxState
from jimeng_tui.sandbox.tasks import JsonTask, TaskFile
from jimeng_tui.sandbox.video import ClipSpec

STATUSES = ("queued", "running", "cancelled", "succeeded", "failed")  # the list's filter values
FAILURE_MESSAGES = {
    "OutputVideoSensitiveContentDetected": "The output video may contain sensitive information.",
    "OutputVideoSensitiveContentDetected.PolicyViolation": (
        "The output video may contain copyrighted content."
    ),
    "InternalServiceError": "The service met an internal error while generating the video.",
}
_ID_CHARS = string.ascii_lowercase + string.digits


@dataclass
class ArkTask(JsonTask):
    id: str
    model_name: str  # as sent (model id or endpoint id)
    model_id: str  # the model it runs
    body: dict[str, Any]  # redacted
    spec: ClipSpec
    created_at: float  # sandbox clock
    queue_s: float
    generate_s: float
    expires_s: float  # execution_expires_after, scaled: unfinished by then → expired
    resolution: str
    ratio: str  # resolved
    duration: int
    frames: int | None  # as sent
    seed: int
    flags: dict[str, bool]
    echo: dict[str, Any]
    tokens: int
    failure: str | None = None  # the failed-task code, decided at create
    draft_task_id: str | None = None
    cancelled_at: float | None = None
    forced_status: str | None = None
    deleted: bool = False  # kept as a mark, so that a task file merge cannot bring it back

    @property
    def task_id(self) -> str:
        return self.id

    @property
    def done_at(self) -> float:
        return self.created_at + self.queue_s + self.generate_s

    def status(self, now: float) -> str:
        if self.forced_status:
            return self.forced_status
        if self.cancelled_at is not None:
            return "cancelled"
        age = now - self.created_at
        if age < self.queue_s + self.generate_s and age >= self.expires_s:
            return "expired"
        if age < self.queue_s:
            return "queued"
        if age < self.queue_s + self.generate_s:
            return "running"
        return "failed" if self.failure else "succeeded"

    def updated_at(self, now: float) -> float:
        status = self.status(now)
        if status == "cancelled" and self.cancelled_at is not None:
            return self.cancelled_at
        if status == "running":
            return self.created_at + self.queue_s
        if status in ("succeeded", "failed"):
            return self.done_at
        if status == "expired":
            return self.created_at + self.expires_s
        return self.created_at


@dataclass
class ArkState:
    """The Ark tasks of one sandbox; shares its clock, lock, faults, link key and log."""

    sandbox: SandboxState
    tasks: dict[str, ArkTask] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.lock = self.sandbox.lock
        self.options = self.sandbox.options
        self.frames: dict[str, bytes] = {}  # last-frame PNGs by clip key
        self.sandbox.video_sources.append(self.video_source)
        self.task_file = None
        path = self.options.task_file
        if path is not None:  # beside Jimeng's: "tasks.json" → "tasks.ark.json"
            ark_path = path.with_name(f"{path.stem}.ark{path.suffix or '.json'}")
            self.task_file = TaskFile(ark_path, self.options.ark_task_s, ArkTask)
            kept, _ = self.task_file.load(self.sandbox.now())
            self.tasks.update(kept)

    def keep(self) -> None:
        """Write the task file, if there is one (a failed write only costs the resume)."""
        if self.task_file is not None:
            with contextlib.suppress(OSError):
                self.task_file.save(self.tasks, self.sandbox.link_secret, self.sandbox.now())

    def new_id(self) -> str:
        stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(self.sandbox.now()))
        while True:
            tail = "".join(secrets.choice(_ID_CHARS) for _ in range(5))
            task_id = f"cgt-{stamp}-{tail}"
            if task_id not in self.tasks:
                return task_id

    def add(self, task: ArkTask) -> None:
        with self.lock:
            self.tasks[task.id] = task
            self.keep()

    def force_status(self, task_id: str, status: str | None) -> None:
        with self.lock:
            self.tasks[task_id].forced_status = status
            self.keep()

    def lookup(self, task_id: str) -> ArkTask | None:
        """The task, or None: unknown, deleted, older than the 7-day window, or cancelled
        more than 24 h ago (all scaled by ``speed``)."""
        now = self.sandbox.now()
        with self.lock:
            task = self.tasks.get(task_id)
        if task is None or task.deleted or now - task.created_at > self.options.ark_task_s:
            return None
        if task.cancelled_at is not None and (
            now - task.cancelled_at > CANCELLED_LIFETIME_S / self.options.speed
        ):
            return None
        return task

    def queued(self) -> int:
        now = self.sandbox.now()
        with self.lock:
            tasks = list(self.tasks.values())
        return sum(1 for t in tasks if t.status(now) == "queued")

    def unfinished(self) -> int:
        now = self.sandbox.now()
        with self.lock:
            tasks = list(self.tasks.values())
        return sum(1 for t in tasks if t.status(now) in ("queued", "running"))

    def video_source(self, task_id: str) -> tuple[ClipSpec, float] | None:
        task = self.lookup(task_id)
        if task is None or task.status(self.sandbox.now()) != "succeeded":
            return None
        return task.spec, task.done_at

    def delete(self, task_id: str) -> str | None:
        """Cancel a queued task or delete a finished one; the refused status otherwise
        ("running", "cancelled"). Raises KeyError for an unknown task."""
        with self.lock:
            task = self.lookup(task_id)
            if task is None:
                raise KeyError(task_id)
            status = task.status(self.sandbox.now())
            if status in ("running", "cancelled"):
                return status
            if status == "queued":
                task.cancelled_at = self.sandbox.now()
            else:
                task.deleted = True
            self.keep()
            return None

    def matching(
        self,
        status: str | None = None,
        task_ids: list[str] | None = None,
        model: str | None = None,
        service_tier: str | None = None,
    ) -> list[ArkTask]:
        """The listable tasks that pass the filters, newest first."""
        now = self.sandbox.now()
        with self.lock:
            ids = list(self.tasks)
        found = []
        for task_id in ids:
            task = self.lookup(task_id)
            if task is None:
                continue
            if status and task.status(now) != status:
                continue
            if task_ids and task.id not in task_ids:
                continue
            if model and model not in (task.model_name, task.model_id):
                continue
            if service_tier and task.echo.get("service_tier") != service_tier:
                continue
            found.append(task)
        found.sort(key=lambda t: t.created_at, reverse=True)
        return found


def pick_duration(model: m.ArkModel, prompt: str, seed: int) -> int:
    """What ``duration: -1`` becomes: a whole second in the model's range, from prompt and seed."""
    low, high = model.durations
    return low + (sum(prompt.encode()) + seed) % (high - low + 1)
