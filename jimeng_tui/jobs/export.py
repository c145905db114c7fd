"""Export history rows to a JSON or CSV file (the History screen and ``history --export``).

The format follows the file name's suffix (``.json`` or ``.csv``, any case). The file is written
to a temporary file in the same folder, flushed to disk, then linked into place: an existing file
is never replaced, and a crash never leaves a half-written export under the requested name.

JSON: a list of objects, one key per Job field (``params`` an object, ``image_hashes`` a list,
``state`` a string, ``favourite`` a bool). CSV: the same columns, in Job field order; ``params``
and ``image_hashes`` as JSON text, booleans as ``true``/``false``, missing values empty.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from enum import Enum
from pathlib import Path
from typing import Any

from jimeng_tui.api.errors import JimengError
from jimeng_tui.jobs.model import JOB_FIELDS, Job

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
    return out


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _render(rows: list[dict[str, Any]], kind: str) -> str:
    if kind == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n"
    columns = list(JOB_FIELDS)
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _csv_cell(row.get(key)) for key in columns})
    return buffer.getvalue()


def export_jobs(rows_or_jobs: Iterable[Job | Mapping[str, Any]], path: Path) -> int:
    """Write the rows to a new file at ``path``; returns how many rows were written.

    Raises ExportError (a JimengError) when the suffix is not .json/.csv, the file exists, the
    folder does not exist, or the disk refuses the write. Blocking: call it from a thread.
    """
    path = Path(path).expanduser()
    kind = export_format(path)
    if path.exists() or path.is_symlink():
        raise ExportError(f"Cannot export to {path}: the file exists and is never overwritten.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"Cannot export to {path}: the folder {folder} does not exist.")
    rows = [row_dict(item) for item in rows_or_jobs]
    data = _render(rows, kind).encode("utf-8")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ExportError(f"Cannot export to {path}: {exc.strerror or exc}.") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
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
    return len(rows)


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
