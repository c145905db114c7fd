"""``jimeng-tui history``: list, search and export past jobs; no engine, no network."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from jimeng_tui.cli.errors import EXIT_OK, PROG, UsageError
from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.jobs.display import length

if TYPE_CHECKING:
    from jimeng_tui.store.history import History, HistoryQuery

DEFAULT_TABLE_ROWS = 50
# The engine keeps sandbox jobs apart from real ones (jobs/engine.py).


# --------------------------------------------------------------------------------------------
# history
# --------------------------------------------------------------------------------------------


def parse_date(text: str, *, option: str, end: bool) -> float:
    """``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM[:SS]`` (local time) → a timestamp.

    For ``--until`` a bare date means the end of that day (the whole day is included).
    """
    value = text.strip()
    lowered = value.lower()
    today = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
    special = {"today": today, "yesterday": today - timedelta(days=1)}
    date_only = False
    if lowered in special:
        moment = special[lowered]
        date_only = True
    else:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise UsageError(
                f"{option} {text!r} is not a date: use YYYY-MM-DD or 'YYYY-MM-DD HH:MM' "
                "(or today, yesterday)"
            ) from None
        date_only = len(value) <= 10
    if end and date_only:
        moment = moment + timedelta(days=1)
    return moment.timestamp()


def _query(ns: argparse.Namespace):
    from jimeng_tui.store.history import HistoryQuery

    since = parse_date(ns.since, option="--since", end=False) if ns.since else None
    until = parse_date(ns.until, option="--until", end=True) if ns.until else None
    if since is not None and until is not None and since >= until:
        raise UsageError(f"--since {ns.since} is not before --until {ns.until}")
    return HistoryQuery(
        text=ns.search or "",
        status=ns.status,
        mode=_model_id(ns.mode),
        since=since,
        until=until,
        favourite=True if ns.favourites else None,
        order=ns.order,
        limit=ns.limit if ns.limit is not None else DEFAULT_TABLE_ROWS,
    )


def _model_id(value: str | None) -> str | None:
    """--model/--mode's model id (an alias names its model); UsageError for an unknown one."""
    if value is None:
        return None
    from jimeng_tui.domain.errors import ValidationError
    from jimeng_tui.services import registry
    from jimeng_tui.session.services import register_builtin

    register_builtin()  # only here (and for exports): a plain search reads no services' tables
    try:
        return registry.find_model(value)[1].id
    except ValidationError as exc:
        raise UsageError(f"--model: {exc.reason}", "model") from None


def _check_export_path(value: str) -> tuple[Path, str]:
    path = Path(value).expanduser().absolute()
    kind = path.suffix.lower().lstrip(".")
    if kind not in ("json", "csv"):
        raise UsageError(f"--export {value}: the file name must end in .json or .csv")
    if path.exists() or path.is_symlink():
        raise UsageError(f"--export {value}: the file exists and is never overwritten")
    if not path.parent.is_dir():
        raise UsageError(f"--export {value}: the folder {path.parent} does not exist")
    return path, kind


def cmd_history(ns: argparse.Namespace) -> int:
    from jimeng_tui.store.history import History
    from jimeng_tui.store.paths import app_paths

    export = _check_export_path(ns.export) if ns.export else None
    query = _query(ns)
    paths = app_paths(os.environ)
    db = paths.sandbox_history_db if ns.sandbox else paths.history_db
    if export is not None:
        from jimeng_tui.session.services import register_builtin

        register_builtin()  # the cost columns read the models' prices
        query.limit = ns.limit  # an export has every match unless --limit says otherwise
        count = write_export(export[0], History(db) if db.exists() else None, query)
        print(f"{PROG}: wrote {count} job(s) to {export[0]}", file=sys.stderr)
        return EXIT_OK
    if not db.exists():
        jobs: list[Job] = []
        total = 0
    else:
        history = History(db)
        try:
            jobs = history.query(query)
            total = history.count(query)
        finally:
            history.close()
    if ns.json:
        from jimeng_tui.cli.output import job_json, print_json

        print_json([job_json(j) for j in jobs])
    if not jobs:
        _say_nothing_here(ns, total)
    if ns.json or not jobs:
        return EXIT_OK
    print(render_table(jobs))
    if total > len(jobs):
        print(
            f"{PROG}: showing {len(jobs)} of {total} jobs; use --limit N to see more",
            file=sys.stderr,
        )
    return EXIT_OK


