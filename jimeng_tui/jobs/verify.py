"""Is a saved job still whole on disk? Checked before anything is fetched again.

For each file a saved job has, the facts its ``NAME.json`` sidecar recorded at save time are
compared with the file: the video's size and media facts (PyAV opens it: duration, frames), and
the SHA-256 of the service's file as received (``served_sha256``: the video itself when it was
kept as served, else ``NAME.source.mp4``). Blocking; callers use ``asyncio.to_thread``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jimeng_tui.domain.job import Job
from jimeng_tui.jobs import media

DURATION_TOLERANCE_S = 0.05


@dataclass(frozen=True)
class FileCheck:
    role: str  # "video" | "source" | "sidecar"
    path: Path
    problem: str | None = None  # None: whole
    missing: bool = False

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class VerifyResult:
    checks: list[FileCheck] = field(default_factory=list)
    sidecar: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def check(self, role: str) -> FileCheck | None:
        return next((c for c in self.checks if c.role == role), None)

    @property
    def problems(self) -> list[FileCheck]:
        return [c for c in self.checks if not c.ok]

    def describe(self) -> str:
        if self.ok:
            return "size, SHA-256 and PyAV checked"
        return "; ".join(f"{c.path.name}: {c.problem}" for c in self.problems)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def job_files(job: Job) -> tuple[Path, Path | None, Path]:
    """(video, the service's file when conformed else None, sidecar) of a saved job."""
    video = Path(job.path or "")
    source = Path(job.source_path) if job.source_path else None
    sidecar = Path(job.sidecar_path) if job.sidecar_path else video.with_suffix(".json")
    return video, source, sidecar


def _load_sidecar(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, "missing"
    except (OSError, ValueError) as exc:
        return None, f"unreadable ({exc})"
    if not isinstance(data, dict):
        return None, "not a sidecar"
    return data, None


def _check_video(
    role: str, path: Path, *, size: int | None, sha256: str | None, duration: float | None
) -> FileCheck:
    if not path.is_file():
        return FileCheck(role, path, "missing", missing=True)
    actual = path.stat().st_size
    if size is not None and actual != size:
        return FileCheck(role, path, f"{actual:,} bytes, {size:,} when saved")
    if sha256 and file_sha256(path) != sha256:
        return FileCheck(role, path, "its SHA-256 differs from the one received")
    try:
        info = media.probe(path)
    except media.MediaError as exc:
        return FileCheck(role, path, f"not a playable video ({exc})")
    if duration is not None and abs(info.duration_s - duration) > DURATION_TOLERANCE_S:
        return FileCheck(role, path, f"plays {info.duration_s:.2f} s, {duration:.2f} s when saved")
    return FileCheck(role, path)


def verify_saved(job: Job) -> VerifyResult:
    """Check every file of a saved job against its sidecar (and the history's record)."""
    if not job.path:
        return VerifyResult([FileCheck("video", Path(""), "never saved", missing=True)])
    video, source, sidecar_path = job_files(job)
    sidecar, sidecar_problem = _load_sidecar(sidecar_path)
    if sidecar is not None and job.task_id and str(sidecar.get("task_id")) != str(job.task_id):
        sidecar, sidecar_problem = None, "belongs to another task"
    facts = (sidecar or {}).get("media") or {}
    served_sha = (sidecar or {}).get("served_sha256")
    checks = [
        _check_video(
            "video",
            video,
            size=facts.get("size_bytes") or job.size_bytes,
            sha256=served_sha if source is None else None,  # a conformed file was made here
            duration=facts.get("duration_s") or job.duration_s,
        )
    ]
    if source is not None:
        checks.append(_check_video("source", source, size=None, sha256=served_sha, duration=None))
    checks.append(
        FileCheck("sidecar", sidecar_path, sidecar_problem, missing=sidecar_problem == "missing")
    )
    return VerifyResult(checks, sidecar)
