"""``jimeng-tui doctor``: check the history file, and rebuild it from what a damaged one holds.

Imported when its parser is built (only ``PARSER`` is read then: keep the top of this module
cheap); the check itself loads the store. The work is done by ``store/salvage.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from jimeng_tui.cli.commands import ParserSpec
from jimeng_tui.cli.flags import JSON_FLAG, Flag, flag_adder

HELP = "check the history database; rebuild a damaged one"
DESCRIPTION = (
    "Check the history database with SQLite's integrity check and say what is still readable. "
    "With --rebuild, a damaged history is replaced by a new one built from what can still be "
    "read, row by row; every unfinished job whose task id survives is kept, so `jimeng-tui "
    "resume` can still finish it. The damaged file is kept beside it as "
    "history.sqlite3.damaged-TIME, never deleted. Saved videos are not touched."
)
EPILOG = """\
exit status:
  0    the history is sound (or was rebuilt), or there is none yet
  1    the history is damaged (run again with --rebuild), or the rebuild failed
  2    usage error

examples:
  jimeng-tui doctor                   check the history
  jimeng-tui doctor --rebuild         replace a damaged history by what it still holds
  jimeng-tui doctor --sandbox         check the sandbox's history instead
"""


REBUILD_FLAG = Flag(
    "--rebuild",
    action="store_true",
    help="when the history is damaged: build a new one from what is still readable and keep "
    "the damaged file aside (history.sqlite3.damaged-TIME)",
)
PARSER = ParserSpec(HELP, DESCRIPTION, EPILOG, flag_adder((None, (REBUILD_FLAG, JSON_FLAG))))


def cmd_doctor(ns: argparse.Namespace) -> int:
    from jimeng_tui.cli.errors import EXIT_FAILED, EXIT_OK, PROG, error_line
    from jimeng_tui.session.history import known_modes
    from jimeng_tui.store import salvage
    from jimeng_tui.store.integrity import doctor_command
    from jimeng_tui.store.paths import app_paths

    paths = app_paths(os.environ)
    path = paths.sandbox_history_db if ns.sandbox else paths.history_db
    command = doctor_command(path)
    if not path.exists():
        text = f"no history at {path} yet; nothing to check"
        _say(ns, {"path": str(path), "status": "missing"}, text)
        return EXIT_OK
    if not path.is_file():
        print(
            error_line(f"{path} is {_kind(path)}, not a history file; move it away"),
            file=sys.stderr,
        )
        return EXIT_FAILED
    report = salvage.check(path, known_modes())
    if report.ok:
        text = (
            f"{path}: sound (SQLite's integrity check: ok); {report.total} jobs, "
            f"{report.unfinished} unfinished with a task id"
            + (f" (`{PROG} resume` finishes them)" if report.unfinished else "")
            + ("; nothing to rebuild" if ns.rebuild else "")
        )
        _say(ns, {"path": str(path), "status": "ok", "jobs": report.total}, text)
        return EXIT_OK
    found = report.salvage
    kept = found.recovered() if found else []
    waiting = [j for j in kept if not j.is_final and j.task_id]
    lost = found.lost() if found else []
    if not ns.rebuild:
        payload = {
            "path": str(path),
            "status": "damaged",
            "problems": report.problems,
            "readable_jobs": len(kept),
            "unfinished_with_task": [j.task_id for j in waiting],
            "unreadable_rows": len(lost),
        }
        lines = [f"{path} is damaged; SQLite's integrity check found:"]
        lines += [f"  {p}" for p in report.problems]
        lines.append(
            f"still readable: {len(kept)} jobs, {len(waiting)} of them unfinished with a task id; "
            f"at least {len(lost)} rows cannot be read"
        )
        lines.append(
            f"Build a new history from what is readable (the damaged file is kept aside):\n"
            f"  {command} --rebuild"
        )
        if ns.json:
            _print_json(payload)
        print(error_line("\n".join(lines)), file=sys.stderr)
        return EXIT_FAILED
    rebuilt = salvage.rebuild(path, known_modes())
    waiting = [j for j in rebuilt.jobs if not j.is_final and j.task_id]
    partial = [j for j in rebuilt.jobs if salvage.RECOVERED_NOTE in j.meta.extra]
    text = (
        f"rebuilt {path}: {len(rebuilt.jobs)} jobs kept, {len(waiting)} of them unfinished with "
        f"a task id"
        + (f" (`{PROG} resume` finishes them)" if waiting else "")
        + f"; at least {len(rebuilt.lost)} rows could not be read"
        + (
            f"; {len(partial)} jobs were rebuilt from their task id alone (prompt lost)"
            if partial
            else ""
        )
        + f".\nThe damaged file is kept as {rebuilt.kept_aside}"
    )
    _say(
        ns,
        {
            "path": str(path),
            "status": "rebuilt",
            "jobs": len(rebuilt.jobs),
            "unfinished_with_task": [j.task_id for j in waiting],
            "unreadable_rows": len(rebuilt.lost),
            "kept_aside": str(rebuilt.kept_aside),
        },
        text,
    )
    return EXIT_OK


def _kind(path: Path) -> str:
    from jimeng_tui.localfiles import NotARegularFile, read_regular_file

    try:
        read_regular_file(path, 0)
    except NotARegularFile as exc:
        return exc.kind
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    return "not a regular file"


def _say(ns: argparse.Namespace, payload: dict[str, Any], text: str) -> None:
    if ns.json:
        _print_json(payload)
    else:
        print(text)


def _print_json(payload: dict[str, Any]) -> None:
    print(json.dumps(payload, ensure_ascii=False, indent=2))


__all__ = ["PARSER", "cmd_doctor"]
