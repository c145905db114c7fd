"""What every ``jimeng-tui`` command shares about failing: exit codes, the usage error, the
house error line. A leaf of ``cli/`` (every command imports it; it imports no command)."""

from __future__ import annotations

import sys

from jimeng_tui.cli import json_output as cli_json
from jimeng_tui.cli.text import printable

PROG = "jimeng-tui"

# Exit codes: 0 saved / done, 1 generation failed, 2 usage or input error, 130 interrupted.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A command-line input that cannot work: exit 2, nothing was submitted."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field  # the option it is about, for --json (else read from the message)


def error_line(message: str) -> str:
    return f"{PROG}: error: {message}"


def fail(message: str, code: int = EXIT_USAGE, field: str | None = None) -> int:
    print(printable(error_line(message)), file=sys.stderr)
    cli_json.note_error(message, field)
    return code


def describe_os_error(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    if exc.filename:
        return f"{exc.filename}: {reason}"
    return reason