def _say_nothing_here(ns: argparse.Namespace, total: int) -> None:
    """The history shown is empty (or nothing matches): say so, and where the other history's
    jobs are (live ↔ sandbox) with the command that shows them."""
    from jimeng_tui.cli.other_history import jobs_elsewhere_note

    which = "the sandbox history" if ns.sandbox else "the history"
    said = (
        f"no jobs match in {which}" if total == 0 and _filtered(ns) else f"no jobs yet in {which}"
    )
    note = jobs_elsewhere_note(ns.sandbox)
    if ns.json and not note:
        return  # the empty array says it
    print(f"{PROG}: {said}" + (f"; {note}" if note else ""), file=sys.stderr)


def _filtered(ns: argparse.Namespace) -> bool:
    return bool(ns.search or ns.status or ns.mode or ns.since or ns.until or ns.favourites)


def write_export(path: Path, history: History | None, query: HistoryQuery) -> int:
    """The same export as the History screen (jobs/export.py): a new file, never a replaced
    one, streamed from the history (None: no history yet, an empty export). On a terminal a
    progress bar on stderr while it runs."""
    from jimeng_tui.jobs.export import export_history, export_jobs

    if history is None:
        return export_jobs([], path)
    progress = None
    try:
        progress = ExportProgress(history.count(query)) if sys.stderr.isatty() else None
        return export_history(history, query, path, on_progress=progress)
    finally:
        history.close()
        if progress is not None:
            progress.clear()


class ExportProgress:
    """``[#####     ] 45,000 / 100,000 jobs`` on stderr, redrawn at most 10 times a second."""

    WIDTH = 30

    def __init__(self, total: int):
        self.total = total
        self.drawn_at = 0.0

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if now - self.drawn_at < 0.1 or not self.total:
            return
        self.drawn_at = now
        filled = min(self.WIDTH, self.WIDTH * done // self.total)
        bar = "#" * filled + " " * (self.WIDTH - filled)
        line = f"\r{PROG}: exporting [{bar}] {done:,} / {self.total:,} jobs"
        print(line, end="", file=sys.stderr)

    def clear(self) -> None:
        if self.drawn_at:
            print("\r\033[K", end="", file=sys.stderr)


def _status_cell(job: Job) -> str:
    if job.state is JobState.FAILED and job.error_code is not None:
        return f"failed {job.error_code}"
    return str(job.state)


def render_table(jobs: list[Job]) -> str:
    """date, status, mode, duration/fps, prompt excerpt, path — sized to the terminal, in
    display cells (a Chinese character takes two), control characters escaped."""
    from jimeng_tui.cli.text import cells, excerpt, one_line, pad

    columns = shutil.get_terminal_size((120, 24)).columns
    rows = []
    for job in jobs:
        created = time.strftime("%Y-%m-%d %H:%M", time.localtime(job.created_at))
        rows.append(
            [
                created,
                _status_cell(job),
                job.mode,
                length(job, missing="-"),
                one_line(job.prompt),
                one_line(job.path or "-"),
            ]
        )
    head = ["DATE", "STATUS", "MODEL", "LENGTH", "PROMPT", "PATH"]
    widths = [max(cells(head[i]), *(cells(r[i]) for r in rows)) for i in range(4)]
    fixed = sum(widths) + 2 * 5
    path_width = max(cells(head[5]), *(cells(r[5]) for r in rows))
    longest = max(cells(head[4]), *(cells(r[4]) for r in rows))
    prompt_width = min(longest, max(12, min(48, columns - fixed - min(path_width, 40))))
    lines = []
    for cells_of_row in [head, *rows]:
        first = [pad(c, w) for c, w in zip(cells_of_row[:4], widths, strict=False)]
        prompt = pad(excerpt(cells_of_row[4], prompt_width), prompt_width)
        lines.append("  ".join([*first, prompt, cells_of_row[5]]).rstrip())
    return "\n".join(lines)
