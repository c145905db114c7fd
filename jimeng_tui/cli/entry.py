"""The ``jimeng-tui`` command: the TUI without a subcommand, the headless commands with one.

This module must stay cheap to import: it builds the argparse tree from the catalog and nothing
else. Every command imports what it needs when it runs (``generate`` never imports Textual; a test
checks ``sys.modules``). The command bodies live in ``cli_commands.py``, ``cli_batch.py`` and
``cli_history.py``.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import textwrap
from collections.abc import Sequence

from jimeng_tui import __version__
from jimeng_tui.cli import doctor as cli_doctor
from jimeng_tui.cli import json_output as cli_json
from jimeng_tui.cli.argtypes import positive_int
from jimeng_tui.cli.globals import add_global_options, command_parser_class
from jimeng_tui.cli.text import printable
from jimeng_tui.services.jimeng import catalog

PROG = "jimeng-tui"

# Exit codes: 0 saved / done, 1 generation failed, 2 usage or input error, 130 interrupted.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

ENVIRONMENT_HELP = """\
environment variables (override the config file):
  VOLC_ACCESSKEY                  Volcengine access key
  VOLC_SECRETKEY                  Volcengine secret key (never printed or logged)
  JIMENG_VIDEO_API_URL            API base URL (default https://visual.volcengineapi.com)
  JIMENG_VIDEO_API_TIMEOUT        HTTP timeout in seconds (default 300)
  JIMENG_VIDEO_POLL_INTERVAL      seconds between status queries (default 5)
  JIMENG_VIDEO_MAX_POLL_ATTEMPTS  status queries before giving up (default 120)
  JIMENG_TUI_HOME                 keep config, history, cache, logs and videos under one folder
"""

EXIT_HELP = """\
exit status:
  0    the video was saved (or the command succeeded)
  1    the generation failed (the error code, message and task id go to stderr)
  2    usage or input error (nothing was submitted)
  130  interrupted with Ctrl-C (the job stays in the history; `jimeng-tui resume` finishes it)
"""

GENERATE_EXAMPLES = """\
examples:
  text to video (720P, 5 s, 24 fps):
    jimeng-tui generate "A golden retriever running through sunflowers, warm light"
  text to video 1080P, 10 s, vertical, fixed seed, to an exact file:
    jimeng-tui generate "Rain on a neon street at night" --mode t2v_1080p --duration 10 \\
        --aspect-ratio 9:16 --seed 42 --output ~/Videos/rain.mp4
  image to video from a local file:
    jimeng-tui generate "The cat slowly turns its head" --mode i2v_first_720p --image ./cat.jpg
  first and last frame (files or URLs):
    jimeng-tui generate "The flower opens" --mode i2v_first_tail_1080p \\
        --image ./bud.png --tail-image https://example.com/bloom.png
  camera movement:
    jimeng-tui generate "A lighthouse on a cliff" --mode i2v_recamera_720p --image ./lh.jpg \\
        --camera-template dynamic_orbit --camera-strength strong
  submit now, collect later:
    jimeng-tui generate "A paper boat on a river" --no-wait     # prints the task id
    jimeng-tui wait 7392616336519610409
  try it without an account (a local emulator of the service):
    jimeng-tui generate "A red kite over the sea" --sandbox
"""


BATCH_FORMAT = f"""\
the batch file:
  JSON Lines: one JSON object a line, with generate's options as fields:
    prompt, mode, duration, fps, aspect_ratio (or ratio), first_image (or image),
    last_image (or tail_image), camera_template, camera_strength, seed
  A field left out takes generate's default (mode {catalog.DEFAULT_MODE}, \
{catalog.DEFAULT_DURATION} s, {catalog.DEFAULT_FPS} fps, random seed).
  A line may also be a bare JSON string: a prompt with every default.
  A file whose name ends in .csv is a table instead: a header row names the fields, an
  empty cell takes the default.
  Blank lines and lines starting with # are skipped; messages name the line number.
  Relative image paths are taken from the batch file's folder, not the working folder.

  {{"prompt": "A golden retriever in sunflowers", "duration": 10, "aspect_ratio": "9:16"}}
  {{"prompt": "The sun sinks", "mode": "i2v_first_720p", "first_image": "first-frame.jpg"}}

how it runs:
  Every line is checked first (fields, values, images); one bad line and nothing is sent
  (exit 2). Then the lines run at once, at most max_concurrency ([network] in the config)
  on the service, slower when it says so. One line is printed per submit, save and failure,
  then a summary; --json prints one JSON object per line and a summary object instead.

running a file again (nothing is paid for twice):
  Each job remembers its file (path and SHA-256), line and request. Running the same file
  again (same path, or the same content elsewhere) skips the lines already saved, resumes
  those still running (after Ctrl-C or a crash), and submits only the lines that never
  started. A line whose submit got no answer is never sent again (check the console);
  a line that failed after its task was created is sent again only with --retry-failed.
  Only one run of a file at a time.
"""

BATCH_EXIT = """\
exit status:
  0    every line has a saved video (this run or an earlier one)
  1    some lines failed or have no video yet (their line numbers go to stderr)
  2    usage error or a bad line (nothing was submitted)
  130  interrupted with Ctrl-C: running tasks stay in the history; run the same command again
"""

BATCH_EXAMPLES = """\
examples:
  jimeng-tui batch prompts.jsonl --dry-run       check every line, show what would be sent
  jimeng-tui batch prompts.jsonl                 run it (again: finishes what is left)
  jimeng-tui batch shots.csv --output-dir ~/Videos/shots --json > results.jsonl
  jimeng-tui batch assets/sample-batch.jsonl --sandbox    try it without an account
"""


def _mode_lines(title: str = "modes (--mode):") -> str:
    lines = [title]
    for mode in catalog.MODES.values():
        default = " (default)" if mode.name == catalog.DEFAULT_MODE else ""
        lines.append(f"  {mode.name:<22} {mode.label}; {mode.image_rule}{default}")
    return "\n".join(lines) + "\n"


def _batch_values() -> str:
    return (
        "values (as for generate):\n"
        f"  duration         {_join(catalog.DURATIONS)} (seconds)\n"
        f"  fps              {_join(catalog.FPS_CHOICES)}\n"
        f"  aspect_ratio     {_join(catalog.ASPECT_RATIOS)} (text-to-video only)\n"
        + textwrap.fill(
            f"  camera_template  {_join(catalog.CAMERA_TEMPLATES)}",
            88,
            subsequent_indent=" " * 19,
        )
        + "\n"
        f"  camera_strength  {_join(catalog.CAMERA_STRENGTHS)}\n"
        f"  seed             -1 (random) or 0..{catalog.SEED_MAX}\n"
        "  first_image, last_image: a local JPEG/PNG (others are converted) or an http(s) URL\n"
    )


def _join(values: Sequence[object]) -> str:
    return ", ".join(str(v) for v in values)


class _Parser(argparse.ArgumentParser):
    """argparse with the house error line (``jimeng-tui: error: ...``, exit 2)."""

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(error_line(message), file=sys.stderr)
        self.exit(cli_json.finish(EXIT_USAGE, message))


def _add_generation_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("generation options")
    g.add_argument(
        "--mode",
        choices=catalog.MODE_NAMES,
        default=catalog.DEFAULT_MODE,
        metavar="MODE",
        help=f"model and input kind: {_join(catalog.MODE_NAMES)} (default {catalog.DEFAULT_MODE})",
    )
    g.add_argument(
        "--duration",
        type=int,
        choices=catalog.DURATIONS,
        default=catalog.DEFAULT_DURATION,
        metavar="SECONDS",
        help=f"video length in seconds: {_join(catalog.DURATIONS)} (default "
        f"{catalog.DEFAULT_DURATION}); the service renders 5 or 10 s, other lengths are trimmed "
        "locally",
    )
    g.add_argument(
        "--fps",
        type=int,
        choices=catalog.FPS_CHOICES,
        default=catalog.DEFAULT_FPS,
        metavar="FPS",
        help=f"frame rate: {_join(catalog.FPS_CHOICES)} (default {catalog.DEFAULT_FPS}); the "
        "service renders 24 fps, others are converted locally",
    )
    g.add_argument(
        "--aspect-ratio",
        choices=catalog.ASPECT_RATIOS,
        default=None,
        metavar="RATIO",
        help=f"text-to-video only: {_join(catalog.ASPECT_RATIOS)} (default "
        f"{catalog.DEFAULT_ASPECT_RATIO}); image modes take the ratio from the image",
    )
    g.add_argument(
        "--image",
        metavar="PATH|URL",
        default=None,
        help="first frame: a local JPEG/PNG (WebP and others are converted) or an http(s) URL; "
        "required by the i2v modes, optional for ti2v_pro. Limits: 4.7 MB, 320..4096 px per "
        "side, long/short side at most 3",
    )
    g.add_argument(
        "--tail-image",
        metavar="PATH|URL",
        default=None,
        help="last frame (i2v_first_tail_720p / i2v_first_tail_1080p only); same aspect ratio "
        "as the first frame",
    )
    g.add_argument(
        "--camera-template",
        choices=catalog.CAMERA_TEMPLATES,
        default=None,
        metavar="TEMPLATE",
        help=f"camera move, i2v_recamera_720p only (required there): "
        f"{_join(catalog.CAMERA_TEMPLATES)}",
    )
    g.add_argument(
        "--camera-strength",
        choices=catalog.CAMERA_STRENGTHS,
        default=None,
        metavar="STRENGTH",
        help=f"camera move strength, i2v_recamera_720p only: {_join(catalog.CAMERA_STRENGTHS)} "
        f"(default {catalog.DEFAULT_CAMERA_STRENGTH})",
    )
    g.add_argument(
        "--seed",
        type=int,
        default=catalog.SEED_RANDOM,
        metavar="INT",
        help=f"random seed: -1 for random (default) or 0..{catalog.SEED_MAX}",
    )


def _add_task_arguments(parser: argparse.ArgumentParser) -> None:
    """TASK_ID and --mode, for the commands that reattach to a task by its id."""
    parser.add_argument("task_id", metavar="TASK_ID", help="the task id (a long decimal string)")
    parser.add_argument(
        "--mode",
        choices=catalog.MODE_NAMES,
        default=None,
        metavar="MODE",
        help=f"the mode the task was submitted with, when it is not in the history: "
        f"{_join(catalog.MODE_NAMES)}",
    )


def _add_run_options(
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
    parser = _Parser(
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
    commands = command_parser_class(_Parser)  # each command takes the global options too
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=commands)

    # generate -----------------------------------------------------------------------------
    gen = sub.add_parser(
        "generate",
        help="generate a video from a prompt (and images) and save it",
        description="Submit a generation, wait for it, download and verify the MP4, and print "
        "the result block. Every job is recorded in the history.",
        epilog=_mode_lines()
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
    _add_generation_options(gen)
    _add_run_options(gen)
    gen.add_argument(
        "--no-wait",
        action="store_true",
        help="submit, print the task id and exit 0; finish later with `jimeng-tui wait TASK_ID` "
        "or `jimeng-tui resume`",
    )

    # batch --------------------------------------------------------------------------------
    bt = sub.add_parser(
        "batch",
        help="run many generations from a JSON Lines or CSV file, safely re-runnable",
        description="Run every request of a file (one a line) unattended: check them all, "
        "submit them at once within the concurrency limit, download and verify every video, "
        "and record each job in the history. Running the same file again never pays for a "
        "line twice.",
        epilog=BATCH_FORMAT
        + "\n"
        + _mode_lines("modes (the mode field):")
        + "\n"
        + _batch_values()
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
    _add_run_options(
        bt,
        output=False,
        json_help="print JSON Lines on stdout and nothing else: one object per line of the file "
        '("type": "line", with "line", "outcome" and the job as generate --json prints it), '
        'then one "type": "summary" object',
    )

    # status -------------------------------------------------------------------------------
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
    _add_task_arguments(st)
    st.add_argument("--json", action="store_true", help="print one JSON object")

    # wait ---------------------------------------------------------------------------------
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
    _add_task_arguments(wt)
    _add_run_options(wt)

    # resume -------------------------------------------------------------------------------
    rs = sub.add_parser(
        "resume",
        help="finish every unfinished job in the history",
        description="Pick up every job that did not finish (interrupted, or submitted with "
        "--no-wait) and is not being driven by another jimeng-tui process: keep polling, "
        "download, save. Prints one result block per job; exits 1 if any failed.",
        epilog=ENVIRONMENT_HELP + "\n" + EXIT_HELP,
        formatter_class=fmt,
    )
    _add_run_options(rs, output=False)

    # history ------------------------------------------------------------------------------
    hs = sub.add_parser(
        "history",
        help="list, search and export past generations",
        description="A table of past jobs, newest first: date, status, mode, duration/fps, "
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
        choices=_job_states(),
        help=f"only jobs in this state: {_join(_job_states())}",
    )
    hs.add_argument(
        "--mode",
        choices=catalog.MODE_NAMES,
        default=None,
        metavar="MODE",
        help=f"only this mode: {_join(catalog.MODE_NAMES)}",
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

    # locate -------------------------------------------------------------------------------
    lc = sub.add_parser(
        "locate",
        help="print where config, history, cache, logs and videos live",
        description="Print the folders and files jimeng-tui uses (JIMENG_TUI_HOME moves them "
        "all under one folder).",
        formatter_class=fmt,
    )
    lc.add_argument("--json", action="store_true", help="print one JSON object")

    cli_doctor.add_parser(sub, fmt)  # doctor: check or rebuild the history

    # sandbox ------------------------------------------------------------------------------
    sb = sub.add_parser(
        "sandbox",
        help="run the local emulator of the service in the foreground",
        description="A strict local emulator of the Jimeng Video 3.0 service for trying the app "
        "and for tests. Prints its base URL and keys; Ctrl-C stops it.",
        formatter_class=fmt,
    )
    for p in (parser, *sub.choices.values()):
        if p.description and "\n" not in p.description:
            p.description = textwrap.fill(p.description, 88)
    if command == "sandbox":
        _add_sandbox_arguments(sb)
    return parser


def _job_states() -> tuple[str, ...]:
    from jimeng_tui.domain.job import JobState

    return tuple(s.value for s in JobState)


def _add_sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    # Imported only for `jimeng-tui sandbox ...`, so other commands stay quick to start.
    from jimeng_tui.sandbox import cli as sandbox_cli

    sandbox_cli.add_arguments(parser)
    epilog = getattr(sandbox_cli, "EPILOG", None)
    if epilog and not parser.epilog:
        parser.epilog = epilog


def _first_command(argv: Sequence[str]) -> str | None:
    for arg in argv:
        if arg == "--":
            return None
        if not arg.startswith("-"):
            return arg
    return None


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


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    command = _first_command(args_list)
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


def describe_os_error(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    if exc.filename:
        return f"{exc.filename}: {reason}"
    return reason


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
        from jimeng_tui.cli.history import cmd_locate

        return cmd_locate(ns)
    if command == "history":
        from jimeng_tui.cli.history import cmd_history

        return cmd_history(ns)
    if command == "doctor":
        return cli_doctor.cmd_doctor(ns)
    if command == "batch":
        from jimeng_tui.cli.batch import cmd_batch

        return cmd_batch(ns)
    from jimeng_tui.cli import commands as cli_commands

    handler = {
        "generate": cli_commands.cmd_generate,
        "status": cli_commands.cmd_status,
        "wait": cli_commands.cmd_wait,
        "resume": cli_commands.cmd_resume,
    }[command]
    return handler(ns)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
