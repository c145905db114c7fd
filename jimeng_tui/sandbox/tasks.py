"""The sandbox's tasks, and the file that keeps them across runs.

The service keeps a task for about 12 hours whatever the client does; an embedded sandbox
(``jimeng-tui --sandbox``) lives only as long as the program. With a task file its tasks
outlive it, so a job left running when jimeng-tui quits finishes on the next start, as it
would against the service. The file holds the tasks (redacted bodies, no image data) and the
key that signs video links; it is written atomically, readable by its owner only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jimeng_tui.sandbox.video import ClipSpec

FORMAT = 1


class JsonTask:
    """A dataclass task with ``task_id``, ``created_at`` and a ``spec`` (ClipSpec) that a
    :class:`TaskFile` can keep."""

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Any:
        fields = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        values = {k: v for k, v in data.items() if k in fields}
        values["spec"] = ClipSpec(**values["spec"])
        return cls(**values)


@dataclass
class Task(JsonTask):
    task_id: str
    access_key: str
    req_key: str
    body: dict[str, Any]  # redacted
    spec: ClipSpec
    aspect_ratio: str
    created_at: float  # sandbox clock
    queue_s: float
    generate_s: float
    video_risk: bool = False
    forced_status: str | None = None

    def status(self, now: float) -> str:
        if self.forced_status:
            return self.forced_status
        age = now - self.created_at
        if age < self.queue_s:
            return "in_queue"
        if age < self.queue_s + self.generate_s:
            return "generating"
        return "done"

    @property
    def done_at(self) -> float:
        return self.created_at + self.queue_s + self.generate_s


@dataclass
class TaskFile:
    """``path`` holds tasks younger than ``lifetime_s`` (sandbox clock) and the link key;
    ``kind`` is the task class (Jimeng's :class:`Task`, or Ark's)."""

    path: Path
    lifetime_s: float
    kind: type[JsonTask] = field(default_factory=lambda: Task)

    def load(self, now: float) -> tuple[dict[str, Any], bytes | None]:
        """The kept tasks and link key; nothing (never an error) when the file is missing
        or unreadable: a sandbox must start whatever its old file holds."""
        try:
            data = json.loads(self.path.read_text("utf-8"))
            tasks = [self.kind.from_json(t) for t in data["tasks"]]
            link_key = bytes.fromhex(data["link_key"])
        except (OSError, ValueError, KeyError, TypeError):
            return {}, None
        return {t.task_id: t for t in tasks if now - t.created_at <= self.lifetime_s}, link_key

    def save(self, tasks: dict[str, Any], link_key: bytes, now: float) -> None:
        """Write the tasks still alive, merged with what another sandbox using this file wrote
        since (ours win), so two programs at once do not drop each other's tasks."""
        kept, _ = self.load(now)
        kept.update(
            (task_id, task)
            for task_id, task in tasks.items()
            if now - task.created_at <= self.lifetime_s
        )
        text = json.dumps(
            {
                "format": FORMAT,
                "link_key": link_key.hex(),
                "tasks": [t.to_json() for t in kept.values()],
            },
            ensure_ascii=False,
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, self.path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
