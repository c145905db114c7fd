"""Every ``jimeng-tui`` command in one table: its name, its line in ``--help``, where its parser
is described and where it runs.

Both places are ``"module:name"`` text, imported only when needed: a command's parser module
when that command is parsed (``jimeng-tui history ...`` builds the history parser alone), its
run module when it runs. So ``generate`` and ``history`` load their own modules and no other
command's (``generate`` never loads Textual; a test checks ``sys.modules``).
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ParserSpec:
    """A command's parser: its line in ``jimeng-tui --help``, what ``COMMAND --help`` says and
    the arguments it takes."""

    help: str
    description: str
    epilog: str | Callable[[], str] | None  # a callable: built when the parser is
    arguments: Callable[[argparse.ArgumentParser], None]


@dataclass(frozen=True)
class Command:
    name: str
    parser: str  # "module:name" of its ParserSpec, under jimeng_tui.cli
    run: str  # "module:function" under jimeng_tui: ns → the exit code
    services: bool = True  # registers the services' tables before it runs


# In the order `jimeng-tui --help` lists them. history registers the services' tables itself,
# only when --model or --export needs them.
COMMANDS: dict[str, Command] = {
    c.name: c
    for c in (
        Command("generate", "job_parsers:GENERATE", "cli.generate:cmd_generate"),
        Command("batch", "job_parsers:BATCH", "cli.batch:cmd_batch"),
        Command("status", "job_parsers:STATUS", "cli.follow:cmd_status"),
        Command("wait", "job_parsers:WAIT", "cli.follow:cmd_wait"),
        Command("resume", "job_parsers:RESUME", "cli.follow:cmd_resume"),
        Command("history", "history_parsers:HISTORY", "cli.history:cmd_history", services=False),
        Command("locate", "history_parsers:LOCATE", "cli.locate:cmd_locate"),
        Command("doctor", "doctor:PARSER", "cli.doctor:cmd_doctor"),
        Command("mcp", "mcp:PARSER", "cli.mcp:cmd_mcp"),
        Command("serve", "serve:PARSER", "cli.serve:cmd_serve"),
        Command("spend", "spend:PARSER", "cli.spend:cmd_spend"),
        Command("story", "story:PARSER", "cli.story:cmd_story"),
        Command("cancel", "cancel:PARSER", "cli.cancel:cmd_cancel"),
        Command("tasks", "tasks:PARSER", "cli.tasks:cmd_tasks"),
        Command("sandbox", "history_parsers:SANDBOX", "sandbox.cli:run"),
    )
}


def resolve(where: str, package: str) -> Any:
    """The object ``"module:name"`` names (a module of ``package``), importing its module."""
    module, _, name = where.partition(":")
    module = f"{package}.{module}"
    return getattr(importlib.import_module(module), name)


def parser_spec(command: Command) -> ParserSpec:
    spec: ParserSpec = resolve(command.parser, "jimeng_tui.cli")
    return spec


def epilog_of(spec: ParserSpec) -> str | None:
    return spec.epilog() if callable(spec.epilog) else spec.epilog


def run_command(ns: argparse.Namespace) -> int:
    """Run the command ``ns`` was parsed for."""
    command = COMMANDS[ns.command]
    if command.services:
        from jimeng_tui.session.services import register_builtin

        register_builtin()  # the services' tables (cheap): error hints, modes, capabilities
    code: int | None = resolve(command.run, "jimeng_tui")(ns)
    return code or 0


__all__ = ["COMMANDS", "Command", "ParserSpec", "epilog_of", "parser_spec", "run_command"]
