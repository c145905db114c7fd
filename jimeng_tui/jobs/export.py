"""Export history rows to a JSON or CSV file (the History screen and ``history --export``).

The format follows the file name's suffix (``.json`` or ``.csv``, any case). Rows are written one
at a time (never the whole file in memory) to a temporary file in the same folder, flushed to
disk, then linked into place: an existing file is never replaced, and a crash never leaves a
half-written export under the requested name.

JSON keeps everything: a list of objects (one a line), one key per Job field (``params`` an
object with the internal ``_``-keys too, ``image_hashes`` a list, ``state`` a string,
``favourite`` a bool).

CSV is for spreadsheets: the columns of ``CSV_COLUMNS``, times as ISO-8601 local time with the
UTC offset, one column per request parameter (prompt, mode, duration, fps, aspect ratio,
images, camera, seed…), the measured facts of the saved file, no internal keys. Booleans are
``true``/``false``, missing values empty; UTF-8 with a byte-order mark (for Excel).
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from pathlib import Path
from typing import Any, TextIO

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.domain.job import Job
from jimeng_tui.domain.meta import JobMeta
from jimeng_tui.jobs.export_cost import COST_COLUMNS, cost_cells
from jimeng_tui.jobs.export_lines import CSV_SELECT, csv_cells_maker, json_line, local_time
from jimeng_tui.jobs.export_times import csv_select_with_times
from jimeng_tui.store.history import History, HistoryQuery

FORMATS: tuple[str, ...] = ("json", "csv")


class ExportError(JimengError):
    """The export file cannot be written (bad name, exists already, folder missing…)."""


def export_format(path: Path) -> str:
    """``"json"`` or ``"csv"`` from the suffix; ExportError for anything else."""
    kind = Path(path).suffix.lower().lstrip(".")
    if kind not in FORMATS:
        raise ExportError(
            f"Cannot export to {path}: the file name must end in .json or .csv "
            "(the suffix chooses the format)."
        )
    return kind


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, JobMeta):
        return value.to_json()
    return value


def row_dict(item: Job | Mapping[str, Any]) -> dict[str, Any]:
    """One job (a Job or a dict from ``History.export_rows``) as a JSON-able dict."""
    if isinstance(item, Job):
        data = {f.name: getattr(item, f.name) for f in dataclasses.fields(item)}
    else:
        data = dict(item)
    out = {key: _plain(value) for key, value in data.items()}
    if "params" in out and out["params"] is None:
        out["params"] = {}
    if "image_hashes" in out and out["image_hashes"] is None:
        out["image_hashes"] = []
    if "favourite" in out:
        out["favourite"] = bool(out["favourite"])
    if "state" in out and "cost" not in out:  # the cost fields follow the Job's (issue 16)
        meta = out.get("meta")
        costs = cost_cells(str(out["state"]), meta, out.get("task_id") is not None)
        out.update(zip(COST_COLUMNS, costs, strict=True))
    return out


# (column, where the value comes from): a Job field, or "params.KEY" for a request parameter.
CSV_SOURCES: tuple[tuple[str, str], ...] = (
    ("id", "id"),
    ("created_at", "created_at"),
    ("status", "state"),
    ("prompt", "prompt"),
    ("mode", "mode"),
    ("duration", "params.duration"),
    ("fps", "params.fps"),
    ("aspect_ratio", "params.aspect_ratio"),
    ("first_image", "params.first_image"),
    ("last_image", "params.last_image"),
    ("camera_template", "params.camera_template"),
    ("camera_strength", "params.camera_strength"),
    ("seed", "params.seed"),
    ("output", "meta.output"),
    ("task_id", "task_id"),
    ("request_id", "request_id"),
    ("submitted_at", "submitted_at"),
    ("finished_at", "finished_at"),
    ("saved_at", "saved_at"),
    ("path", "path"),
    ("source_path", "source_path"),
    ("sidecar_path", "sidecar_path"),
    ("video_duration_s", "duration_s"),
    ("video_fps", "fps"),
    ("video_width", "width"),
    ("video_height", "height"),
    ("video_size_bytes", "size_bytes"),
    ("error_code", "error_code"),
    ("error_message", "error_message"),
    ("favourite", "favourite"),
    ("video_url", "video_url"),
    ("image_sha256", "image_hashes"),
    ("other_parameters", "params.*"),  # any other user parameter, as JSON (normally empty)
)
# the cost columns (export_cost.py) come last, after every column exports had before them
CSV_COLUMNS: tuple[str, ...] = (*(column for column, _ in CSV_SOURCES), *COST_COLUMNS)
_TIMES = frozenset({"created_at", "submitted_at", "finished_at", "saved_at"})
_NAMED_PARAMS = frozenset(
    {"prompt", "mode", *(s.split(".", 1)[1] for _, s in CSV_SOURCES if s.startswith("params."))}
)


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def csv_row(row: dict[str, Any]) -> list[Any]:
    """One ``row_dict`` as the CSV's cells, in ``CSV_COLUMNS`` order."""
    params = row.get("params") or {}
    cells = []
    for _column, source in CSV_SOURCES:
        if source == "params.*":
            other = {
                k: v for k, v in params.items() if k not in _NAMED_PARAMS and not k.startswith("_")
            }
            value: Any = other or None
        elif source.startswith(("params.", "meta.")):
            value = (row.get(source.split(".")[0]) or {}).get(source.split(".", 1)[1])
        elif source in _TIMES:
            value = local_time(row.get(source))
        elif source == "image_hashes":
            value = " ".join(row.get(source) or ()) or None
        else:
            value = row.get(source)
        cells.append(_csv_cell(value))
    cells.extend(_csv_cell(row.get(column)) for column in COST_COLUMNS)
    return cells


