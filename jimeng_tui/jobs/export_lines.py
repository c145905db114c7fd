"""History rows as stored → export lines, fast: what ``export_history`` writes for each row.

An export of 100,000 rows should cost about what ``sqlite3 -csv`` costs, so no Job is built and
nothing is decoded twice: the JSON columns (``params``, ``image_hashes``, ``meta``) go into a
JSON export as the text the history stored (it was written by ``json.dumps(…,
sort_keys=True)``, the very text decoding and re-encoding it would give), a JSON row is one
call of the C encoder, and a CSV row decodes ``params`` once.
The bytes are those of ``export.row_dict``/``export.csv_row`` on the same rows (a test
compares them).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from typing import Any

from jimeng_tui.domain.job import JOB_FIELDS
from jimeng_tui.jobs.export_cost import COST_COLUMNS, cost_cells_from_text

_STORED_JSON = {"params": "{}", "image_hashes": "[]", "meta": "{}"}  # and their empty values
# json.dumps with arguments builds a new encoder per call; one encoder serves every row
_ENCODE = json.JSONEncoder(ensure_ascii=False, default=str).encode
_ENCODE_SORTED = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
_RAW_DECODE = json.JSONDecoder().raw_decode
_FAVOURITE = JOB_FIELDS.index("favourite")
_STATE, _META, _TASK = (JOB_FIELDS.index(name) for name in ("state", "meta", "task_id"))


# Each stored JSON column is encoded as NaN (which SQLite never returns: it stores NULL) and
# that bare token then replaced by the stored text. No string can hide a false match: inside an
# encoded string every quote is escaped, so `"params": NaN` occurs once, where the key is.
_STORED_AT = [(JOB_FIELDS.index(name), f'"{name}": NaN', f'"{name}": ', empty)
              for name, empty in _STORED_JSON.items()]  # fmt: skip


def json_line(row: tuple[Any, ...] | list[Any]) -> str:
    """One row (every column of JOB_FIELDS, as stored) as the JSON export's object."""
    values = list(row)
    values[_FAVOURITE] = bool(values[_FAVOURITE])
    for index, _, _, _ in _STORED_AT:
        values[index] = math.nan
    fields = dict(zip(JOB_FIELDS, values, strict=True))
    costs = cost_cells_from_text(row[_STATE], row[_META], row[_TASK] is not None)
    fields.update(zip(COST_COLUMNS, costs, strict=True))
    line = _ENCODE(fields)
    for index, marker, key, empty in _STORED_AT:
        line = line.replace(marker, key + (row[index] or empty), 1)
    return line


# ---------------------------------------------------------------------------------------- CSV


def offset_text(seconds: int) -> str:
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


# Local time is UTC + an offset that changes a few times a year: the offset is looked up once
# per UTC hour (when it is the same at both ends of that hour), the date once per day and the
# text up to the minute once per minute, so an export of many rows calls the C library's
# localtime about once an hour of history.
_hour_offsets: dict[int, tuple[int, str] | None] = {}
_dates: dict[int, str] = {}
_minutes: dict[int, tuple[str, str]] = {}  # UTC minute → ("2026-11-25T14:03:", "+08:00")
_zone: list[object] = [None]  # the time.tzname the caches are for (time.tzset() replaces it)
_CLOCK = [f"T{h:02d}:{m:02d}:" for h in range(24) for m in range(60)]
_SECONDS = [f"{s:02d}" for s in range(60)]


def _exact_local_time(seconds: int) -> str:
    t = time.localtime(seconds)
    return "%04d-%02d-%02dT%02d:%02d:%02d" % t[:6] + offset_text(t.tm_gmtoff)  # noqa: UP031


