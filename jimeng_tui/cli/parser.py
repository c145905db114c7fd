"""The argparse tree of ``jimeng-tui``, from the command table (``cli/commands.py``).

Only the parser of the command named on the command line is built (its module imported):
``jimeng-tui history --search cat`` never builds ``generate``'s options. ``jimeng-tui --help``
and an unknown command get the whole list of commands, each with its one line of help (their
arguments are not added: nothing reads them there).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Sequence
from typing import Any, NoReturn

from jimeng_tui import __version__
from jimeng_tui.cli import json_output as cli_json
from jimeng_tui.cli.commands import COMMANDS, ParserSpec, epilog_of, parser_spec
from jimeng_tui.cli.errors import EXIT_USAGE, PROG, error_line
from jimeng_tui.cli.globals import add_global_options, command_parser_class

DESCRIPTION = (
    "A terminal studio for Volcengine's Jimeng Video 3.0. Without a command it opens the "
    "interactive app; the commands below run headless."
)
EXAMPLES = """\
examples:
  jimeng-tui                      open the app
  jimeng-tui --sandbox            open the app against a local emulator
  jimeng-tui generate "A cat on a sofa" --mode t2v_1080p
  jimeng-tui batch prompts.jsonl  many generations from a file
  jimeng-tui history --search cat
  jimeng-tui generate --help      all generation options and more examples
"""


class CliParser(argparse.ArgumentParser):
    """argparse with the house error line (``jimeng-tui: error: ...``, exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(error_line(message), file=sys.stderr)
        self.exit(cli_json.finish(EXIT_USAGE, message))


def build_parser(command: str | None = None, *, help_lines: bool = True) -> argparse.ArgumentParser:
    """The parser for ``command``'s command line: that command's parser alone when it is one of
    the table's, else every command's name, with its help line when ``help_lines`` (for
    ``jimeng-tui --help``: it imports every command's parser module; the app's start, --version
    and a mistyped name need the names only)."""
    fmt = argparse.RawDescriptionHelpFormatter
    parser = CliParser(prog=PROG, description=DESCRIPTION, formatter_class=fmt)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    add_global_options(parser)
    commands = command_parser_class(CliParser)  # each command takes the global options too
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=commands)
    if command in COMMANDS:
        _add_command(sub, command, fmt).arguments(sub.choices[command])
        return parser
    from jimeng_tui.cli.help_text import ENVIRONMENT_HELP, EXIT_HELP

    parser.description = _filled(DESCRIPTION)
    parser.epilog = ENVIRONMENT_HELP + "\n" + EXIT_HELP + "\n" + EXAMPLES
    for name in COMMANDS:
        if help_lines:
            _add_command(sub, name, fmt)
        else:
            sub.add_parser(name)
    return parser


def _add_command(sub: Any, name: str, fmt: type[argparse.HelpFormatter]) -> ParserSpec:
    spec = parser_spec(COMMANDS[name])
    sub.add_parser(
        name,
        help=spec.help,
        description=_filled(spec.description),
        epilog=epilog_of(spec),
        formatter_class=fmt,
    )
    return spec


def _filled(description: str) -> str:
    return description if "\n" in description else textwrap.fill(description, 88)


def asks_help(argv: Sequence[str]) -> bool:
    """-h or --help among the options (before a ``--``)."""
    options = argv[: list(argv).index("--")] if "--" in argv else argv
    return any(arg in ("-h", "--help") for arg in options)


def first_command(argv: Sequence[str]) -> str | None:
    """The command named on the command line; None when there is none, or when -h/--help comes
    before it (argparse then prints the top-level help: every command belongs in it)."""
    for arg in argv:
        if arg in ("--", "-h", "--help"):
            return None
        if not arg.startswith("-"):
            return arg
    return None