def _write_json(fh: TextIO, rows: Iterable[dict[str, Any]]) -> int:
    """A JSON array with one job a line, one row at a time. (Compact rows go through the C
    encoder; ``indent`` would take the pure-Python one, slower and leaving reference cycles
    behind every row.)"""
    count = 0
    for row in rows:
        fh.write(
            ("[\n" if count == 0 else ",\n") + json.dumps(row, ensure_ascii=False, default=str)
        )
        count += 1
    fh.write("\n]\n" if count else "[]\n")
    return count


def _write_csv(fh: TextIO, rows: Iterable[dict[str, Any]]) -> int:
    writer = csv.writer(fh, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow(csv_row(row))
        count += 1
    return count


def export_jobs(rows_or_jobs: Iterable[Job | Mapping[str, Any]], path: Path) -> int:
    """Write the rows to a new file at ``path``; returns how many rows were written.

    Raises ExportError (a JimengError) when the suffix is not .json/.csv, the file exists, the
    folder does not exist, or the disk refuses the write. Blocking: call it from a thread.
    """
    rows = (row_dict(item) for item in rows_or_jobs)
    return _write_new_file(path, lambda fh, kind: _WRITERS[kind](fh, rows))


_WRITERS: dict[str, Callable[[TextIO, Iterable[dict[str, Any]]], int]] = {
    "json": _write_json,
    "csv": _write_csv,
}


def export_history(
    history: History,
    query: HistoryQuery,
    path: Path,
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Every job of ``history`` matching ``query`` (its limit kept, paging ignored) written to
    a new file at ``path``, streamed: each batch of rows goes from the query to the file as
    it is read (export_lines.py), so memory stays flat at any size. ``on_progress(rows so
    far)`` after each batch. Returns how many rows were written; raises ExportError as
    ``export_jobs`` does. Blocking: call it from a thread."""

    def write(fh: TextIO, kind: str) -> int:
        count = 0
        if kind == "csv":
            csv.writer(fh, lineterminator="\r\n").writerow(CSV_COLUMNS)
            cells = csv_cells_maker(_NAMED_PARAMS)
            select = csv_select_with_times(history, CSV_SELECT)
            for batch in history.stream_rows(query, select):
                text = io.StringIO()  # a batch's rows reach the file in one write
                csv.writer(text, lineterminator="\r\n").writerows(map(cells, batch))
                fh.write(text.getvalue())
                count += len(batch)
                if on_progress is not None:
                    on_progress(count)
            return count
        for batch in history.stream_rows(query):
            fh.write(("[\n" if count == 0 else ",\n") + ",\n".join(map(json_line, batch)))
            count += len(batch)
            if on_progress is not None:
                on_progress(count)
        fh.write("\n]\n" if count else "[]\n")
        return count

    return _write_new_file(path, write)


def _write_new_file(path: Path, write: Callable[[TextIO, str], int]) -> int:
    """``write(file, "json" | "csv")`` into a temporary file beside ``path``, flushed to disk,
    then linked into place: an existing file is never replaced, and a crash never leaves a
    half-written export under the requested name."""
    path = Path(path).expanduser()
    kind = export_format(path)
    if path.exists() or path.is_symlink():
        raise ExportError(f"Cannot export to {path}: the file exists and is never overwritten.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"Cannot export to {path}: the folder {folder} does not exist.")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ExportError(f"Cannot export to {path}: {exc.strerror or exc}.") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            if kind == "csv":
                # A byte-order mark first: without it Excel reads UTF-8 as the local code page
                # and shows Chinese prompts as mojibake. (Written here: the utf-8-sig codec
                # would encode every write in Python instead of C.)
                fh.write("\ufeff")
            count = write(fh, kind)
            fh.flush()
            os.fsync(fh.fileno())
        _apply_umask(tmp)
        _place(tmp, path)
    except FileExistsError:
        raise ExportError(
            f"Cannot export to {path}: the file appeared meanwhile and was not overwritten."
        ) from None
    except OSError as exc:
        raise ExportError(f"Cannot export to {path}: {exc.strerror or exc}.") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    _fsync_dir(folder)
    return count


def _apply_umask(path: Path) -> None:
    """mkstemp makes 0600 files; give the export the mode a normal new file would have."""
    if os.name != "posix":
        return
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def _place(tmp: Path, dest: Path) -> None:
    """Move ``tmp`` to ``dest`` without ever replacing an existing ``dest``."""
    try:
        os.link(tmp, dest)  # atomic, fails with FileExistsError
    except FileExistsError:
        raise
    except OSError:
        # no hard links here (some network/FAT file systems): check, then rename
        if dest.exists():
            raise FileExistsError(dest) from None
        os.replace(tmp, dest)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
