"""Command-line arguments as table rows: every command's parser is built from tables of
:class:`Flag` (``add_flags``) instead of one ``add_argument`` call each.

Cheap to import (argparse and dataclasses only): the parser of every command imports it.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

UNSET: Any = object()  # argparse's own default (False for a switch, None otherwise)


@dataclass(frozen=True)
class Flag:
    """One argument: an option (``--output``) or a positional (``file``, no dash)."""

    flag: str
    dest: str | None = None
    metavar: str | None = None
    help: str = ""
    type: Callable[[str], Any] | None = None
    choices: tuple[Any, ...] | None = None
    action: str | None = None  # "append", "store_true"
    default: Any = UNSET
    aliases: tuple[str, ...] = ()  # more names of the same option: "-o", "--favorites"
    nargs: str | None = None


JSON_FLAG = Flag("--json", action="store_true", help="print one JSON object")

# A group's title (None: the parser's own "options" / "positional arguments") and its rows.
FlagGroup = tuple[str | None, Sequence[Flag]]


def add_flags(parser: argparse.ArgumentParser, groups: Iterable[FlagGroup]) -> None:
    """Add every group's rows, in order (the usage line lists them in the order added)."""
    for title, flags in groups:
        target: Any = parser if title is None else parser.add_argument_group(title)
        for flag in flags:
            target.add_argument(flag.flag, *flag.aliases, **_settings(flag))


def flag_adder(*groups: FlagGroup) -> Callable[[argparse.ArgumentParser], None]:
    """A command's ``arguments``: adds these groups to its parser."""
    return lambda parser: add_flags(parser, groups)


def _settings(flag: Flag) -> dict[str, Any]:
    given = {
        "dest": flag.dest if flag.flag.startswith("-") else None,
        "metavar": flag.metavar,
        "type": flag.type,
        "choices": flag.choices,
        "action": flag.action,
        "nargs": flag.nargs,
    }
    settings = {key: value for key, value in given.items() if value is not None}
    if flag.default is not UNSET:
        settings["default"] = flag.default
    settings["help"] = flag.help
    return settings


__all__ = ["JSON_FLAG", "UNSET", "Flag", "FlagGroup", "add_flags", "flag_adder"]
