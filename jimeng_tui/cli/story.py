"""``jimeng-tui story run FILE``: a storyboard's shots, chained, joined into one film.

Every shot is checked (fields, models, images) before anything is sent (exit 2 naming the shot
and the field); then the shots run through the same engine as ``generate`` and ``batch``, and
the saved shots are joined into one MP4 with a sidecar JSON. Running the file again never pays
for a shot twice. Cheap to import (the parser imports it); the run is ``cli/story_run.py``.
"""

from __future__ import annotations

import argparse

from jimeng_tui.cli.commands import ParserSpec

HELP = "run a storyboard: chained shots joined into one film"
DESCRIPTION = (
    "Run a storyboard: an ordered list of shots (a TOML file), each an ordinary job. Shots that "
    "start from an image or from text run at once; a shot that starts from the previous one "
    "waits for it and starts on its last frame. When every shot is saved they are joined into "
    "one MP4 (cuts or crossfades) with a sidecar JSON listing every shot and its task. Running "
    "the file again reuses saved shots, follows running ones and never sends a submit twice; "
    "after editing a shot, that shot and the shots chained from it are made again, no others."
)
EPILOG = """\
the file (see assets/storyboard-sample.toml and the README's "Storyboards"):
  title = "Harbour at dawn"
  [defaults]              model, resolution, ratio, fps, length, transition, crossfade, options
  [[shot]]                prompt, length, from ("previous" | an image | "none"),
                          end (an image | "next"), seed, model, ratio, transition, options

exit codes: 0 the film is saved, 1 a shot failed (or the join did), 2 a usage or file error
(nothing was sent), 130 interrupted (run the same command again to finish)

examples:
  jimeng-tui story run film.toml --dry-run    the plan: what would be sent or reused
  jimeng-tui story run film.toml --sandbox    offline, nothing billed
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=("run",), metavar="run", help="run the storyboard")
    p.add_argument("file", metavar="FILE", help="the storyboard (TOML)")
    o = p.add_argument_group("story options")
    o.add_argument(
        "--dry-run",
        action="store_true",
        help="check the file and print what each shot would do; send nothing",
    )
    o.add_argument(
        "--output-dir", metavar="DIR", default=None, help="save the shots and the film in DIR"
    )
    o.add_argument(
        "--retry-failed",
        action="store_true",
        help="also send again the shots whose task failed in an earlier run (a new, billed "
        "generation; always on with --sandbox)",
    )
    o.add_argument(
        "--again", action="store_true", help="ignore earlier runs: every shot is a new generation"
    )
    o.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")


PARSER = ParserSpec(HELP, DESCRIPTION, EPILOG, add_arguments)  # cli/commands.py's table


def cmd_story(ns: argparse.Namespace) -> int:
    from jimeng_tui.cli.story_run import cmd_story_run

    return cmd_story_run(ns)


__all__ = ["PARSER", "cmd_story"]
