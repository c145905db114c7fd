"""The ``jimeng-tui`` command: the TUI without a subcommand, the headless commands with one.

This module must stay cheap to import: the argparse tree (``cli/parser.py``) is built from the
catalog and nothing else. Every command's module is imported when it runs (``generate`` never
imports Textual; a test checks ``sys.modules``): ``cli/generate.py``, ``cli/follow.py`` (status,
wait, resume), ``cli/batch.py``, ``cli/history.py``, ``cli/locate.py``, ``cli/doctor.py``, and
the sandbox's own ``jimeng_tui/sandbox/cli.py``.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence

from jimeng_tui.cli import json_output as cli_json
from jimeng_tui.cli.errors import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    UsageError,
    describe_os_error,
    fail,
)
from jimeng_tui.cli.parser import build_parser, first_command


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    command = first_command(args_list)
    cli_json.start(command, args_list)
    parser = build_parser(command)
    ns = parser.parse_args(args_list)
    return cli_json.finish(_main(ns))


def _main(ns: argparse.Namespace) -> int:
    try:
        return _dispatch(ns)
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `jimeng-tui history | head`: the reader went away; say nothing more.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        return EXIT_OK
    except Exception as exc:  # the last line of defence: never a traceback for expected errors
        return _report_exception(exc)


def _report_exception(exc: BaseException) -> int:
    from jimeng_tui.domain.errors import JimengError, ValidationError

    config_error = _config_error_class()
    if isinstance(exc, UsageError | ValidationError):
        return fail(str(exc), EXIT_USAGE, getattr(exc, "field", None))
    if config_error is not None and isinstance(exc, config_error):
        field = getattr(exc, "key", None) or getattr(exc, "env_var", None)
        return fail(str(exc), EXIT_USAGE, field)
    if isinstance(exc, JimengError):
        return fail(str(exc), EXIT_FAILED)
    if isinstance(exc, OSError):
        return fail(describe_os_error(exc), EXIT_FAILED)
    raise exc


def _config_error_class() -> type[BaseException] | None:
    try:
        from jimeng_tui.store.config import ConfigError
    except ImportError:  # pragma: no cover - during development the store may be missing
        return None
    return ConfigError


def _dispatch(ns: argparse.Namespace) -> int:
    from jimeng_tui.session.services import register_builtin

    register_builtin()  # the services' tables (cheap): error hints, modes, capabilities
    command = ns.command
    if command is None:
        # Importing Textual and building the first screen make objects that are never
        # garbage; collecting in the middle of it cost ~20 ms of start-up. JimengApp turns
        # the collector back on after its first frame.
        gc.disable()
        from jimeng_tui.tui.app import run_app

        return run_app(sandbox=ns.sandbox) or 0
    if command == "sandbox":
        from jimeng_tui.sandbox import cli as sandbox_cli

        return sandbox_cli.run(ns) or 0
    if command == "locate":
        from jimeng_tui.cli import locate

        return locate.cmd_locate(ns)
    if command == "history":
        from jimeng_tui.cli import history

        return history.cmd_history(ns)
    if command == "serve":
        from jimeng_tui.cli import serve

        return serve.cmd_serve(ns)
    if command == "doctor":
        from jimeng_tui.cli import doctor

        return doctor.cmd_doctor(ns)
    if command == "batch":
        from jimeng_tui.cli import batch

        return batch.cmd_batch(ns)
    if command == "story":
        from jimeng_tui.cli import story

        return story.cmd_story(ns)
    if command == "mcp":
        from jimeng_tui.cli import mcp

        return mcp.cmd_mcp(ns)
    if command == "spend":
        from jimeng_tui.cli import spend

        return spend.cmd_spend(ns)
    if command == "tasks":
        from jimeng_tui.cli import tasks

        return tasks.cmd_tasks(ns)
    if command == "cancel":
        from jimeng_tui.cli import cancel

        return cancel.cmd_cancel(ns)
    if command == "generate":
        from jimeng_tui.cli import generate

        return generate.cmd_generate(ns)
    from jimeng_tui.cli import follow

    handler = {
        "status": follow.cmd_status,
        "wait": follow.cmd_wait,
        "resume": follow.cmd_resume,
    }[command]
    return handler(ns)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
