"""The help texts of ``jimeng-tui`` and its commands (epilogs, examples, value lists).

Built from the catalog when the parser is built; nothing else is imported.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from jimeng_tui.services.jimeng import catalog

ENVIRONMENT_HELP = """\
environment variables (override the config file):
  VOLC_ACCESSKEY                  Volcengine access key (Jimeng 3.0)
  VOLC_SECRETKEY                  Volcengine secret key (never printed or logged)
  ARK_API_KEY                     Ark API key for Seedance (never printed or logged)
  JIMENG_VIDEO_API_URL            API base URL (default https://visual.volcengineapi.com)
  ARK_BASE_URL                    Ark base URL (default https://ark.cn-beijing.volces.com/api/v3)
  JIMENG_VIDEO_API_TIMEOUT        HTTP timeout in seconds (default 300)
  JIMENG_VIDEO_POLL_INTERVAL      seconds between status queries (default 5; never faster)
  JIMENG_VIDEO_MAX_POLL_ATTEMPTS  status queries before giving up (default 120)
  JIMENG_TUI_SERVE_TOKEN          the browser mode's token (jimeng-tui serve)
  JIMENG_TUI_MCP_TOKEN            the agent server's bearer token (jimeng-tui mcp --http)
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


def mode_lines(title: str = "modes (--mode):") -> str:
    lines = [title]
    for mode in catalog.MODES.values():
        default = " (default)" if mode.name == catalog.DEFAULT_MODE else ""
        lines.append(f"  {mode.name:<22} {mode.label}; {mode.image_rule}{default}")
    return "\n".join(lines) + "\n"


def batch_values() -> str:
    return (
        "values (as for generate):\n"
        f"  duration         {join(catalog.DURATIONS)} (seconds)\n"
        f"  fps              {join(catalog.FPS_CHOICES)}\n"
        f"  aspect_ratio     {join(catalog.ASPECT_RATIOS)} (text-to-video only)\n"
        + textwrap.fill(
            f"  camera_template  {join(catalog.CAMERA_TEMPLATES)}",
            88,
            subsequent_indent=" " * 19,
        )
        + "\n"
        f"  camera_strength  {join(catalog.CAMERA_STRENGTHS)}\n"
        f"  seed             -1 (random) or 0..{catalog.SEED_MAX}\n"
        "  first_image, last_image: a local JPEG/PNG (others are converted) or an http(s) URL\n"
    )


def join(values: Sequence[object]) -> str:
    return ", ".join(str(v) for v in values)
