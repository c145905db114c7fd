"""``jimeng-tui story run|status|retake|keep FILE``: a storyboard's shots, chained, joined
into one film; re-takes of one shot (other seeds) and the choice of its keeper.

Every shot is checked (fields, models, images) before anything is sent (exit 2 naming the shot
and the field); then the shots run through the same engine as ``generate`` and ``batch``, and
the saved shots are joined into one MP4 with a sidecar JSON. Running the file again never pays
for a shot twice. Cheap to import (the parser imports it); the run is ``cli/story_run.py``.
"""

from __future__ import annotations

import argparse

from jimeng_tui.cli.commands import ParserSpec

HELP = "run a storyboard: chained shots joined into one film; re-take a shot, keep one"
DESCRIPTION = (
    "Run a storyboard: an ordered list of shots (a TOML file), each an ordinary job. Shots that "
    "start from an image or from text run at once; a shot that starts from the previous one "
    "waits for it and starts on its last frame. When every shot is saved they are joined into "
    "one MP4 (cuts or crossfades) with a sidecar JSON listing every shot and its task. Running "
    "the file again reuses saved shots, follows running ones and never sends a submit twice; "
    "after editing a shot, that shot and the shots chained from it are made again, no others. "
    "A shot can be re-taken (alternatives with other seeds) and one of its videos kept: the "
    "film is joined from the keepers."
)
EPILOG = """\
the file (see assets/storyboard-sample.toml and the README's "Storyboards"):
  title = "Harbour at dawn"
  [defaults]              model, resolution, ratio, fps, length, transition, crossfade, options
  [[shot]]                prompt, length, from ("previous" | an image | "none"),
                          end (an image | "next"), seed, model, ratio, transition, options

actions:
  run FILE                 run the storyboard (--dry-run: the plan and its estimate, nothing sent)
  status FILE              each shot's keeper, its takes, and the film of the keepers
  retake FILE SHOT         make --count alternatives of one shot (other seeds; paid generations)
  keep FILE SHOT JOB_ID    make that video the shot's keeper; the next run joins the keepers
                           (and makes again a shot chained from it, from the new keeper's
                           last frame, unless you keep that shot's video too)

exit codes: 0 the film is saved (or the action done), 1 a shot failed (or the join did), 2 a
usage or file error (nothing was sent), 130 interrupted (run the same command again to finish)

examples:
  jimeng-tui story run film.toml --dry-run    the plan: what would be sent or reused, the cost
  jimeng-tui story run film.toml --sandbox    offline, nothing billed
  jimeng-tui story retake film.toml 2 --count 3
  jimeng-tui story keep film.toml 2 17        job 17 becomes shot 2's keeper
"""
ACTIONS = ("run", "status", "retake", "keep")
DEFAULT_TAKES = 2


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=ACTIONS, metavar="ACTION", help="run, status, retake or keep")
    p.add_argument("file", metavar="FILE", help="the storyboard (TOML)")
    p.add_argument(
        "targets",
        nargs="*",
        metavar="SHOT [JOB_ID]",
        help="retake: the shot's number; keep: the shot's number and the job to keep",
    )
    o = p.add_argument_group("story options")
    o.add_argument(
        "--count",
        type=int,
        default=DEFAULT_TAKES,
        metavar="N",
        help=f"retake: how many alternatives (1-4, default {DEFAULT_TAKES}); each is billed",
    )
    o.add_argument("--json", action="store_true", help="print one JSON object")
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
    if ns.action in ("retake", "keep", "status"):
        from jimeng_tui.cli.story_takes import cmd_story_takes

        return cmd_story_takes(ns)
    from jimeng_tui.cli.story_run import cmd_story_run

    return cmd_story_run(ns)


__all__ = ["PARSER", "cmd_story"]
