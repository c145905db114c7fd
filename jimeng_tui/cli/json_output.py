"""``--json``: every outcome of ``generate``, ``batch``, ``status`` and ``wait`` is one JSON object.

A command's own result (the job, the status, the batch summary) is that object. When a command
ends without printing one (an argparse error, a bad value, a missing file, Ctrl-C before
anything was known, a refused config), :func:`finish` prints an error object instead::

    {"error": {"field": "duration", "message": "...", "exit_code": 2}}

(``batch`` prints it as its ``"type": "summary"`` line, with ``exit_code`` beside it as every
summary has). ``field`` is the option or input the message is about, ``null`` when none is.
Human text still goes to stderr. Kept apart from ``cli.py`` so that it stays cheap to import.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from typing import Any

from jimeng_tui.cli.text import json_safe

JSON_COMMANDS = ("generate", "batch", "status", "wait", "cancel", "tasks", "story")


class _Outcome:
    command: str | None = None
    wanted = False  # --json was given to a command above
    printed = False  # the command's own final object is on stdout
    message: str | None = None  # the last error said on stderr
    field: str | None = None


_outcome = _Outcome()


def start(command: str | None, argv: Sequence[str]) -> None:
    """Called once by ``cli.main`` with the raw arguments (parsing may fail on them)."""
    options = list(argv)
    if "--" in options:
        options = options[: options.index("--")]
    _outcome.command = command
    _outcome.wanted = command in JSON_COMMANDS and "--json" in options
    _outcome.printed = False
    _outcome.message = None
    _outcome.field = None


def note_printed(value: Any) -> None:
    """A JSON value reached stdout: a result, unless it is one of batch's per-line objects."""
    if not (isinstance(value, dict) and value.get("type") == "line"):
        _outcome.printed = True


def note_error(message: str, field: str | None = None) -> None:
    _outcome.message = message
    _outcome.field = field or field_in(message)


def field_in(message: str) -> str | None:
    """The option a message is about: ``--output x: exists`` → ``output``, and argparse's
    ``argument --tail-image: ...`` → ``tail_image``, ``argument TASK_ID: ...`` → ``task_id``."""
    found = re.match(
        r"(?:argument |the following arguments are required: )?(--?[A-Za-z][\w-]*|[A-Z][A-Z_]+)\b",
        message,
    )
    if found is None:
        return None
    return found.group(1).lstrip("-").replace("-", "_").lower()


def error_object(message: str, exit_code: int, field: str | None = None) -> dict[str, Any]:
    error = {"field": field, "message": message, "exit_code": exit_code}
    if _outcome.command == "batch":
        return {"type": "summary", "error": error, "exit_code": exit_code}
    return {"error": error}


def finish(exit_code: int, message: str | None = None) -> int:
    """The command has ended with ``exit_code`` (after ``message``, when given): print the error
    object if nothing else was printed. Returns ``exit_code``."""
    if message is not None:
        note_error(message)
    if not _outcome.wanted or _outcome.printed:
        return exit_code
    message = _outcome.message
    if message is None:
        message = "interrupted" if exit_code == 130 else f"the command ended with exit {exit_code}"
    value = error_object(message, exit_code, _outcome.field)
    if _outcome.command == "batch":
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = json.dumps(value, ensure_ascii=False, indent=2)
    _outcome.printed = True
    try:
        print(json_safe(text))
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        pass
    return exit_code
