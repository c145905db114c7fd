"""The parsers of the commands that run jobs: ``generate``, ``batch``, ``status``, ``wait`` and
``resume``, each a :class:`ParserSpec` built from tables of flags.

Imported only when one of them is parsed (or for ``jimeng-tui --help``): it reads the services'
tables for choices and help, nothing else.
"""

from __future__ import annotations

import argparse

from jimeng_tui.cli.commands import ParserSpec
from jimeng_tui.cli.cost import cost_flags
from jimeng_tui.cli.flags import JSON_FLAG, Flag, FlagGroup, add_flags
from jimeng_tui.cli.generation_options import generation_group, model_lines
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
from jimeng_tui.services.jimeng import catalog

RUN_JSON_HELP = (
    "print one JSON object on stdout and nothing else (task_id, request_id, status, "
    "video_url, path, parameters, measured duration/fps/width/height, error code/message)"
)
BATCH_JSON_HELP = (
    "print JSON Lines on stdout and nothing else: one object per line of the file "
    '("type": "line", with "line", "outcome" and the job as generate --json prints it), '
    'then one "type": "summary" object'
)
OUTPUT_FLAG = Flag(
    "--output",
    aliases=("-o",),
    metavar="PATH",
    default=None,
    help="save the video to exactly this file (never overwritten: an existing file is an "
    "error); default: the configured folder and name template",
)


def run_flags(*, output: bool = True, json_help: str = RUN_JSON_HELP) -> FlagGroup:
    """--output (unless the command saves many videos), --json, --quiet."""
    flags = (
        Flag("--json", action="store_true", help=json_help),
        Flag(
            "--quiet", aliases=("-q",), action="store_true", help="no progress or notices on stderr"
        ),
    )
    return "output options", (OUTPUT_FLAG, *flags) if output else flags


def task_flags() -> FlagGroup:
    """TASK_ID and --mode, for the commands that reattach to a task by its id."""
    return None, (
        Flag(
            "task_id",
            metavar="TASK_ID",
            help="the task id (Jimeng 3.0: a long decimal string; Seedance: cgt-…)",
        ),
        Flag(
            "--mode",
            choices=catalog.MODE_NAMES,
            default=None,
            metavar="MODE",
            help="the mode the task was submitted with, when it is not in the history: "
            f"{join(catalog.MODE_NAMES)}",
        ),
    )


def _generate_arguments(parser: argparse.ArgumentParser) -> None:
    prompt = Flag(
        "prompt",
        nargs="?",
        default="",
        metavar="PROMPT",
        help=f"what the video shows (at most {catalog.PROMPT_MAX_CHARS} characters, "
        f"{catalog.PROMPT_RECOMMENDED_CHARS} recommended); may be empty only for ti2v_pro with "
        "--image",
    )
    no_wait = Flag(
        "--no-wait",
        action="store_true",
        help="submit, print the task id and exit 0; finish later with `jimeng-tui wait TASK_ID` "
        "or `jimeng-tui resume`",
    )
    groups = ((None, (prompt,)), generation_group(), run_flags(), (None, (no_wait,)))
    add_flags(parser, (*groups, cost_flags()))  # cost: --dry-run, --over-budget, --max-cost


def _batch_arguments(parser: argparse.ArgumentParser) -> None:
    batch_flags = (
        Flag(
            "--dry-run",
            action="store_true",
            help="check every line and print what each would do and send; submit nothing",
        ),
        Flag(
            "--output-dir",
            metavar="DIR",
            default=None,
            help="save the videos in DIR (created if its parent exists); default: the "
            "configured folder and name template",
        ),
        Flag(
            "--retry-failed",
            action="store_true",
            help="also submit again the lines whose job failed, expired or was cancelled after "
            "a task was created in an earlier run (a new, billed generation; always on with "
            "--sandbox, where nothing is billed)",
        ),
        Flag(
            "--again",
            action="store_true",
            help="ignore earlier runs of the file: submit every line as a new generation",
        ),
    )
    file = Flag(
        "file", metavar="FILE", help="the batch file: .jsonl (JSON Lines) or .csv (see below)"
    )
    groups = ((None, (file,)), ("batch options", batch_flags))
    add_flags(
        parser,
        (*groups, run_flags(output=False, json_help=BATCH_JSON_HELP), cost_flags(dry_run=False)),
    )


def _lines(*parts: str) -> str:
    return "\n".join(parts)


GENERATE = ParserSpec(
    "generate a video from a prompt (and images) and save it",
    "Submit a generation, wait for it, download and verify the MP4, and print the result block. "
    "Every job is recorded in the history.",
    lambda: _lines(mode_lines(), model_lines(), ENVIRONMENT_HELP, EXIT_HELP, GENERATE_EXAMPLES),
    _generate_arguments,
)
BATCH = ParserSpec(
    "run many generations from a JSON Lines or CSV file, safely re-runnable",
    "Run every request of a file (one a line) unattended: check them all, submit them at once "
    "within the concurrency limit, download and verify every video, and record each job in "
    "the history. Running the same file again never pays for a line twice.",
    lambda: _lines(
        BATCH_FORMAT,
        mode_lines("modes (the mode field):"),
        batch_values(),
        ENVIRONMENT_HELP,
        BATCH_EXIT,
        BATCH_EXAMPLES,
    ),
    _batch_arguments,
)
STATUS = ParserSpec(
    "ask the service once for a task's status",
    "Query a task once and print its status (in_queue, generating, done, not_found, expired). "
    "The mode comes from the history, or --mode for a task submitted elsewhere.",
    ENVIRONMENT_HELP + "\nexamples:\n  jimeng-tui status 7392616336519610409\n"
    "  jimeng-tui status 7392616336519610409 --mode t2v_1080p --json\n",
    lambda parser: add_flags(
        parser,
        (task_flags(), (None, (JSON_FLAG,))),
    ),
)
WAIT = ParserSpec(
    "reattach to a task, wait for it and download the video",
    "Wait for a task and save its video, like generate does. The mode comes from the history, "
    "or --mode for a task submitted elsewhere (it is then added to the history).",
    ENVIRONMENT_HELP + "\n" + EXIT_HELP + "\nexamples:\n  jimeng-tui wait 7392616336519610409\n"
    "  jimeng-tui wait 7392616336519610409 --mode i2v_first_720p --output clip.mp4\n",
    lambda parser: add_flags(parser, (task_flags(), run_flags())),
)
RESUME = ParserSpec(
    "finish every unfinished job in the history",
    "Pick up every job that did not finish (interrupted, or submitted with --no-wait) and is "
    "not being driven by another jimeng-tui process: keep polling, download, save. Prints one "
    "result block per job; exits 1 if any failed.",
    ENVIRONMENT_HELP + "\n" + EXIT_HELP,
    lambda parser: add_flags(parser, (run_flags(output=False),)),
)

__all__ = ["BATCH", "GENERATE", "RESUME", "STATUS", "WAIT", "run_flags", "task_flags"]