def local_time(timestamp: float | None) -> str:
    """An epoch time as ISO-8601 local time with its offset: 2026-11-25T14:03:07+08:00.

    The same text as ``datetime.fromtimestamp(t).astimezone().isoformat(timespec="seconds")``
    (the time rounded half-even to the microsecond first, as datetime does) at a fraction of
    its cost: the text up to the minute is kept per minute."""
    if timestamp is None:
        return ""
    stamp = float(timestamp)
    seconds = int(stamp)
    if stamp - seconds < 0.999999 and stamp >= 0 and _zone[0] is time.tzname:
        minute = _minutes.get(seconds // 60)
        if minute is not None:
            return minute[0] + _SECONDS[seconds % 60] + minute[1]
    return _local_time(stamp)


def _local_time(stamp: float) -> str:
    seconds = int(stamp)
    if stamp < 0 or stamp - seconds >= 0.999999:  # rare: datetime may round up a second
        frac, whole = math.modf(stamp)
        micro = round(frac * 1e6)
        seconds = int(whole) + (1 if micro >= 1_000_000 else -1 if micro < 0 else 0)
        return _exact_local_time(seconds)
    hour = seconds // 3600
    if _zone[0] is not time.tzname or len(_hour_offsets) > 100_000 or len(_minutes) > 100_000:
        _zone[0] = time.tzname
        _hour_offsets.clear()
        _minutes.clear()
    if hour in _hour_offsets:
        offset = _hour_offsets[hour]
    else:
        start, end = time.localtime(hour * 3600), time.localtime(hour * 3600 + 3599)
        same = start.tm_gmtoff == end.tm_gmtoff
        offset = (start.tm_gmtoff, offset_text(start.tm_gmtoff)) if same else None
        _hour_offsets[hour] = offset
    if offset is None:  # the offset changes within this hour
        return _exact_local_time(seconds)
    local = seconds + offset[0]
    day, second_of_day = divmod(local, 86400)
    date = _dates.get(day)
    if date is None:
        if len(_dates) > 100_000:
            _dates.clear()
        date = time.strftime("%Y-%m-%d", time.gmtime(day * 86400))
        _dates[day] = date
    minute, second = divmod(second_of_day, 60)
    if offset[0] % 60 == 0:  # local minutes start with UTC minutes
        _minutes[seconds // 60] = (date + _CLOCK[minute], offset[1])
    return date + _CLOCK[minute] + _SECONDS[second] + offset[1]


_PLAIN_TYPES = frozenset({str, int, float, type(None)})


def _decode(text: str) -> Any:
    """json.loads for the text the history stored (it starts with its value: no whitespace
    scan, and no second look at the end)."""
    try:
        return _RAW_DECODE(text)[0]
    except ValueError:
        return json.loads(text)  # leading whitespace, or the same clear error as before


def _cell(value: Any) -> Any:
    """A request parameter's CSV cell (None is written empty by the csv module)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, dict | list):
        return _ENCODE_SORTED(value)
    return value


# The columns a CSV row is made from, as stored; csv_line's unpacking follows this order.
CSV_SELECT: tuple[str, ...] = (
    "id", "created_at", "state", "prompt", "mode", "params", "meta", "task_id", "request_id",
    "submitted_at", "finished_at", "saved_at", "path", "source_path", "sidecar_path",
    "duration_s", "fps", "width", "height", "size_bytes", "error_code", "error_message",
    "favourite", "video_url", "image_hashes",
)  # fmt: skip


def csv_cells_maker(named_params: frozenset[str]) -> Callable[[tuple[Any, ...]], list[Any]]:
    """The function that turns one row of CSV_SELECT into the cells of ``export.CSV_COLUMNS``;
    ``named_params`` are the parameters with a column of their own (the rest, but internal
    ``_``-keys, go to other_parameters)."""

    def cells(row: tuple[Any, ...]) -> list[Any]:
        (id_, created, state, prompt, mode, params_text, meta_text, task_id, request_id,
         submitted, finished, saved, path, source_path, sidecar_path,
         duration_s, fps, width, height, size_bytes, error_code, error_message,
         favourite, video_url, hashes_text) = row  # fmt: skip
        params = _decode(params_text) if params_text else {}
        get = params.get
        if not _PLAIN_TYPES.issuperset(map(type, params.values())):
            get = {k: _cell(v) for k, v in params.items()}.get  # true/false, nested as JSON
        # meta can be large (the request body sent); it is decoded only when it has an output
        output = _decode(meta_text).get("output") if '"output"' in (meta_text or "") else None
        hashes = " ".join(_decode(hashes_text)) if hashes_text and hashes_text != "[]" else ""
        other = {k: v for k, v in params.items() if k not in named_params and k[:1] != "_"}
        # a time is text where SQLite wrote it (export_times.py), else as stored
        return [
            id_, created if created.__class__ is str else local_time(created), state, prompt, mode,
            get("duration"), get("fps"), get("aspect_ratio"), get("first_image"),
            get("last_image"), get("camera_template"), get("camera_strength"), get("seed"),
            _cell(output), task_id, request_id,
            submitted if submitted.__class__ is str else local_time(submitted),
            finished if finished.__class__ is str else local_time(finished),
            saved if saved.__class__ is str else local_time(saved),
            path, source_path, sidecar_path,
            duration_s, fps, width, height, size_bytes, error_code, error_message,
            "true" if favourite else "false", video_url, hashes,
            _ENCODE_SORTED(other) if other else None,
            *cost_cells_from_text(state, meta_text, task_id is not None),
        ]  # fmt: skip

    return cells
