"""What the headless commands print: the progress line on stderr, JSON, and table helpers."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from jimeng_tui.cli import json_output as cli_json
from jimeng_tui.cli.text import json_safe, printable
from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.jobs.display import clock as elapsed_text
from jimeng_tui.jobs.display import size as size_text

if TYPE_CHECKING:
    import asyncio  # imported where the ticker starts: `history` and `locate` never need it

PROG = "jimeng-tui"

_SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
_LABELS = {
    JobState.QUEUED: "queued",
    JobState.SUBMITTING: "submitting",
    JobState.IN_QUEUE: "in queue",
    JobState.GENERATING: "generating",
    JobState.DONE: "done",
    JobState.DOWNLOADING: "downloading",
    JobState.CONFORMING: "conforming",
    JobState.SAVED: "saved",
    JobState.FAILED: "failed",
    JobState.CANCELLED: "cancelled",
    JobState.EXPIRED: "expired",
    JobState.SUBMIT_UNKNOWN: "no answer",
}


class Progress:
    """Engine events → one status line on stderr (rewritten with ``\\r``), only on a terminal.

    ``enabled`` draws the line; ``quiet`` silences notices too. Warnings are always printed.
    """

    def __init__(self, *, enabled: bool, quiet: bool, stream: TextIO | None = None):
        self.enabled = enabled
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.jobs: dict[int, Job] = {}
        self.downloads: dict[int, tuple[int, int | None]] = {}
        self.throttle: str = ""
        self._listeners: list[Callable[[Any], None]] = []
        self._ticker: asyncio.Task[None] | None = None
        self._frame = 0
        self._drawn = 0

    # -- engine side ---------------------------------------------------------------------------

    def add_listener(self, listener: Callable[[Any], None]) -> None:
        self._listeners.append(listener)

    def on_event(self, event: Any) -> None:
        for listener in list(self._listeners):
            with contextlib.suppress(Exception):
                listener(event)
        kind = type(event).__name__
        if kind == "JobChanged":
            job = event.job
            if job.id is not None and (job.id in self.jobs or not self.jobs):
                self.jobs[job.id] = job
        elif kind == "DownloadProgress":
            self.downloads[event.job_id] = (event.received, event.total)
        elif kind == "JobNotice":
            self.notice(event.text)
            return
        elif kind == "ThrottleChanged":
            state = event.state
            limited = getattr(state, "rate_limited_for", 0) or 0
            self.throttle = state.describe() if limited else ""
        self.draw()

    def track(self, job: Job) -> None:
        if job.id is not None:
            self.jobs[job.id] = job
        self._start_ticker()

    # -- output ----------------------------------------------------------------------------------

    def notice(self, text: str) -> None:
        if self.quiet:
            return
        self._clear()
        print(printable(f"{PROG}: {text}"), file=self.stream, flush=True)
        self.draw()

    def echo(self, text: str, stream: TextIO | None = None) -> None:
        """Print a whole line (to ``stream``, default stderr) without tearing the status line."""
        self._clear()
        print(printable(text), file=stream or self.stream, flush=True)
        self.draw()

    def warn(self, text: str) -> None:
        self._clear()
        print(printable(f"{PROG}: warning: {text}"), file=self.stream, flush=True)
        self.draw()

    def line(self) -> str:
        now = time.time()
        parts = []
        for job in self.jobs.values():
            label = _LABELS.get(job.state, str(job.state))
            start = job.submitted_at or job.created_at
            part = f"{label} {elapsed_text(now - start)}"
            if job.state is JobState.DOWNLOADING and job.id in self.downloads:
                received, total = self.downloads[job.id]
                if total:
                    part = f"{label} {received * 100 // total:3d}% of {size_text(total)}"
                else:
                    part = f"{label} {size_text(received)}"
            if len(self.jobs) == 1 and job.task_id:
                part += f"  task {job.task_id}"
            parts.append(part)
        if self.throttle:
            parts.append(self.throttle)
        spinner = _SPINNER[self._frame % len(_SPINNER)]
        return f"{spinner} " + " · ".join(parts) if parts else ""

    def draw(self) -> None:
        if not self.enabled or not self.jobs:
            return
        text = self.line()
        pad = max(0, self._drawn - len(text))
        with contextlib.suppress(OSError, ValueError):
            self.stream.write("\r" + text + " " * pad)
            self.stream.flush()
        self._drawn = len(text)

    def _clear(self) -> None:
        if self.enabled and self._drawn:
            with contextlib.suppress(OSError, ValueError):
                self.stream.write("\r" + " " * self._drawn + "\r")
                self.stream.flush()
            self._drawn = 0

    def _start_ticker(self) -> None:
        if not self.enabled or self._ticker is not None:
            return
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._ticker = loop.create_task(self._tick())

    async def _tick(self) -> None:
        import asyncio

        while True:
            await asyncio.sleep(0.25)
            self._frame += 1
            self.draw()

    def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
        self._clear()
        self.jobs.clear()


# ------------------------------------------------------------------------------------------------
# JSON
# ------------------------------------------------------------------------------------------------


def job_json(job: Job) -> dict[str, Any]:
    """One job as the ``--json`` object (never image data, never a key)."""
    return {
        "job_id": job.id,
        "task_id": job.task_id,
        "request_id": job.request_id,
        "status": str(job.state),
        "video_url": job.video_url,
        "path": job.path,
        "source_path": job.source_path,
        "sidecar_path": job.sidecar_path,
        "prompt": job.prompt,
        "mode": job.mode,
        "model": job.mode,  # the model id (Jimeng 3.0's are its modes)
        "service": job.meta.service_name,
        "req_key": job.req_key,
        "parameters": {k: v for k, v in job.params.items() if not k.startswith("_")},
        "duration": job.duration_s,
        "fps": job.fps,
        "width": job.width,
        "height": job.height,
        "size_bytes": job.size_bytes,
        "created_at": job.created_at,
        "submitted_at": job.submitted_at,
        "finished_at": job.finished_at,
        "saved_at": job.saved_at,
        "error_code": job.error_code,
        "error_message": job.error_message,
        "tokens": job.meta.usage_tokens,
        "last_frame": job.meta.last_frame_path,
        "has_audio": job.meta.has_audio,
    }


def print_json(value: Any) -> None:
    cli_json.note_printed(value)
    print(json_safe(json.dumps(value, ensure_ascii=False, indent=2, default=str)))
    sys.stdout.flush()


def print_json_line(value: Any) -> None:
    """One compact JSON value on one line (JSON Lines output)."""
    cli_json.note_printed(value)
    print(json_safe(json.dumps(value, ensure_ascii=False, default=str)))
    sys.stdout.flush()
