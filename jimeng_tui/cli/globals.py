"""The options every ``jimeng-tui`` command takes, before or after the command's name.

``jimeng-tui --sandbox resume`` and ``jimeng-tui resume --sandbox`` mean the same. The top-level
parser defines each global option with its real default; every command's parser gets the same
option with a suppressed default, so a flag given after the command is set and one given before
it is never reset by the command's parser. The subcommands' parser class comes from
:func:`command_parser_class`, so a command added with ``sub.add_parser(...)`` has them.
"""

from __future__ import annotations

import argparse

SANDBOX_HELP = (
    "run against a local emulator of the service started in this process (no account needed; "
    "its jobs go to a separate history: `jimeng-tui history --sandbox`)"
)

# What --sandbox means for a command, where the general sentence does not say it well.
SANDBOX_HELP_BY_COMMAND = {
    "history": "show the jobs run with --sandbox instead",
    "doctor": "check (or rebuild) the sandbox's history instead",
    "locate": "accepted for symmetry: the list always includes the sandbox's history",
    "sandbox": "accepted for symmetry: this command is the emulator",
    "status": "ask the local emulator (its tasks are kept in the data folder) and read the "
    "sandbox history",
    "wait": "finish a task of the local emulator (its tasks are kept in the data folder)",
    "resume": "finish the unfinished jobs of the sandbox history (the emulator keeps its tasks "
    "in the data folder, so jobs interrupted with Ctrl-C finish here)",
}


def add_global_options(parser: argparse.ArgumentParser, command: str | None = None) -> None:
    """The global options, on the top-level parser (``command`` None) or on a command's."""
    if command is None:
        parser.add_argument(
            "--sandbox",
            action="store_true",
            help="open the app against a local emulator of the service (no account needed); "
            "every command also takes --sandbox, before or after its name",
        )
        return
    group = parser.add_argument_group("global options (also accepted before the command)")
    group.add_argument(
        "--sandbox",
        action="store_true",
        default=argparse.SUPPRESS,
        help=SANDBOX_HELP_BY_COMMAND.get(command, SANDBOX_HELP),
    )


def command_parser_class(base: type[argparse.ArgumentParser]) -> type[argparse.ArgumentParser]:
    """``base`` whose instances (the commands' parsers) take the global options too."""

    class CommandParser(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            # argparse names a command's parser "jimeng-tui COMMAND"
            add_global_options(self, (self.prog or "").split()[-1] or None)

    return CommandParser
