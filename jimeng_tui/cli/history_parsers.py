"""The parsers of ``history``, ``locate`` and ``sandbox``: cheap to import, so that
``jimeng-tui history --search TEXT`` starts with no generation options and no services' tables
(issue 20: a search from process start is measured against the ``sqlite3`` CLI)."""

from __future__ import annotations

import argparse

from jimeng_tui.cli.commands import ParserSpec
from jimeng_tui.cli.flags import JSON_FLAG, Flag, flag_adder
from jimeng_tui.cli.help_text import join
from jimeng_tui.sandbox.argtypes import positive_int
from jimeng_tui.services.jimeng import catalog


def job_states() -> tuple[str, ...]:
    from jimeng_tui.domain.job import JobState

    return tuple(s.value for s in JobState)


DATES = "(YYYY-MM-DD[ HH:MM])"
HISTORY_FLAGS = (
    Flag("--search", metavar="TEXT", default="", help="full-text search in prompts"),
    Flag(
        "--status",
        metavar="STATUS",
        default=None,
        choices=job_states(),
        help=f"only jobs in this state: {join(job_states())}",
    ),
    Flag(
        "--mode",
        aliases=("--model",),
        dest="mode",
        default=None,
        metavar="MODEL",
        help=f"only this model (an id or alias; Jimeng 3.0's modes: {join(catalog.MODE_NAMES)})",
    ),
    Flag("--since", metavar="DATE", default=None, help=f"created on/after DATE {DATES}"),
    Flag("--until", metavar="DATE", default=None, help=f"created on/before DATE {DATES}"),
    Flag(
        "--favourites",
        aliases=("--favorites",),
        action="store_true",
        help="only jobs marked favourite",
    ),
    Flag(
        "--order",
        choices=("newest", "oldest", "longest", "shortest"),
        default="newest",
        help="sort order: newest (default), oldest, longest, shortest",
    ),
    Flag(
        "--limit",
        type=positive_int,
        default=None,
        metavar="N",
        help="at most N rows (default 50 in the table; --export writes every match)",
    ),
    Flag("--json", action="store_true", help="print the rows as a JSON array"),
    Flag(
        "--export",
        metavar="FILE",
        default=None,
        help="write the filtered rows to FILE.json or FILE.csv (an existing file is "
        "never overwritten)",
    ),
)


def _sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    # Imported only for `jimeng-tui sandbox ...`, so other commands stay quick to start.
    from jimeng_tui.sandbox import cli as sandbox_cli

    sandbox_cli.add_arguments(parser)
    epilog = getattr(sandbox_cli, "EPILOG", None)
    if epilog and not parser.epilog:
        parser.epilog = epilog


HISTORY = ParserSpec(
    "list, search and export past generations",
    "A table of past jobs, newest first: date, status, model, duration/fps, prompt, saved file.",
    "examples:\n  jimeng-tui history --search 'golden retriever' --status saved\n"
    "  jimeng-tui history --since 2026-01-01 --mode t2v_1080p --limit 20\n"
    "  jimeng-tui history --favourites --export favourites.csv\n",
    flag_adder((None, HISTORY_FLAGS)),
)
LOCATE = ParserSpec(
    "print where config, history, cache, logs and videos live",
    "Print the folders and files jimeng-tui uses (JIMENG_TUI_HOME moves them all under one "
    "folder).",
    None,
    flag_adder((None, (JSON_FLAG,))),
)
SANDBOX = ParserSpec(
    "run the local emulator of the service in the foreground",
    "A strict local emulator of the Jimeng Video 3.0 service for trying the app and for tests. "
    "Prints its base URL and keys; Ctrl-C stops it.",
    None,
    _sandbox_arguments,
)

__all__ = ["HISTORY", "LOCATE", "SANDBOX", "job_states"]
