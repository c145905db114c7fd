"""The files a history entry wrote, and removing them (blocking: run it in a worker thread)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from jimeng_tui.domain.job import Job


def job_files(job: Job) -> list[Path]:
    """The files a job wrote: the video, its sidecar and the service's own file."""
    files = []
    for name in (job.path, job.sidecar_path, job.source_path):
        if name and Path(name) not in files:
            files.append(Path(name))
    return files


def delete_job_files(job: Job, *, extra: Iterable[Path] = ()) -> list[Path]:
    """Remove the job's files (blocking); returns the ones that were removed."""
    removed = []
    for path in [*job_files(job), *extra]:
        try:
            if path.is_file() or path.is_symlink():
                path.unlink()
                removed.append(path)
        except FileNotFoundError:
            continue
    return removed
