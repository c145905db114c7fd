"""The argparse tree of ``jimeng-tui``: one ``add_<command>_parser`` per command.

Cheap to import: it reads the catalog for choices and help and nothing else; every command's
module is imported only when it runs (``cli/entry.py``). The sandbox's own options are added
only for ``jimeng-tui sandbox``.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Sequence
from typing import Any, NoReturn

from jimeng_tui import __version__
from jimeng_tui.cli import cancel as cli_cancel
from jimeng_tui.cli import doctor as cli_doctor
from jimeng_tui.cli import json_output as cli_json
from jimeng_tui.cli import mcp as cli_mcp
from jimeng_tui.cli import serve as cli_serve
from jimeng_tui.cli import spend as cli_spend
from jimeng_tui.cli import story as cli_story
from jimeng_tui.cli import tasks as cli_tasks
from jimeng_tui.cli.cost import add_cost_options
from jimeng_tui.cli.errors import EXIT_USAGE, PROG, error_line
from jimeng_tui.cli.generation_options import add_generation_options, model_lines
from jimeng_tui.cli.globals import add_global_options, command_parser_class
from jimeng_tui.cli.help_text import (
    BATCH_EXAMPLES,
    BATCH_EXIT,
    BATCH_FORMAT,
    ENVIRONMENT_HELP,
    EXIT_HELP,
    GENERATE_EXAMPLES,
    batch_values,
    join,
    mode_lines,
)
from jimeng_tui.sandbox.argtypes import positive_int
from jimeng_tui.services.jimeng import catalog

Formatter = type[argparse.HelpFormatter]


class CliParser(argparse.ArgumentParser):
    """argparse with the house error line (``jimeng-tui: error: ...``, exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(error_line(message), file=sys.stderr)
        self.exit(cli_json.finish(EXIT_USAGE, message))


def add_task_arguments(parser: argparse.ArgumentParser) -> None:
    """TASK_ID and --mode, for the commands that reattach to a task by its id."""
    parser.add_argument(
        "task_id",
        metavar="TASK_ID",
        help="the task id (Jimeng 3.0: a long decimal string; Seedance: cgt-…)",
    )
    parser.add_argument(
        "--mode",
        choices=catalog.MODE_NAMES,
        default=None,
        metavar="MODE",
        help=f"the mode the task was submitted with, when it is not in the history: "
        f"{join(catalog.MODE_NAMES)}",
    )


def add_run_options(
    p: argparse.ArgumentParser,
    *,
    output: bool = True,
    json_help: str | None = None,
) -> None:
    o = p.add_argument_group("output options")
    if output:
        o.add_argument(
            "--output",
            "-o",
            metavar="PATH",
            default=None,
            help="save the video to exactly this file (never overwritten: an existing file is an "
            "error); default: the configured folder and name template",
        )
    o.add_argument(
        "--json",
        action="store_true",
        help=json_help
        or "print one JSON object on stdout and nothing else (task_id, request_id, status, "
        "video_url, path, parameters, measured duration/fps/width/height, error code/message)",
    )
    o.add_argument("--quiet", "-q", action="store_true", help="no progress or notices on stderr")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole tree; the sandbox's own options are added only when ``command`` is "sandbox"."""
    fmt = argparse.RawDescriptionHelpFormatter
    parser = CliParser(
        prog=PROG,
        description="A terminal studio for Volcengine's Jimeng Video 3.0. Without a command it "
        "opens the interactive app; the commands below run headless.",
        epilog=ENVIRONMENT_HELP
        + "\n"
        + EXIT_HELP
        + "\nexamples:\n"
        + "  jimeng-tui                      open the app\n"
        + "  jimeng-tui --sandbox            open the app against a local emulator\n"
        + '  jimeng-tui generate "A cat on a sofa" --mode t2v_1080p\n'
        + "  jimeng-tui batch prompts.jsonl  many generations from a file\n"
        + "  jimeng-tui history --search cat\n"
        + "  jimeng-tui generate --help      all generation options and more examples\n",
        formatter_class=fmt,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    add_global_options(parser)
    commands = command_parser_class(CliParser)  # each command takes the global options too
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=commands)
    add_generate_parser(sub, fmt)
    add_batch_parser(sub, fmt)
    add_status_parser(sub, fmt)
    add_wait_parser(sub, fmt)
    add_resume_parser(sub, fmt)
    add_history_parser(sub, fmt)
    add_locate_parser(sub, fmt)
    cli_doctor.add_parser(sub, fmt)  # doctor: check or rebuild the history
    cli_mcp.add_parser(sub, fmt)  # mcp: the agent server
    cli_serve.add_parser(sub, fmt)  # serve: the studio in a browser (issue 18)
    cli_spend.add_parser(sub, fmt)  # spend: what the jobs cost, per day / month / model
    cli_story.add_parser(sub, fmt)  # story: storyboards
    cli_cancel.add_parser(sub, fmt)  # cancel: a job, on the service when it allows it
    cli_tasks.add_parser(sub, fmt)  # tasks: the account's recent tasks, adopt one
    sb = add_sandbox_parser(sub, fmt)
    for p in (parser, *sub.choices.values()):
        if p.description and "\n" not in p.description:
            p.description = textwrap.fill(p.description, 88)
    if command == "sandbox":
        add_sandbox_arguments(sb)
    return parser


def add_generate_parser(sub: Any, fmt: Formatter) -> argparse.ArgumentParser:
    gen = sub.add_parser(
        "generate",
        help="generate a video from a prompt (and images) and save it",
        description="Submit a generation, wait for it, download and verify the MP4, and print "
        "the result block. Every job is recorded in the history.",
        epilog=mode_lines()
        + "\n"
        + model_lines()
        + "\n"
        + ENVIRONMENT_HELP
        + "\n"
        + EXIT_HELP
        + "\n"
        + GENERATE_EXAMPLES,
        formatter_class=fmt,
    )
    gen.add_argument(
        "prompt",
        nargs="?",
        default="",
        metavar="PROMPT",
        help=f"what the video shows (at most {catalog.PROMPT_MAX_CHARS} characters, "
        f"{catalog.PROMPT_RECOMMENDED_CHARS} recommended); may be empty only for ti2v_pro with "
        "--image",
    )
    add_generation_options(gen)
    add_run_options(gen)
    gen.add_argument(
        "--no-wait",
        action="store_true",
        help="submit, print the task id and exit 0; finish later with `jimeng-tui wait TASK_ID` "
        "or `jimeng-tui resume`",
    )
    add_cost_options(gen)  # --dry-run, --over-budget, --max-cost (issue 16)
    return gen


def add_batch_parser(sub: Any, fmt: Formatter) -> argparse.ArgumentParser:
    bt = sub.add_parser(
        "batch",
        help="run many generations from a JSON Lines or CSV file, safely re-runnable",
        description="Run every request of a file (one a line) unattended: check them all, "
        "submit them at once within the concurrency limit, download and verify every video, "
        "and record each job in the history. Running the same file again never pays for a "
        "line twice.",
        epilog=BATCH_FORMAT
        + "\n"
        + mode_lines("modes (the mode field):")
        + "\n"
        + batch_values()
        + "\n"
        + ENVIRONMENT_HELP
        + "\n"
        + BATCH_EXIT
        + "\n"
        + BATCH_EXAMPLES,
        formatter_class=fmt,
    )
    bt.add_argument(
        "file", metavar="FILE", help="the batch file: .jsonl (JSON Lines) or .csv (see below)"
    )
    bo = bt.add_argument_group("batch options")
    bo.add_argument(
        "--dry-run",
        action="store_true",
        help="check every line and print what each would do and send; submit nothing",
    )
    bo.add_argument(
        "--output-dir",
        metavar="DIR",
        default=None,
        help="save the videos in DIR (created if its parent exists); default: the configured "
        "folder and name template",
    )
    bo.add_argument(
        "--retry-failed",
        action="store_true",
        help="also submit again the lines whose job failed, expired or was cancelled after a "
        "task was created in an earlier run (a new, billed generation; always on with "
        "--sandbox, where nothing is billed)",
    )
    bo.add_argument(
        "--again",
        action="store_true",
        help="ignore earlier runs of the file: submit every line as a new generation",
    )
    add_run_options(
        bt,
        output=False,
        json_help="print JSON Lines on stdout and nothing else: one object per line of the file "
        '("type": "line", with "line", "outcome" and the job as generate --json prints it), '
        'then one "type": "summary" object',
    )
    add_cost_options(bt, dry_run=False)  # --over-budget, --max-cost (issue 16)
    return bt


def add_status_parser(sub: Any, fmt: Formatter) -> argparse.ArgumentParser:
    st = sub.add_parser(
        "status",
        help="ask the service once for a task's status",
        description="Query a task once and print its status (in_queue, generating, done, "
        "not_found, expired). The mode comes from the history, or --mode for a task submitted "
        "elsewhere.",
        epilog=ENVIRONMENT_HELP + "\nexamples:\n  jimeng-tui status 7392616336519610409\n"
        "  jimeng-tui status 7392616336519610409 --mode t2v_1080p --json\n",
        formatter_class=fmt,
    )
    add_task_arguments(st)
    st.add_argument("--json", action="store_true", help="print one JSON object")
    return st


def add_wait_parser(sub: Any, fmt: Formatter) -> argparse.ArgumentParser:
    wt = sub.add_parser(
        "wait",
        help="reattach to a task, wait for it and download the video",
        description="Wait for a task and save its video, like generate does. The mode comes "
        "from the history, or --mode for a task submitted elsewhere (it is then added to the "
        "history).",
        epilog=ENVIRONMENT_HELP
        + "\n"
        + EXIT_HELP
        + "\nexamples:\n  jimeng-tui wait 7392616336519610409\n"
        "  jimeng-tui wait 7392616336519610409 --mode i2v_first_720p --output clip.mp4\n",
        formatter_class=fmt,
    )
    add_task_arguments(wt)
    add_run_options(wt)
    return wt


def add_resume_parser(sub: Any, fmt: Formatter) -> argparse.ArgumentParser:
    rs = sub.add_parser(
        "resume",
        help="finish every unfinished job in the history",
        description="Pick up every job that did not finish (interrupted, or submitted with "
        "--no-wait) and is not being driven by another jimeng-tui process: keep polling, "
        "download, save. Prints one result block per job; exits 1 if any failed.",
        epilog=ENVIRONMENT_HELP + "\n" + EXIT_HELP,
        formatter_class=fmt,
    )
    add_run_options(rs, output=False)
    return rs


def add_history_parser(sub: Any, fmt: Formatter) -> argparse.ArgumentParser:
    hs = sub.add_parser(
        "history",
        help="list, search and export past generations",
        description="A table of past jobs, newest first: date, status, model, duration/fps, "
        "prompt, saved file.",
        epilog="examples:\n  jimeng-tui history --search 'golden retriever' --status saved\n"
        "  jimeng-tui history --since 2026-01-01 --mode t2v_1080p --limit 20\n"
        "  jimeng-tui history --favourites --export favourites.csv\n",
        formatter_class=fmt,
    )
    hs.add_argument("--search", metavar="TEXT", default="", help="full-text search in prompts")
    hs.add_argument(
        "--status",
        metavar="STATUS",
        default=None,
        choices=job_states(),
        help=f"only jobs in this state: {join(job_states())}",
    )
    hs.add_argument(
        "--mode",
        "--model",
        dest="mode",
        default=None,
        metavar="MODEL",
        help=f"only this model (an id or alias; Jimeng 3.0's modes: {join(catalog.MODE_NAMES)})",
    )
    hs.add_argument(
        "--since", metavar="DATE", default=None, help="created on/after DATE (YYYY-MM-DD[ HH:MM])"
    )
    hs.add_argument(
        "--until", metavar="DATE", default=None, help="created on/before DATE (YYYY-MM-DD[ HH:MM])"
    )
    hs.add_argument(
        "--favourites", "--favorites", action="store_true", help="only jobs marked favourite"
    )
    hs.add_argument(
        "--order",
        choices=("newest", "oldest", "longest", "shortest"),
        default="newest",
        help="sort order: newest (default), oldest, longest, shortest",
    )
    hs.add_argument(
        "--limit",
        type=positive_int,
        default=None,
        metavar="N",
        help="at most N rows (default 50 in the table; --export writes every match)",
    )
    hs.add_argument("--json", action="store_true", help="print the rows as a JSON array")
    hs.add_argument(
        "--export",
        metavar="FILE",
        default=None,
        help="write the filtered rows to FILE.json or FILE.csv (an existing file is never "
        "overwritten)",
    )
    return hs


def add_locate_parser(sub: Any, fmt: Formatter) -> argparse.ArgumentParser:
    lc = sub.add_parser(
        "locate",
        help="print where config, history, cache, logs and videos live",
        description="Print the folders and files jimeng-tui uses (JIMENG_TUI_HOME moves them "
        "all under one folder).",
        formatter_class=fmt,
    )
    lc.add_argument("--json", action="store_true", help="print one JSON object")
    return lc


def add_sandbox_parser(sub: Any, fmt: Formatter) -> argparse.ArgumentParser:
    sb = sub.add_parser(
        "sandbox",
        help="run the local emulator of the service in the foreground",
        description="A strict local emulator of the Jimeng Video 3.0 service for trying the app "
        "and for tests. Prints its base URL and keys; Ctrl-C stops it.",
        formatter_class=fmt,
    )
    return sb


def job_states() -> tuple[str, ...]:
    from jimeng_tui.domain.job import JobState

    return tuple(s.value for s in JobState)


def add_sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    # Imported only for `jimeng-tui sandbox ...`, so other commands stay quick to start.
    from jimeng_tui.sandbox import cli as sandbox_cli

    sandbox_cli.add_arguments(parser)
    epilog = getattr(sandbox_cli, "EPILOG", None)
    if epilog and not parser.epilog:
        parser.epilog = epilog


def first_command(argv: Sequence[str]) -> str | None:
    for arg in argv:
        if arg == "--":
            return None
        if not arg.startswith("-"):
            return arg
    return None
