"""The bad-input table: every command and option, config.toml contents, batch file contents and
image files that cannot work. Each case checks the exit code, a specific fragment of the message
on stderr, that no traceback is printed, that nothing was sent to the service (the sandbox's
request log holds no new submit) and, for a usage error, that no job row was written. A hang
fails the case (a timeout per case), as does running out of memory (a 64 MB cap, never a read).

The CLI runs in this process (``jimeng_tui.cli.main``), against one sandbox served over a real
loopback socket for the whole module; each case has its own JIMENG_TUI_HOME.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cli_support import files_never_overwritten, make_image
from history_damage import damage, full_disk, make_history

from jimeng_tui.cli.entry import main
from jimeng_tui.store.history import History, HistoryQuery
from jimeng_tui.store.paths import app_paths

pytestmark = pytest.mark.timeout(30)

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False
I2V = ["--mode", "i2v_first_720p"]
TAIL = ["--mode", "i2v_first_tail_720p", "--image", "{good}"]


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    exit: int
    message: str  # a fragment of stderr (spaces as printed)
    config: str | None = None  # config.toml's text
    batch: str | None = None  # the batch file's text ({batch} in args)
    batch_name: str = "lines.jsonl"
    setup: str | None = None  # a name in SETUPS
    env: dict[str, str | None] = field(default_factory=dict)
    not_as_root: bool = False  # root reads and writes everything


def C(id: str, args: list[str], exit: int, message: str, **kw) -> Case:
    return Case(id, tuple(args), exit, message, **kw)


def gen(*args: str) -> list[str]:
    return ["generate", "A red kite over the sea", *args]


def batch(text: str, *args: str, name: str = "lines.jsonl", **kw) -> dict:
    return {"args": ["batch", "{batch}", *args], "batch": text, "batch_name": name, **kw}


def B(id: str, text: str, exit: int, message: str, *args: str, **kw) -> Case:
    spec = batch(text, *args, **kw)
    return Case(id, tuple(spec.pop("args")), exit, message, **spec)


CASES: list[Case] = [
    # -- the command line itself -------------------------------------------------------------
    C("no-such-command", ["render", "x"], 2, "invalid choice: 'render'"),
    C("unknown-global-option", ["--colour"], 2, "unrecognized arguments: --colour"),
    C("generate-unknown-option", gen("--quality", "4k"), 2, "unrecognized arguments"),
    C(
        "resolution-not-the-modes",
        gen("--resolution", "4k"),
        2,
        "--resolution: mode t2v_720p renders 720p only (allowed: 720p)",
    ),
    C("generate-two-prompts", ["generate", "a", "b"], 2, "unrecognized arguments: b"),
    C("mode-unknown", gen("--mode", "t2v_4k"), 2, "invalid choice: 't2v_4k'"),
    C("mode-empty", gen("--mode", ""), 2, "invalid choice: ''"),
    C("mode-missing-value", ["generate", "x", "--mode"], 2, "expected one argument"),
    C("duration-7", gen("--duration", "7"), 2, "--duration: 7 s is not offered (allowed: 4, 5, 6"),
    C("duration-0", gen("--duration", "0"), 2, "--duration: 0 s is not offered"),
    C("duration-negative", gen("--duration=-5"), 2, "--duration: -5 s is not offered"),
    C("duration-decimal", gen("--duration", "5.5"), 2, "invalid int value: '5.5'"),
    C("duration-word", gen("--duration", "five"), 2, "invalid int value: 'five'"),
    C("duration-11", gen("--duration", "11"), 2, "--duration: 11 s is not offered"),
    C("fps-60", gen("--fps", "60"), 2, "--fps: 60 fps is not offered (allowed: 24, 25, 30)"),
    C("fps-0", gen("--fps", "0"), 2, "--fps: 0 fps is not offered"),
    C("fps-23", gen("--fps", "23"), 2, "--fps: 23 fps is not offered"),
    C("fps-word", gen("--fps", "fast"), 2, "invalid int value: 'fast'"),
    C(
        "ratio-5-4",
        gen("--aspect-ratio", "5:4"),
        2,
        "--aspect-ratio: '5:4' is not offered (allowed",
    ),
    C("ratio-x", gen("--aspect-ratio", "16x9"), 2, "--aspect-ratio: '16x9' is not offered"),
    C("ratio-empty", gen("--aspect-ratio", ""), 2, "--aspect-ratio: '' is not offered"),
    C("seed-word", gen("--seed", "abc"), 2, "invalid int value: 'abc'"),
    C("seed-decimal", gen("--seed", "1.5"), 2, "invalid int value: '1.5'"),
    C("seed-minus-2", gen("--seed=-2"), 2, "seed: -2 is out of range"),
    C("seed-2-32", gen("--seed", "4294967296"), 2, "seed: 4294967296 is out of range"),
    C("camera-template-bad", gen(*I2V, "--camera-template", "zoom"), 2, "invalid choice: 'zoom'"),
    C("camera-strength-bad", gen("--camera-strength", "max"), 2, "invalid choice: 'max'"),
    C(
        "camera-for-t2v",
        gen("--camera-template", "hitchcock_dolly_in"),
        2,
        "only mode i2v_recamera_720p",
    ),
    C(
        "recamera-no-template",
        gen("--mode", "i2v_recamera_720p", "--image", "{good}"),
        2,
        "needs a camera template",
    ),
    C("prompt-801", ["generate", "x" * 801], 2, "801 characters; the service accepts at most 800"),
    C("prompt-empty-t2v", ["generate", ""], 2, "mode t2v_720p needs a prompt"),
    C("prompt-blank-t2v", ["generate", "   "], 2, "mode t2v_720p needs a prompt"),
    C("i2v-without-image", gen(*I2V), 2, "takes exactly one first-frame image, but no image"),
    C("t2v-with-image", gen("--image", "{good}"), 2, "mode t2v_720p takes no image"),
    C(
        "tail-without-first",
        gen("--mode", "i2v_first_tail_720p", "--tail-image", "{good}"),
        2,
        "a last frame needs a first frame too",
    ),
    C(
        "tail-for-i2v-first",
        gen(*I2V, "--image", "{good}", "--tail-image", "{good}"),
        2,
        "takes exactly one first-frame image, but two images",
    ),
    C(
        "ratio-with-image",
        gen(*I2V, "--image", "{good}", "--aspect-ratio", "9:16"),
        2,
        "takes no aspect ratio",
    ),
    C(
        "no-wait-with-sandbox",
        gen("--no-wait", "--sandbox"),
        2,
        "--no-wait cannot be used with --sandbox",
    ),
    C(
        "no-credentials",
        gen(),
        2,
        "no credentials: set VOLC_ACCESSKEY and VOLC_SECRETKEY",
        env={"VOLC_ACCESSKEY": None, "VOLC_SECRETKEY": None},
    ),
    # -- image files: refused unread, with what they are -------------------------------------
    C("image-missing", gen(*I2V, "--image", "{tmp}/nope.jpg"), 2, "no file at"),
    C("image-folder", gen(*I2V, "--image", "{folder}"), 2, "is a folder, not an image file"),
    C("image-empty-file", gen(*I2V, "--image", "{empty}"), 2, "is empty (0 bytes), not an image"),
    C("image-text", gen(*I2V, "--image", "{text}"), 2, "is not an image that can be read"),
    C("image-pdf", gen(*I2V, "--image", "{pdf}"), 2, "is not an image that can be read"),
    C("image-svg", gen(*I2V, "--image", "{svg}"), 2, "is not an image that can be read"),
    C("image-gzip", gen(*I2V, "--image", "{gz}"), 2, "is not an image that can be read"),
    C("image-truncated", gen(*I2V, "--image", "{truncated}"), 2, "is damaged or truncated"),
    C("image-tiny", gen(*I2V, "--image", "{tiny}"), 2, "shortest side (100 px) is under the 320"),
    C("image-too-long", gen(*I2V, "--image", "{wide}"), 2, "the service accepts at most 3:1"),
    C("image-fifo", gen(*I2V, "--image", "{fifo}"), 2, "is a named pipe (FIFO), not an image"),
    C("image-dev-zero", gen(*I2V, "--image", "/dev/zero"), 2, "is a character device, not an"),
    C("image-dev-null", gen(*I2V, "--image", "/dev/null"), 2, "is a character device, not an"),
    C("image-dev-urandom", gen(*I2V, "--image", "/dev/urandom"), 2, "is a character device"),
    C("image-dev-full", gen(*I2V, "--image", "/dev/full"), 2, "is a character device"),
    C("image-over-64mb", gen(*I2V, "--image", "{big}"), 2, "an input image may be at most 64.0 MB"),
    C(
        "image-huge-dimensions",
        gen(*I2V, "--image", "{claims}"),
        2,
        "10000×9000 (90 million pixels); at most 89 million",
    ),
    C("image-decompression-bomb", gen(*I2V, "--image", "{bomb}"), 2, "too many pixels"),
    C("image-symlink-loop", gen(*I2V, "--image", "{loop}"), 2, "Too many levels of symbolic"),
    C("image-dangling-symlink", gen(*I2V, "--image", "{dangling}"), 2, "no file at"),
    C("image-symlink-to-folder", gen(*I2V, "--image", "{dirlink}"), 2, "is a folder"),
    C("image-under-a-file", gen(*I2V, "--image", "{text}/a.jpg"), 2, "Not a directory"),
    C(
        "image-unreadable",
        gen(*I2V, "--image", "{locked}"),
        2,
        "Permission denied",
        not_as_root=True,
    ),
    C("image-empty-value", gen(*I2V, "--image", ""), 2, "an empty image path was given"),
    C("image-blank-value", gen(*I2V, "--image", "   "), 2, "an empty image path was given"),
    C("tail-fifo", gen(*TAIL, "--tail-image", "{fifo}"), 2, "is a named pipe (FIFO)"),
    C("tail-dev-zero", gen(*TAIL, "--tail-image", "/dev/zero"), 2, "is a character device"),
    C(
        "tail-other-ratio",
        gen(*TAIL, "--tail-image", "{portrait}"),
        2,
        "both frames must have the same aspect ratio",
    ),
    C("tail-missing", gen(*TAIL, "--tail-image", "{tmp}/nope.png"), 2, "no file at"),
    # -- image URLs: only http(s), with a host -----------------------------------------------
    *[
        C(
            f"url-{scheme}",
            gen(*I2V, "--image", value),
            2,
            f"is a {scheme}: URL; only http(s) URLs or local files are accepted",
        )
        for scheme, value in (
            ("ftp", "ftp://example.com/a.jpg"),
            ("file", "file:///etc/passwd"),
            ("data", "data:image/png;base64,iVBORw0KGgo="),
            ("s3", "s3://bucket/frame.png"),
            ("gs", "gs://bucket/frame.png"),
            ("sftp", "sftp://host/a.jpg"),
            ("javascript", "javascript:alert(1)"),
            ("mailto", "mailto:a@example.com"),
            ("smb", "smb://server/share/a.jpg"),
        )
    ],
    C("url-ftp-uppercase", gen(*I2V, "--image", "FTP://example.com/a.jpg"), 2, "is a ftp: URL"),
    C("url-tail-ftp", gen(*TAIL, "--tail-image", "ftp://example.com/b.jpg"), 2, "is a ftp: URL"),
    C(
        "url-http-one-slash",
        gen(*I2V, "--image", "http:/example.com/a.jpg"),
        2,
        "is not a valid URL: write http://host/path",
    ),
    C(
        "url-https-no-slash",
        gen(*I2V, "--image", "https:example.com/a.jpg"),
        2,
        "is not a valid URL: write https://host/path",
    ),
    C("url-no-host", gen(*I2V, "--image", "https:///a.jpg"), 2, "is not a valid URL (it needs a"),
    C("url-only-scheme", gen(*I2V, "--image", "http://"), 2, "is not a valid URL (it needs a"),
    C(
        "url-with-space",
        gen(*I2V, "--image", "https://exa mple.com/a.jpg"),
        2,
        "is not a valid URL",
    ),
    # -- where the video goes -------------------------------------------------------------------
    C("output-txt", gen("-o", "{tmp}/x.txt"), 2, "the file name must end in .mp4 (e.g. x.mp4)"),
    C("output-no-extension", gen("-o", "{tmp}/clip"), 2, "must end in .mp4 (e.g. clip.mp4)"),
    C("output-part-suggestion", gen("-o", "{tmp}/clip.mp4.part"), 2, "(e.g. clip.mp4)"),
    C("output-hidden-suggestion", gen("-o", "{tmp}/.mp4"), 2, "(e.g. video.mp4)"),
    C("output-part", gen("-o", "{tmp}/clip.mp4.part"), 2, "must end in .mp4"),
    C("output-mov", gen("--output", "{tmp}/clip.mov"), 2, "must end in .mp4"),
    C("output-dot-mp4", gen("-o", "{tmp}/.mp4"), 2, "must end in .mp4"),
    C("output-folder", gen("-o", "{tmp}"), 2, "is a folder; give the file name"),
    C("output-exists", gen("-o", "{existing}"), 2, "the file exists and is never overwritten"),
    C("output-missing-folder", gen("-o", "{tmp}/no/such/x.mp4"), 2, "does not exist"),
    C("output-under-a-file", gen("-o", "{blocker}/x.mp4"), 2, "does not exist"),
    C("output-unwritable", gen("-o", "{readonly}/x.mp4"), 2, "is not writable", not_as_root=True),
    C("output-empty", gen("-o", ""), 2, "--output needs a file name ending in .mp4"),
    # -- config.toml: every value checked, with its line ----------------------------------------
    *[
        C(f"config-{name}", gen(), 2, message, config=text)
        for name, text, message in (
            ("duration-7", "[defaults]\nduration = 7\n", "defaults.duration = 7"),
            ("fps-60", "[defaults]\nfps = 60\n", "defaults.fps = 60"),
            ("mode", '[defaults]\nmode = "t2v_4k"\n', "defaults.mode = 't2v_4k'"),
            ("ratio", '[defaults]\naspect_ratio = "5:4"\n', "defaults.aspect_ratio = '5:4'"),
            ("strength", '[defaults]\ncamera_strength = "max"\n', "defaults.camera_strength"),
            ("camera", '[defaults]\ncamera_template = "zoom"\n', "defaults.camera_template"),
            ("duration-decimal", "[defaults]\nduration = 5.5\n", "defaults.duration = 5.5"),
            ("template-empty", '[defaults]\nfilename_template = ""\n', "must be a non-empty"),
            ("template-brace", '[defaults]\nfilename_template = "{date"\n', "unbalanced { }"),
            ("template-index", '[defaults]\nfilename_template = "{0}"\n', "not a plain name"),
            ("timeout-negative", "[network]\ntimeout = -5\n", "line 2, column 11"),
            ("timeout-text", '[network]\ntimeout = "slow"\n', "network.timeout = 'slow'"),
            ("poll-zero", "[network]\npoll_interval = 0\n", "network.poll_interval = 0"),
            ("attempts-zero", "[network]\nmax_poll_attempts = 0\n", "max_poll_attempts = 0"),
            ("concurrency-0", "[network]\nmax_concurrency = 0\n", "max_concurrency = 0"),
            ("concurrency-1000", "[network]\nmax_concurrency = 1000\n", "max_concurrency = 1000"),
            ("retries-negative", "[network]\nretries = -1\n", "network.retries = -1"),
            ("api-url-ftp", '[network]\napi_url = "ftp://x"\n', "network.api_url = 'ftp://x'"),
            ("api-url-word", '[network]\napi_url = "volcengine"\n', "network.api_url"),
            ("section-not-table", "defaults = 5\n", "is not a table"),
            ("access-key-number", "[credentials]\naccess_key = 5\n", "credentials.access_key"),
            ("secret-key-number", "[credentials]\nsecret_key = 5\n", "credentials.secret_key"),
            ("key-binding-number", "[keys]\ngenerate = 5\n", "is not a key name"),
        )
    ],
    C(
        "config-template-unknown-placeholder",
        gen(),
        2,
        "unknown placeholder {title} in '{date}_{title}'",
        config='[defaults]\nfilename_template = "{date}_{title}"\n',
    ),
    C(
        "config-template-capital-placeholder",
        gen(),
        2,
        "unknown placeholder {Date} in '{Date}_{slug}'",
        config='[defaults]\nfilename_template = "{Date}_{slug}"\n',
    ),
    C(
        "config-output-dir-under-a-file",
        gen(),
        2,
        "is a file, not a folder (the output folder, from output_dir in",
        config='[defaults]\noutput_dir = "{blocker}/videos"\n',
    ),
    C(
        "config-output-dir-is-a-file",
        gen(),
        2,
        "is a file, not a folder",
        config='[defaults]\noutput_dir = "{blocker}"\n',
    ),
    C(
        "config-output-dir-unwritable",
        gen(),
        2,
        "is not writable",
        not_as_root=True,
        config='[defaults]\noutput_dir = "{readonly}/videos"\n',
    ),
    *[
        C(f"env-{name}", gen(), 2, message, env={var: value})
        for name, var, value, message in (
            ("timeout-word", "JIMENG_VIDEO_API_TIMEOUT", "abc", "JIMENG_VIDEO_API_TIMEOUT='abc'"),
            ("timeout-negative", "JIMENG_VIDEO_API_TIMEOUT", "-1", "JIMENG_VIDEO_API_TIMEOUT"),
            ("poll-zero", "JIMENG_VIDEO_POLL_INTERVAL", "0", "JIMENG_VIDEO_POLL_INTERVAL='0'"),
            ("attempts-word", "JIMENG_VIDEO_MAX_POLL_ATTEMPTS", "x", "MAX_POLL_ATTEMPTS='x'"),
            ("api-url-ftp", "JIMENG_VIDEO_API_URL", "ftp://x", "JIMENG_VIDEO_API_URL='ftp://x'"),
        )
    ],
    # -- batch files: the file, then every line --------------------------------------------------
    C("batch-missing", ["batch", "{tmp}/nope.jsonl"], 2, "nope.jsonl: no such file"),
    C("batch-folder", ["batch", "{tmp}"], 2, "is a folder; give the batch file"),
    C("batch-fifo", ["batch", "{fifo}"], 2, "is a named pipe (FIFO), not a batch file"),
    C("batch-dev-zero", ["batch", "/dev/zero"], 2, "is a character device, not a batch file"),
    C("batch-over-64mb", ["batch", "{big}"], 2, "is 70.0 MB; a batch file may be at most 64.0 MB"),
    C("batch-symlink-loop", ["batch", "{loop}"], 2, "Too many levels of symbolic links"),
    C("batch-unreadable", ["batch", "{locked}"], 2, "Permission denied", not_as_root=True),
    B("batch-empty", "", 2, "is empty"),
    B("batch-only-comments", "# nothing\n\n# here\n", 2, "holds no requests"),
    B("batch-not-utf8", "\udcff\udcfe", 2, "is not UTF-8 text"),
    B("batch-bad-json", '{"prompt": "a",}\n', 2, "line 1: not valid JSON"),
    B("batch-json-array", '["a", "b"]\n', 2, "line 1: not a JSON object"),
    B("batch-json-number", "42\n", 2, "line 1: not a JSON object"),
    B("batch-unknown-field", '{"prompt": "a", "lenght": 5}\n', 2, "unknown field 'lenght'"),
    B(
        "batch-field-twice",
        '{"prompt": "a", "image": "x.jpg", "first_image": "y.jpg"}\n',
        2,
        "given twice",
    ),
    B("batch-duration-7", '{"prompt": "a", "duration": 7}\n', 2, "line 1: duration: 7 s is not"),
    B("batch-duration-word", '{"prompt": "a", "duration": "five"}\n', 2, "'five' is not a whole"),
    B("batch-duration-bool", '{"prompt": "a", "duration": true}\n', 2, "true is not a whole"),
    B("batch-duration-decimal", '{"prompt": "a", "duration": 5.5}\n', 2, "5.5 is not a whole"),
    B("batch-fps-60", '{"prompt": "a", "fps": 60}\n', 2, "fps: 60 fps is not offered"),
    B(
        "batch-mode-bad",
        '{"prompt": "a", "mode": "t2v_4k"}\n',
        2,
        "mode: 't2v_4k' is not a known model",
    ),
    B("batch-mode-number", '{"prompt": "a", "mode": 5}\n', 2, "5 is not text"),
    B("batch-prompt-missing", '{"duration": 5}\n', 2, "mode t2v_720p needs a prompt"),
    B("batch-prompt-number", '{"prompt": 5}\n', 2, "5 is not text; write it in quotes"),
    B("batch-prompt-801", '{"prompt": "' + "a" * 801 + '"}\n', 2, "801 characters"),
    B("batch-ratio-bad", '{"prompt": "a", "ratio": "5:4"}\n', 2, "'5:4' is not offered"),
    B("batch-seed-big", '{"prompt": "a", "seed": 4294967296}\n', 2, "is out of range"),
    B("batch-seed-word", '{"prompt": "a", "seed": "lucky"}\n', 2, "'lucky' is not a whole"),
    B(
        "batch-camera-t2v",
        '{"prompt": "a", "camera_template": "hitchcock"}\n',
        2,
        "only mode i2v_recamera_720p takes a camera move",
    ),
    B(
        "batch-i2v-no-image",
        '{"prompt": "a", "mode": "i2v_first_720p"}\n',
        2,
        "takes exactly one first-frame image",
    ),
    B(
        "batch-image-missing",
        '{"prompt": "a", "mode": "i2v_first_720p", "image": "no.jpg"}\n',
        2,
        "no file at",
    ),
    B(
        "batch-image-fifo",
        '{"prompt": "a", "mode": "i2v_first_720p", "image": "{fifo}"}\n',
        2,
        "is a named pipe (FIFO)",
    ),
    B(
        "batch-image-dev-zero",
        '{"prompt": "a", "mode": "i2v_first_720p", "image": "/dev/zero"}\n',
        2,
        "is a character device",
    ),
    B(
        "batch-image-ftp",
        '{"prompt": "a", "mode": "i2v_first_720p", "image": "ftp://example.com/a.jpg"}\n',
        2,
        "is a ftp: URL; only http(s) URLs or local files are accepted",
    ),
    B(
        "batch-image-folder",
        '{"prompt": "a", "mode": "i2v_first_720p", "image": "{folder}"}\n',
        2,
        "is a folder",
    ),
    B(
        "batch-image-text",
        '{"prompt": "a", "mode": "i2v_first_720p", "image": "{text}"}\n',
        2,
        "is not an image that can be read",
    ),
    B(
        "batch-image-empty",
        '{"prompt": "a", "mode": "i2v_first_720p", "image": " "}\n',
        2,
        "takes exactly one first-frame image",
    ),
    B(
        "batch-one-bad-line-of-three",
        '"a cat"\n{"prompt": "b", "fps": 61}\n"c"\n',
        2,
        "1 of 3 lines are not valid; nothing was submitted",
    ),
    B(
        "batch-csv-unknown-column",
        "prompt,length\na,5\n",
        2,
        "unknown column 'length'",
        name="lines.csv",
    ),
    B(
        "batch-csv-too-many-cells",
        "prompt,duration\na,5,6\n",
        2,
        "3 values for the 2 columns",
        name="lines.csv",
    ),
    B(
        "batch-csv-bad-duration",
        "prompt,duration\na,7\n",
        2,
        "duration: 7 s is not offered",
        name="lines.csv",
    ),
    B("batch-csv-header-only", "prompt,duration\n", 2, "holds no requests", name="lines.csv"),
    B(
        "batch-again-and-retry",
        '"a"\n',
        2,
        "--again already submits every line",
        "--again",
        "--retry-failed",
    ),
    B("batch-output-dir-file", '"a"\n', 2, "is a file, not a folder", "--output-dir", "{blocker}"),
    B(
        "batch-output-dir-no-parent",
        '"a"\n',
        2,
        "does not exist",
        "--output-dir",
        "{tmp}/no/such/dir",
    ),
    B(
        "batch-output-dir-unwritable",
        '"a"\n',
        2,
        "is not writable",
        "--output-dir",
        "{readonly}/out",
        not_as_root=True,
    ),
    B(
        "batch-config-bad-template",
        '"a"\n"b"\n',
        2,
        "unknown placeholder {title}",
        config='[defaults]\nfilename_template = "{title}"\n',
    ),
    B(
        "batch-config-output-dir-under-file",
        '"a"\n',
        2,
        "is a file, not a folder",
        config='[defaults]\noutput_dir = "{blocker}/v"\n',
    ),
    B("batch-unknown-option", '"a"\n', 2, "unrecognized arguments: --parallel", "--parallel"),
    C("batch-no-file-argument", ["batch"], 2, "the following arguments are required: FILE"),
    # -- status, wait ----------------------------------------------------------------------------
    C("status-no-id", ["status"], 2, "the following arguments are required: TASK_ID"),
    C("status-word-id", ["status", "abc"], 2, "'abc' is not a task id"),
    C("status-id-with-space", ["status", "12 34"], 2, "'12 34' is not a task id"),
    C("status-hex-id", ["status", "0x1f"], 2, "'0x1f' is not a task id"),
    C("status-empty-id", ["status", ""], 2, "'' is not a task id"),
    C(
        "status-not-in-history",
        ["status", "7392616336519610409"],
        2,
        "is not in the history; give --mode",
    ),
    C("status-bad-mode", ["status", "1", "--mode", "x"], 2, "invalid choice: 'x'"),
    C(
        "status-unknown-task",
        ["status", "7392616336519610409", "--mode", "t2v_720p"],
        1,
        "the service does not know this task",
    ),
    C("status-unknown-option", ["status", "1", "--wait"], 2, "unrecognized arguments: --wait"),
    C("wait-no-id", ["wait"], 2, "the following arguments are required: TASK_ID"),
    C("wait-word-id", ["wait", "soon"], 2, "'soon' is not a task id"),
    C("wait-not-in-history", ["wait", "7392616336519610409"], 2, "give --mode"),
    C(
        "wait-unknown-task",
        ["wait", "7392616336519610409", "--mode", "t2v_720p"],
        1,
        "nothing was added to the history",
    ),
    C("wait-output-txt", ["wait", "1", "-o", "{tmp}/x.txt"], 2, "must end in .mp4"),
    C("wait-output-exists", ["wait", "1", "-o", "{existing}"], 2, "is never overwritten"),
    C("wait-bad-mode", ["wait", "1", "--mode", "t2v"], 2, "invalid choice: 't2v'"),
    # -- resume, locate, doctor, sandbox ---------------------------------------------------------
    C(
        "resume-queued-with-a-bad-template",
        ["resume"],
        2,
        "unknown placeholder {title}",
        setup="queued_job",
        config='[defaults]\nfilename_template = "{title}"\n',
    ),
    C("resume-extra-argument", ["resume", "7392616336519610409"], 2, "unrecognized arguments"),
    C("resume-unknown-option", ["resume", "--all"], 2, "unrecognized arguments: --all"),
    C("locate-extra-argument", ["locate", "config"], 2, "unrecognized arguments: config"),
    C("locate-unknown-option", ["locate", "--yaml"], 2, "unrecognized arguments: --yaml"),
    C("doctor-unknown-option", ["doctor", "--fix"], 2, "unrecognized arguments: --fix"),
    C("doctor-extra-argument", ["doctor", "history.sqlite3"], 2, "unrecognized arguments"),
    C(
        "doctor-damaged",
        ["doctor"],
        1,
        "is damaged; SQLite's integrity check found:",
        setup="damaged",
    ),
    C(
        "doctor-history-is-a-folder",
        ["doctor"],
        1,
        "is a folder, not a history file",
        setup="history_folder",
    ),
    C("sandbox-port-word", ["sandbox", "--port", "http"], 2, "'http' is not a port number"),
    C("sandbox-port-big", ["sandbox", "--port", "70000"], 2, "70000 is not a port"),
    C("sandbox-speed-zero", ["sandbox", "--speed", "0"], 2, "must be greater than 0"),
    C("sandbox-speed-word", ["sandbox", "--speed", "fast"], 2, "'fast' is not a number"),
    C("sandbox-qps-negative", ["sandbox", "--qps=-1"], 2, "must be greater than 0"),
    C("sandbox-concurrency-0", ["sandbox", "--max-concurrency", "0"], 2, "must be at least 1"),
    C("sandbox-unknown-option", ["sandbox", "--tls"], 2, "unrecognized arguments: --tls"),
    # -- history ---------------------------------------------------------------------------------
    C("history-limit-0", ["history", "--limit", "0"], 2, "0 must be at least 1"),
    C("history-limit-negative", ["history", "--limit=-3"], 2, "-3 must be at least 1"),
    C("history-limit-word", ["history", "--limit", "all"], 2, "'all' is not a whole number"),
    C("history-since-words", ["history", "--since", "last week"], 2, "not a date"),
    C("history-until-bad-date", ["history", "--until", "2026-13-45"], 2, "not a date"),
    C(
        "history-since-after-until",
        ["history", "--since", "2026-02-01", "--until", "2026-01-01"],
        2,
        "is not before --until",
    ),
    C("history-status-bad", ["history", "--status", "lost"], 2, "invalid choice: 'lost'"),
    C("history-mode-bad", ["history", "--mode", "t2v"], 2, "'t2v' is not a known model"),
    C("history-order-bad", ["history", "--order", "random"], 2, "invalid choice: 'random'"),
    C(
        "history-export-txt",
        ["history", "--export", "{tmp}/rows.txt"],
        2,
        "must end in .json or .csv",
    ),
    C("history-export-exists", ["history", "--export", "{existing_json}"], 2, "exists"),
    C(
        "history-export-no-folder",
        ["history", "--export", "{tmp}/no/rows.csv"],
        2,
        "does not exist",
    ),
    C(
        "history-export-under-file",
        ["history", "--export", "{blocker}/rows.csv"],
        2,
        "does not exist",
    ),
    # -- the history file: damaged, a full disk, not a file --------------------------------------
    *[
        C(
            f"damaged-{'-'.join(a.strip('{}-') for a in args[:2] if not a[0].isdigit())}",
            args,
            1,
            "is not a usable history database: it is damaged",
            setup="damaged",
        )
        for args in (
            ["history"],
            ["history", "--search", "kite"],
            ["generate", "A red kite"],
            ["resume"],
            ["wait", "7392616336519600000"],
            ["status", "7392616336519600000"],
            ["batch", "{good_batch}"],
        )
    ],
    C(
        "damaged-sandbox-history",
        ["history", "--sandbox"],
        1,
        "jimeng-tui doctor --sandbox",
        setup="damaged_sandbox",
    ),
    C("not-a-database", ["history"], 1, "file is not a database", setup="junk_history"),
    *[
        C(f"disk-full-{args[0]}-{setup}", args, 1, "the disk holding", setup=setup)
        for args, setup in (
            (["generate", "A red kite"], "full_writes"),
            (["batch", "{good_batch}"], "full_writes"),
            (["history"], "full_at_open"),
            (["resume"], "full_at_open"),
            (["generate", "A red kite"], "full_at_open"),
        )
    ],
    C("history-is-a-folder", ["history"], 1, "history.sqlite3", setup="history_folder"),
    C("home-under-a-file", gen(), 1, "Not a directory", env={"JIMENG_TUI_HOME": "{blocker}/h"}),
    C(
        "config-is-a-fifo",
        ["wait", "7392616336519610409", "--mode", "t2v_720p"],
        1,
        "config.toml is a named pipe (FIFO), not a regular file",
        setup="config_fifo",
    ),
]


# -- the input files, made once ---------------------------------------------------------------


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims ``width``×``height`` (RGB) and holds no pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("bad-inputs")
    good = make_image(folder / "good.jpg", (1280, 720))
    make_image(folder / "portrait.png", (720, 1280), "PNG")
    tiny = make_image(folder / "tiny.png", (100, 100), "PNG")
    wide = make_image(folder / "wide.jpg", (4000, 1000))
    (folder / "text.jpg").write_text("not an image\n", encoding="utf-8")
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "truncated.jpg").write_bytes(good.read_bytes()[:2000])
    (folder / "doc.jpg").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    (folder / "vector.png").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', "utf-8")
    (folder / "packed.jpg").write_bytes(gzip.compress(good.read_bytes()))
    (folder / "claims.png").write_bytes(_png_header(10_000, 9_000))
    (folder / "bomb.png").write_bytes(_png_header(30_000, 30_000))
    with open(folder / "big.jpg", "wb") as f:
        f.truncate(70 * 1000 * 1000)  # sparse: nothing is written
    os.mkfifo(folder / "fifo.jpg")
    (folder / "loop.jpg").symlink_to(folder / "loop.jpg")
    (folder / "dangling.jpg").symlink_to(folder / "gone.jpg")
    (folder / "a-folder.jpg").mkdir()
    (folder / "dirlink.jpg").symlink_to(folder / "a-folder.jpg")
    locked = folder / "locked.jpg"
    locked.write_bytes(good.read_bytes())
    locked.chmod(0)
    readonly = folder / "readonly"
    readonly.mkdir(mode=0o555)
    (folder / "good.jsonl").write_text('"A red kite over the sea"\n', encoding="utf-8")
    names = {
        "good": good,
        "portrait": folder / "portrait.png",
        "tiny": tiny,
        "wide": wide,
        "text": folder / "text.jpg",
        "empty": folder / "empty.jpg",
        "truncated": folder / "truncated.jpg",
        "pdf": folder / "doc.jpg",
        "svg": folder / "vector.png",
        "gz": folder / "packed.jpg",
        "claims": folder / "claims.png",
        "bomb": folder / "bomb.png",
        "big": folder / "big.jpg",
        "fifo": folder / "fifo.jpg",
        "loop": folder / "loop.jpg",
        "dangling": folder / "dangling.jpg",
        "folder": folder / "a-folder.jpg",
        "dirlink": folder / "dirlink.jpg",
        "locked": locked,
        "readonly": readonly,
        "good_batch": folder / "good.jsonl",
    }
    return {key: str(path) for key, path in names.items()}


@pytest.fixture(scope="module")
def service(sandbox_clip_cache, tmp_path_factory):
    """One sandbox for the module, over a real socket; cases compare its submits before/after."""
    from jimeng_tui.sandbox.options import SandboxOptions
    from jimeng_tui.sandbox.server import SandboxServer

    log = tmp_path_factory.mktemp("bad-inputs-log") / "requests.jsonl"
    server = SandboxServer(
        SandboxOptions(speed=10.0, cache_dir=sandbox_clip_cache, request_log=log), port=0
    ).start()
    yield server
    server.stop()


# -- setups that need more than a file ----------------------------------------------------------


def _damaged(path: Path, monkeypatch) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    make_history(path)
    damage(path)


SETUPS = {
    "damaged": lambda mp: _damaged(app_paths().history_db, mp),
    "damaged_sandbox": lambda mp: _damaged(app_paths().sandbox_history_db, mp),
    "junk_history": lambda mp: _write(app_paths().history_db, b"not sqlite at all " * 300),
    "history_folder": lambda mp: app_paths().history_db.mkdir(parents=True),
    "full_writes": lambda mp: full_disk(mp),
    "full_at_open": lambda mp: (_history(), full_disk(mp, at_open=True)),
    "config_fifo": lambda mp: _fifo(app_paths().config_file),
    "queued_job": lambda mp: _history(),  # its newest job is queued: resume would send it
}


def _history() -> None:
    path = app_paths().history_db
    path.parent.mkdir(parents=True, exist_ok=True)
    make_history(path, count=12)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _fifo(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)


# -- the test -------------------------------------------------------------------------------------


def test_the_table_has_at_least_150_cases():
    assert len(CASES) >= 150, len(CASES)
    assert len({c.id for c in CASES}) == len(CASES), "case ids are unique"


def _row_count() -> int | None:
    """Job rows in the history; None when it cannot be read (damaged or full on purpose)."""
    db = app_paths().history_db
    if not db.is_file():
        return 0
    try:
        history = History(db)
        try:
            return len(history.query(HistoryQuery(limit=None)))
        finally:
            history.close()
    except Exception:
        return None


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, inputs, service, tmp_path, monkeypatch, capsys):
    if case.not_as_root and ROOT:
        pytest.skip("root reads and writes everything")
    blocker = tmp_path / "a-file"
    blocker.write_text("a file where a folder is expected", encoding="utf-8")
    kept = files_never_overwritten(tmp_path)
    existing = kept["existing"]
    values = {
        **inputs,
        **{k: str(v) for k, v in kept.items()},
        "tmp": str(tmp_path),
        "blocker": str(blocker),
        "batch": str(tmp_path / case.batch_name),
    }

    def fill(text: str) -> str:
        for key, value in values.items():
            text = text.replace("{" + key + "}", value)
        return text

    env = {
        "VOLC_ACCESSKEY": service.options.access_key,
        "VOLC_SECRETKEY": service.options.secret_key,
        "JIMENG_VIDEO_API_URL": service.base_url,
        "JIMENG_VIDEO_POLL_INTERVAL": "0.2",
        "COLUMNS": "200",
        **case.env,
    }
    for key, value in env.items():
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, fill(value))
    if case.config is not None:
        _write(app_paths().config_file, fill(case.config).encode("utf-8"))
    if case.batch is not None:
        Path(values["batch"]).write_bytes(fill(case.batch).encode("utf-8", "surrogateescape"))
    if case.setup:
        SETUPS[case.setup](monkeypatch)
    submits = len(service.submitted_bodies())
    rows = _row_count()

    try:
        code = main([fill(a) for a in case.args])
    except SystemExit as exc:  # argparse
        code = exc.code
    out, err = capsys.readouterr()

    shown = f"$ jimeng-tui {' '.join(case.args)}\n-> {code}\n--- stdout\n{out}--- stderr\n{err}"
    assert code == case.exit, shown
    assert "Traceback" not in out + err, shown
    assert fill(case.message) in " ".join(err.split()), shown
    assert "error:" in err, shown
    assert len(service.submitted_bodies()) == submits, f"something was sent\n{shown}"
    assert service.options.secret_key not in out + err
    assert existing.read_bytes() == b"keep me"
    if case.exit == 2:
        assert _row_count() == rows, f"a usage error left a job row\n{shown}"
