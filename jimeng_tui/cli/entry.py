"""The ``jimeng-tui`` command: the TUI without a subcommand, the headless commands with one.

This module must stay cheap to import: only the named command's parser is built
(``cli/parser.py``), and only its module is imported when it runs (``cli/commands.py``, the
command table; ``generate`` never imports Textual: a test checks ``sys.modules``).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence

from jimeng_tui.cli import errors
from jimeng_tui.cli import json_output as cli_json
from jimeng_tui.cli.commands import run_command
from jimeng_tui.cli.parser import asks_help, build_parser, first_command


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    command = first_command(args_list)
    cli_json.start(command, args_list)
    parser = build_parser(command, help_lines=asks_help(args_list))
    ns = parser.parse_args(args_list)
    return cli_json.finish(_main(ns))


def _main(ns: argparse.Namespace) -> int:
    try:
        return _dispatch(ns)
    except KeyboardInterrupt:
        print(f"\n{errors.PROG}: interrupted", file=sys.stderr)
        return errors.EXIT_INTERRUPTED
    except BrokenPipeError:
        # `jimeng-tui history | head`: the reader went away; say nothing more.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        return errors.EXIT_OK
    except Exception as exc:  # the last line of defence: never a traceback for expected errors
        return _report_exception(exc)


def _report_exception(exc: BaseException) -> int:
    from jimeng_tui.domain.errors import JimengError, ValidationError

    config_error = _config_error_class()
    if isinstance(exc, errors.UsageError | ValidationError):
        return errors.fail(str(exc), errors.EXIT_USAGE, getattr(exc, "field", None))
    if config_error is not None and isinstance(exc, config_error):
        field = getattr(exc, "key", None) or getattr(exc, "env_var", None)
        return errors.fail(str(exc), errors.EXIT_USAGE, field)
    if isinstance(exc, JimengError):
        return errors.fail(str(exc), errors.EXIT_FAILED)
    if isinstance(exc, OSError):
        return errors.fail(errors.describe_os_error(exc), errors.EXIT_FAILED)
    raise exc


def _config_error_class() -> type[BaseException] | None:
    try:
        from jimeng_tui.store.config import ConfigError
    except ImportError:  # pragma: no cover - during development the store may be missing
        return None
    return ConfigError


def _dispatch(ns: argparse.Namespace) -> int:
    if ns.command is not None:
        return run_command(ns)  # the command table: its module, imported now
    # The studio registers the services' tables after its first frame (not needed before).
    # Importing Textual and building the first screen make objects that are never garbage;
    # collecting in the middle of it cost ~20 ms of start-up. JimengApp turns the collector
    # back on after its first frame.
    gc.disable()
    from jimeng_tui.tui.app import run_app

    return run_app(sandbox=ns.sandbox) or 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
