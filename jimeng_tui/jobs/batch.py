"""A batch file: many generations from one file, run unattended and never paid for twice.

The file is JSON Lines (one object a line with the fields of ``jimeng-tui generate``) or, when
its name ends in ``.csv``, a table whose header row names the fields. A line's ``model`` (or
Jimeng 3.0's ``mode``) picks the service; each line is built by that service's codec. Blank
lines and lines starting with ``#`` are skipped. Relative image paths are taken from the batch
file's folder.

Every job a batch creates carries ``meta.batch``: the file's absolute path and SHA-256,
the line number, a fingerprint of the line's request (as written, defaults filled in) and its
repeat number (the n-th line of the file with that same request). A later run of the same file
(same path, or the same content elsewhere) finds those jobs and decides line by line
(:func:`plan`): skip what was saved, resume what is still in flight, refuse to send again what
may have created a task, run the rest. Inserting or moving lines does not make a line new.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.domain.meta import BatchOrigin
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.jobs.batch_fields import (
    IMAGE_FIELDS,
    convert,
    field_name,
    unknown_field,
    video_input,
)
from jimeng_tui.jobs.request_builder import build_request
from jimeng_tui.localfiles import FileTooLarge, NotARegularFile, read_regular_file, size_text
from jimeng_tui.services import registry
from jimeng_tui.services.base import BuiltRequest, Service, Target, WireBody, wire_body

MAX_REPORTED_ERRORS = 50
BATCH_MAX_BYTES = 64_000_000  # read at most (a 10,000-line file is about 2 MB)
# Preflight builds each line's body on a service that never sends (no address, no keys).
OFFLINE = Target(base_url="http://offline.invalid", credentials={})


class BatchFileError(ValueError):
    """The file as a whole cannot be used (missing, unreadable, empty)."""


@dataclass(frozen=True)
class LineError:
    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: "
        return where + (f"{self.field}: {self.message}" if self.field else self.message)


@dataclass
class BatchLine:
    number: int  # 1-based line of the file (the first line of a CSV record)
    values: dict[str, Any]  # the request as written, defaults filled in (the fingerprint's input)
    built: BuiltRequest  # validated by its service, image paths absolute
    fingerprint: str
    fields: VideoInput = field(default_factory=VideoInput)  # the line as the user wrote it
    repeat: int = 0  # 0 for the first line with this fingerprint, 1 for the second, ...
    body: WireBody | None = None  # what the submit would send (built by the preflight)

    def origin(self, batch: BatchFile) -> BatchOrigin:
        """What the job records as its ``meta.batch``."""
        return BatchOrigin(
            path=str(batch.path),
            sha256=batch.sha256,
            line=self.number,
            request=self.fingerprint,
            repeat=self.repeat,
        )


@dataclass
class BatchFile:
    path: Path  # absolute
    sha256: str  # of the file's bytes
    kind: str  # "jsonl" or "csv"
    lines: list[BatchLine] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    requests_seen: int = 0  # lines that were not blank or comments

    @property
    def folder(self) -> Path:
        return self.path.parent

    def history_matches(self) -> dict[str, str]:
        """The look-up for earlier jobs of this file: by path, or by content."""
        return {"$.batch.path": str(self.path), "$.batch.sha256": self.sha256}


# ------------------------------------------------------------------------------------------
# reading
# ------------------------------------------------------------------------------------------


def read_batch(path: Path, *, default_model: str = "") -> BatchFile:
    """Parse and check every line (not the images: see :func:`preflight`); a line without a
    model gets ``default_model`` (the session's choice).

    Bad lines are collected in ``errors``; BatchFileError when the file itself is unusable.
    """
    # resolved (symlinks, ..): the same file reached another way is still the same file
    try:
        path = Path(path).expanduser().resolve()
    except RuntimeError:  # pathlib's word for a symlink loop before Python 3.13
        raise BatchFileError(f"{path}: Too many levels of symbolic links") from None
    except OSError as exc:
        raise BatchFileError(f"{path}: {exc.strerror or exc}") from None
    try:
        raw = read_regular_file(path, BATCH_MAX_BYTES)
    except FileNotFoundError:
        raise BatchFileError(f"{path}: no such file") from None
    except NotARegularFile as exc:
        if exc.is_folder:
            raise BatchFileError(f"{path} is a folder; give the batch file") from None
        raise BatchFileError(f"{path} is {exc.kind}, not a batch file; nothing was read") from None
    except FileTooLarge as exc:
        raise BatchFileError(
            f"{path} is {exc.shown}; a batch file may be at most {size_text(exc.limit)} "
            "(split it into several files)"
        ) from None
    except OSError as exc:
        raise BatchFileError(f"{path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BatchFileError(
            f"{path} is not UTF-8 text (byte {exc.start}); save it as UTF-8"
        ) from None
    kind = "csv" if path.suffix.lower() == ".csv" else "jsonl"
    batch = BatchFile(path=path, sha256=hashlib.sha256(raw).hexdigest(), kind=kind)
    rows = _csv_rows(text, batch) if kind == "csv" else _jsonl_rows(text, batch)
    for number, values in rows:
        batch.requests_seen += 1
        line = _check_line(number, values, batch, default_model)
        if line is not None:
            batch.lines.append(line)
    if batch.requests_seen == 0:
        raise BatchFileError(
            f"{path} holds no requests (only blank lines and # comments)"
            if text.strip()
            else f"{path} is empty"
        )
    _number_repeats(batch.lines)
    return batch


def _jsonl_rows(text: str, batch: BatchFile) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, raw_line in enumerate(text.split("\n"), start=1):
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            batch.errors.append(
                LineError(number, None, f"not valid JSON: {exc.msg} (column {exc.colno})")
            )
            batch.requests_seen += 1
            continue
        if isinstance(value, str):  # a bare string: a prompt with every default
            value = {"prompt": value}
        if not isinstance(value, dict):
            batch.errors.append(
                LineError(
                    number, None, 'not a JSON object; write one request a line: {"prompt": ...}'
                )
            )
            batch.requests_seen += 1
            continue
        yield number, value


def _csv_rows(text: str, batch: BatchFile) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    header_line = 0
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            batch.errors.append(LineError(start, None, f"not valid CSV: {exc}"))
            batch.requests_seen += 1
            return
        if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        if header is None:
            header, header_line = [cell.strip() for cell in row], start
            bad = [name for name in header if field_name(name) is None]
            for name in bad:
                batch.errors.append(LineError(start, None, unknown_field(name, "column")))
            if bad:
                batch.requests_seen += 1
                return
            continue
        if len(row) > len(header):
            batch.errors.append(
                LineError(
                    start,
                    None,
                    f"{len(row)} values for the {len(header)} columns of the header (line "
                    f"{header_line}); quote values that hold commas",
                )
            )
            batch.requests_seen += 1
            continue
        # an empty cell means "not given": the default applies
        yield start, {name: cell for name, cell in zip(header, row, strict=False) if cell.strip()}


def _check_line(
    number: int, raw: dict[str, Any], batch: BatchFile, default_model: str
) -> BatchLine | None:
    values: dict[str, Any] = {}
    errors: list[LineError] = []
    for name, value in raw.items():
        key = field_name(str(name))
        if key is None:
            errors.append(LineError(number, None, unknown_field(str(name))))
            continue
        if key in values:
            errors.append(LineError(number, key, f"given twice (as {name!r} too)"))
            continue
        try:
            converted = convert(key, value)
        except ValueError as exc:
            errors.append(LineError(number, key, str(exc)))
            continue
        if converted is not None:
            values[key] = converted
    if not errors:
        try:
            fields = video_input(values)
            built = build_request(fields, base_dir=batch.folder, default_model=default_model)
        except ValidationError as exc:
            field = exc.field
            if field == "model" and "model" not in values and "mode" in values:
                field = "mode"  # as the line calls it
            errors.append(LineError(number, field, exc.reason))
        else:
            # the request as written: image paths as in the file, so that moving the batch
            # with its images keeps its lines known
            written = _as_written(dict(built.params), values, batch.folder)
            return BatchLine(number, written, built, _fingerprint(written), fields)
    batch.errors.extend(errors)
    return None


def _as_written(params: dict[str, Any], values: dict[str, Any], folder: Path) -> dict[str, Any]:
    """``params`` with each local image path the codec made absolute put back as written."""
    given: list[str] = []
    for name in IMAGE_FIELDS:
        value = values.get(name)
        given.extend(value if isinstance(value, list) else [value] if value else [])
    written = {_absolute(text, folder): text for text in given}

    def back(value: Any) -> Any:
        if isinstance(value, str):
            return written.get(value, value)
        if isinstance(value, list):
            return [back(item) for item in value]
        return value

    return {key: back(value) for key, value in params.items()}


def _absolute(text: str, folder: Path) -> str:
    path = Path(text.strip()).expanduser()
    return str((path if path.is_absolute() else folder / path).absolute())


def _fingerprint(values: dict[str, Any]) -> str:
    # Fields left unset are left out: a field a later version adds (unset) keeps old lines known.
    values = {key: value for key, value in values.items() if value is not None}
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _number_repeats(lines: list[BatchLine]) -> None:
    seen: dict[str, int] = {}
    for line in lines:
        line.repeat = seen.get(line.fingerprint, 0)
        seen[line.fingerprint] = line.repeat + 1


async def preflight(batch: BatchFile) -> None:
    """Check every line's images as the submit will (read, convert, limits) by building the
    body it would send, on its own service (made offline: nothing is sent); failures become
    line errors, and the body is kept on the line for a dry run."""
    services: dict[str, Service] = {}
    try:
        for line in batch.lines:
            name = line.built.service
            if name not in services:
                services[name] = registry.create(name, OFFLINE)
            service = services[name]
            try:
                request = service.request_from_params(line.built.params)
                line.body = wire_body(await service.build_body(request))
            except ValidationError as exc:
                batch.errors.append(LineError(line.number, exc.field, exc.reason))
    finally:
        for service in services.values():
            await service.aclose()
    batch.errors.sort(key=lambda e: e.line)


# ------------------------------------------------------------------------------------------
# what to do with each line, given the jobs earlier runs left
# ------------------------------------------------------------------------------------------


class Action(StrEnum):
    RUN = "run"  # submit a new job
    RESUME = "resume"  # drive the unfinished job(s) an earlier run left
    SKIP = "skip"  # saved already
    BLOCKED = "blocked"  # an earlier job may have created a task: not sent again


@dataclass
class LinePlan:
    line: BatchLine
    action: Action
    earlier: list[Job] = field(default_factory=list)  # this line's jobs from earlier runs
    reason: str = ""

    @property
    def resume_jobs(self) -> list[Job]:
        return [j for j in self.earlier if not j.is_final] if self.action is Action.RESUME else []

    @property
    def latest(self) -> Job | None:
        """The job that speaks for the line: a saved one if any, else the newest."""
        saved = [j for j in self.earlier if j.state is JobState.SAVED]
        if saved:
            return saved[-1]
        return self.earlier[-1] if self.earlier else None


def plan(
    batch: BatchFile, jobs: list[Job], *, retry_failed: bool = False, again: bool = False
) -> list[LinePlan]:
    """One decision per line. ``jobs`` are the history's jobs marked with this file (any
    order). ``again`` submits every line anew; ``retry_failed`` submits again the lines whose
    earlier job failed after a task was created. A submit that got no answer is never
    repeated unless ``again``."""
    by_key: dict[tuple[str, int], list[Job]] = {}
    by_place: dict[int, list[Job]] = {}  # jobs of this very file (same bytes), by line number
    for job in sorted(jobs, key=lambda j: j.id or 0):
        origin = job.meta.batch
        if origin is None:
            continue
        by_key.setdefault((origin.request, origin.repeat), []).append(job)
        if origin.sha256 == batch.sha256 and origin.line > 0:
            by_place.setdefault(origin.line, []).append(job)
    # A line is known by its request; in an unchanged file also by its place, so that a line
    # whose request now reads differently (a newer version's defaults) is never paid twice.
    return [
        _decide(
            line,
            by_key.get((line.fingerprint, line.repeat)) or by_place.get(line.number, []),
            retry_failed,
            again,
        )
        for line in batch.lines
    ]


def _decide(line: BatchLine, jobs: list[Job], retry_failed: bool, again: bool) -> LinePlan:
    action, reason = decide(jobs, retry_failed=retry_failed, again=again)
    return LinePlan(line, action, jobs, reason)


def decide(jobs: list[Job], *, retry_failed: bool, again: bool) -> tuple[Action, str]:
    """What to do with one request (a batch line, a storyboard's shot) given the jobs earlier
    runs made for it, and why (said to the user; "" when there is nothing to say)."""
    if again:
        return Action.RUN, "--again: a new generation" if jobs else ""
    if not jobs:
        return Action.RUN, ""
    if any(not j.is_final for j in jobs):
        return Action.RESUME, ""
    if any(j.state is JobState.SAVED for j in jobs):
        return Action.SKIP, ""
    if any(j.state is JobState.SUBMIT_UNKNOWN for j in jobs):
        return (
            Action.BLOCKED,
            "an earlier submit got no answer, so a task may exist and be billed; it is not "
            "sent again (check the Volcengine console; --again sends it anyway)",
        )
    made_task = any(j.task_id or j.state in (JobState.CANCELLED, JobState.EXPIRED) for j in jobs)
    if made_task and not retry_failed:
        why = (
            "a task was created for it in an earlier run"
            if any(j.task_id for j in jobs)
            else "it was cancelled in an earlier run"
        )
        return Action.BLOCKED, f"{why}; not submitted again (--retry-failed submits it again)"
    if made_task:
        return Action.RUN, "it failed in an earlier run: submitting again"
    return Action.RUN, "the earlier attempt failed before a task was created: submitting again"


# ------------------------------------------------------------------------------------------
# one run of a file at a time
# ------------------------------------------------------------------------------------------


class BatchBusy(RuntimeError):
    def __init__(self, pid: int | None):
        self.pid = pid
        who = f" (pid {pid})" if pid else ""
        super().__init__(f"another jimeng-tui batch is running this file{who}")


@contextlib.contextmanager
def batch_lock(folder: Path, batch: BatchFile, scope: Path) -> Iterator[None]:
    """Hold an exclusive lock on this file (by path and by content) for one ``scope`` (a
    history). BatchBusy if another process holds it. Without ``fcntl`` (Windows) there is no
    lock: the history's claims still stop two processes from driving one job."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    handles = []
    try:
        for identity in sorted({str(batch.path), batch.sha256}):
            key = hashlib.sha256(f"{scope}\0{identity}".encode()).hexdigest()[:24]
            handle = open(folder / f"batch-{key}.lock", "a+", encoding="ascii")  # noqa: SIM115
            handles.append(handle)
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.seek(0)
                text = handle.read().strip()
                raise BatchBusy(int(text) if text.isdigit() else None) from None
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
        yield
    finally:
        for handle in handles:
            handle.close()  # closing drops the lock


__all__ = [
    "Action",
    "BatchBusy",
    "BatchFile",
    "BatchFileError",
    "BatchLine",
    "LineError",
    "LinePlan",
    "batch_lock",
    "decide",
    "plan",
    "preflight",
    "read_batch",
]
