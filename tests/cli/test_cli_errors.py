"""Bad inputs: each gives a specific one-line message, the right exit code, no traceback, and leaves
the history right (no row for an input error; a failed row for a service refusal)."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cli_support import files_never_overwritten, history_jobs

from jimeng_tui.domain.job import JobState
from jimeng_tui.store.paths import app_paths

LONG_PROMPT = "a" * 801


@dataclass
class Case:
    id: str
    args: list[str]
    exit: int
    message: list[str]  # substrings of stderr
    history: str | int | None = None  # None: no row; "failed": a failed row; an int: its code
    env: dict[str, str | None] = field(default_factory=dict)
    setup: str | None = None  # a name in SETUPS


def _closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _write_config(text: str) -> Path:
    path = app_paths().config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


SETUPS = {
    "invalid_config": lambda: _write_config("[defaults]\nduration = 7\n"),
}

CASES = [
    # -- argparse: choices and types -------------------------------------------------------
    Case("unknown-mode", ["generate", "cat", "--mode", "t2v_4k"], 2, ["invalid choice: 't2v_4k'"]),
    Case(
        "duration-7",
        ["generate", "cat", "--duration", "7"],
        2,
        ["--duration", "7 s is not offered"],
    ),
    Case("fps-60", ["generate", "cat", "--fps", "60"], 2, ["--fps", "60 fps is not offered"]),
    Case("seed-not-int", ["generate", "cat", "--seed", "abc"], 2, ["--seed", "invalid int value"]),
    Case(
        "bad-aspect-ratio",
        ["generate", "cat", "--aspect-ratio", "5:4"],
        2,
        ["--aspect-ratio", "'5:4' is not offered"],
    ),
    Case(
        "bad-camera-template",
        ["generate", "cat", "--mode", "i2v_recamera_720p", "--camera-template", "zoom"],
        2,
        ["invalid choice: 'zoom'"],
    ),
    Case("unknown-command", ["render", "cat"], 2, ["invalid choice: 'render'"]),
    Case("history-bad-limit", ["history", "--limit", "0"], 2, ["--limit", "must be at least 1"]),
    # -- the request (GenerationRequest.validate) ------------------------------------------
    Case(
        "i2v-without-image",
        ["generate", "cat", "--mode", "i2v_first_720p"],
        2,
        ["--image: mode i2v_first_720p takes exactly one first-frame image, but no image"],
    ),
    Case(
        "tail-image-for-t2v",
        ["generate", "cat", "--image", "{landscape}", "--tail-image", "{landscape_png}"],
        2,
        ["--tail-image: mode t2v_720p takes no image, but two images"],
    ),
    Case(
        "tail-without-first",
        ["generate", "cat", "--mode", "i2v_first_tail_720p", "--tail-image", "{landscape}"],
        2,
        ["a last frame needs a first frame too"],
    ),
    Case(
        "tail-image-for-first-frame-mode",
        [
            "generate",
            "cat",
            "--mode",
            "i2v_first_1080p",
            "--image",
            "{landscape}",
            "--tail-image",
            "{landscape_png}",
        ],
        2,
        ["--tail-image: mode i2v_first_1080p takes exactly one first-frame image"],
    ),
    Case(
        "first-tail-with-one-image",
        ["generate", "cat", "--mode", "i2v_first_tail_1080p", "--image", "{landscape}"],
        2,
        ["takes a first and a last frame image, but one image was given"],
    ),
    Case(
        "prompt-over-800", ["generate", LONG_PROMPT], 2, ["prompt: 801 characters", "at most 800"]
    ),
    Case("empty-prompt", ["generate", "   "], 2, ["prompt: mode t2v_720p needs a prompt"]),
    Case("no-prompt", ["generate"], 2, ["prompt: mode t2v_720p needs a prompt"]),
    Case(
        "seed-out-of-range",
        ["generate", "cat", "--seed", "-5"],
        2,
        ["seed: -5 is out of range", "-1 (random)"],
    ),
    Case(
        "camera-template-without-recamera",
        ["generate", "cat", "--camera-template", "robo_arm"],
        2,
        ["--camera-template: only mode i2v_recamera_720p takes a camera move"],
    ),
    Case(
        "camera-strength-without-recamera",
        ["generate", "cat", "--camera-strength", "weak"],
        2,
        ["--camera-strength: only mode i2v_recamera_720p takes a camera move"],
    ),
    Case(
        "recamera-without-template",
        ["generate", "cat", "--mode", "i2v_recamera_720p", "--image", "{landscape}"],
        2,
        ["--camera-template: mode i2v_recamera_720p needs a camera template", "robo_arm"],
    ),
    Case(
        "aspect-ratio-for-i2v",
        [
            "generate",
            "cat",
            "--mode",
            "i2v_first_720p",
            "--image",
            "{landscape}",
            "--aspect-ratio",
            "1:1",
        ],
        2,
        ["--aspect-ratio: mode i2v_first_720p takes no aspect ratio"],
    ),
    Case(
        "aspect-ratio-for-pro-with-image",
        [
            "generate",
            "cat",
            "--mode",
            "ti2v_pro",
            "--image",
            "{landscape}",
            "--aspect-ratio",
            "1:1",
        ],
        2,
        ["--aspect-ratio: mode ti2v_pro takes no aspect ratio"],
    ),
    # -- images (api/images.py preflight) --------------------------------------------------
    Case(
        "missing-image-file",
        ["generate", "cat", "--mode", "i2v_first_720p", "--image", "{tmp}/nope.jpg"],
        2,
        ["first_image: no file at", "nope.jpg"],
    ),
    Case(
        "text-file-as-image",
        ["generate", "cat", "--mode", "i2v_first_720p", "--image", "{text}"],
        2,
        ["first_image:", "notes.jpg", "is not an image"],
    ),
    Case(
        "image-100x100",
        ["generate", "cat", "--mode", "i2v_first_720p", "--image", "{tiny}"],
        2,
        ["first_image:", "100×100", "320"],
    ),
    Case(
        "image-4000x1000",
        ["generate", "cat", "--mode", "i2v_first_720p", "--image", "{wide}"],
        2,
        ["first_image:", "4000×1000"],
    ),
    Case(
        "first-and-last-differ-in-shape",
        [
            "generate",
            "cat",
            "--mode",
            "i2v_first_tail_720p",
            "--image",
            "{landscape}",
            "--tail-image",
            "{portrait}",
        ],
        2,
        ["last_image:"],
    ),
    Case(
        "image-url-not-found",
        [
            "generate",
            "cat",
            "--mode",
            "i2v_first_720p",
            "--image",
            "{base}/samples/missing.jpg",
            "--tail-image",
            "{landscape}",
        ],
        2,
        ["--tail-image"],
    ),
    Case(
        "image-url-404-rejected-by-service",
        ["generate", "cat", "--mode", "i2v_first_720p", "--image", "{base}/samples/missing.jpg"],
        1,
        ["50215", "could not be downloaded", "no task was created"],
        history=50215,
    ),
    # -- output ----------------------------------------------------------------------------
    Case(
        "output-exists",
        ["generate", "cat", "--output", "{existing}"],
        2,
        ["--output", "the file exists and is never overwritten"],
    ),
    Case(
        "output-missing-dir",
        ["generate", "cat", "--output", "{tmp}/no/such/dir/x.mp4"],
        2,
        ["--output", "does not exist"],
    ),
    Case("output-is-folder", ["generate", "cat", "--output", "{tmp}"], 2, ["is a folder"]),
    Case(
        "no-wait-with-sandbox",
        ["generate", "cat", "--no-wait", "--sandbox"],
        2,
        ["--no-wait cannot be used with --sandbox"],
    ),
    # -- configuration and environment -----------------------------------------------------
    Case(
        "no-credentials",
        ["generate", "cat"],
        2,
        ["no credentials", "VOLC_ACCESSKEY", "VOLC_SECRETKEY"],
        env={"VOLC_ACCESSKEY": None, "VOLC_SECRETKEY": None},
    ),
    Case(
        "bad-api-timeout-env",
        ["generate", "cat"],
        2,
        ["JIMENG_VIDEO_API_TIMEOUT", "'abc'"],
        env={"JIMENG_VIDEO_API_TIMEOUT": "abc"},
    ),
    Case(
        "bad-poll-interval-env",
        ["generate", "cat"],
        2,
        ["JIMENG_VIDEO_POLL_INTERVAL"],
        env={"JIMENG_VIDEO_POLL_INTERVAL": "-1"},
    ),
    Case(
        "bad-api-url-env",
        ["generate", "cat"],
        2,
        ["JIMENG_VIDEO_API_URL"],
        env={"JIMENG_VIDEO_API_URL": "ftp://example.com"},
    ),
    Case(
        "invalid-config-value",
        ["generate", "cat"],
        2,
        ["duration", "line 2"],
        setup="invalid_config",
    ),
    # -- the service refuses ---------------------------------------------------------------
    Case(
        "wrong-secret-key",
        ["generate", "cat"],
        1,
        ["SignatureDoesNotMatch", "no task was created"],
        history=100010,
        env={"VOLC_SECRETKEY": "not-the-secret"},
    ),
    Case(
        "unknown-access-key",
        ["generate", "cat"],
        1,
        ["InvalidAccessKey"],
        history=100009,
        env={"VOLC_ACCESSKEY": "AKUNKNOWN0000"},
    ),
    Case(
        "unreachable-url",
        ["generate", "cat"],
        1,
        ["could not reach the service", "the request was not sent"],
        history="failed",
        env={"JIMENG_VIDEO_API_URL": "{closed}"},
    ),
    Case(
        "rejected-prompt-50412",
        ["generate", "a sandbox-reject scene"],
        1,
        ["generation failed: 50412 Text Risk Not Pass", "no task was created", "reword"],
        history=50412,
    ),
    Case(
        "copyright-prompt-50413",
        ["generate", "a sandbox-copyright scene"],
        1,
        ["50413 Post Text Risk Not Pass"],
        history=50413,
    ),
    Case(
        "video-review-50516-at-finish",
        ["generate", "a sandbox-video-reject scene"],
        1,
        ["50516 Post Video Risk Not Pass", "(task "],
        history=50516,
    ),
    Case(
        "risky-image-50411",
        [
            "generate",
            "cat",
            "--mode",
            "i2v_first_720p",
            "--image",
            "{base}/samples/landscape.jpg?sandbox-risk",
        ],
        1,
        ["50411"],
        history=50411,
    ),
    # -- status / wait / history -----------------------------------------------------------
    Case(
        "status-unknown-task",
        ["status", "7392616336519610409"],
        2,
        ["task 7392616336519610409 is not in the history; give --mode"],
    ),
    Case(
        "status-unknown-task-with-mode",
        ["status", "7392616336519610409", "--mode", "t2v_720p"],
        1,
        ["the service does not know this task"],
    ),
    Case("status-bad-task-id", ["status", "abc"], 2, ["'abc' is not a task id"]),
    Case(
        "wait-unknown-task-without-mode",
        ["wait", "7392616336519610409"],
        2,
        ["is not in the history; give --mode"],
    ),
    Case(
        "wait-unknown-task-with-mode",
        ["wait", "7392616336519610409", "--mode", "t2v_1080p"],
        1,
        ["not_found", "nothing was added to the history"],
    ),
    Case(
        "history-export-exists",
        ["history", "--export", "{existing_json}"],
        2,
        ["--export", "the file exists and is never overwritten"],
    ),
    Case(
        "history-export-bad-extension",
        ["history", "--export", "{tmp}/rows.txt"],
        2,
        ["must end in .json or .csv"],
    ),
    Case("history-bad-since", ["history", "--since", "last tuesday"], 2, ["--since", "not a date"]),
    Case(
        "history-since-after-until",
        ["history", "--since", "2026-02-01", "--until", "2026-01-01"],
        2,
        ["is not before --until"],
    ),
    Case("history-bad-status", ["history", "--status", "lost"], 2, ["invalid choice: 'lost'"]),
]


def test_at_least_thirty_bad_inputs():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, cli, sandbox_server, images, tmp_path):
    kept = files_never_overwritten(tmp_path)
    existing = kept["existing"]
    values = {
        **{k: str(v) for k, v in images.items()},
        **{k: str(v) for k, v in kept.items()},
        "tmp": str(tmp_path),
        "base": sandbox_server.base_url,
        "closed": _closed_port(),
    }
    if case.setup:
        SETUPS[case.setup]()
    args = [a.format(**values) for a in case.args]
    env = {k: (v.format(**values) if v else v) for k, v in case.env.items()}
    result = cli(*args, **env)

    assert result.returncode == case.exit, result
    assert "Traceback" not in result.stderr, result
    for text in case.message:
        assert text in result.stderr, result
    error_lines = [line for line in result.stderr.splitlines() if "error:" in line]
    assert error_lines, result
    assert error_lines[-1].startswith("jimeng-tui: error: ") or "usage:" in result.stderr
    assert sandbox_server.options.secret_key not in result.stderr + result.stdout
    assert existing.read_bytes() == b"keep me"  # nothing overwritten

    jobs = history_jobs()
    if case.history is None:
        assert jobs == [], f"an input error left rows: {jobs}"
        assert sandbox_server.submitted_bodies() == []
    else:
        assert len(jobs) == 1, jobs
        job = jobs[0]
        assert job.state is JobState.FAILED, job
        if isinstance(case.history, int):
            assert job.error_code == case.history
    # whatever happened, no job is left half-way
    assert all(j.is_final for j in jobs), jobs


def test_broken_config_file_is_moved_aside_and_the_run_continues(cli):
    path = app_paths().config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[defaults\nduration = = 5\n", encoding="utf-8")
    result = cli("generate", "A cat on a sofa")
    assert result.returncode == 0, result
    assert "Traceback" not in result.stderr
    assert "warning:" in result.stderr and "line 1" in result.stderr
    moved = [p for p in path.parent.iterdir() if p.name.startswith("config.toml.broken-")]
    assert len(moved) == 1
    assert moved[0].read_text(encoding="utf-8") == "[defaults\nduration = = 5\n"
    assert result.stdout.startswith("**Generated Video:**\n")


def test_unwritable_output_folder(cli, tmp_path):
    import os

    if os.geteuid() == 0:
        pytest.skip("root can write anywhere")
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o555)
    result = cli("generate", "cat", "--output", str(folder / "x.mp4"))
    assert result.returncode == 2, result
    assert "is not writable" in result.stderr
    assert history_jobs() == []


def test_history_export_into_a_missing_folder(cli, tmp_path):
    result = cli("history", "--export", str(tmp_path / "missing" / "rows.csv"))
    assert result.returncode == 2, result
    assert "does not exist" in result.stderr


def test_home_that_is_not_a_folder(cli, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    result = cli("generate", "cat", JIMENG_TUI_HOME=str(blocker / "home"))
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("jimeng-tui: error: ") and "Not a directory" in result.stderr


def test_damaged_history_database(cli):
    db = app_paths().history_db
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(b"this is not sqlite" * 100)
    for args in (["history"], ["generate", "cat"], ["resume"]):
        result = cli(*args)
        assert result.returncode == 1, result
        assert "Traceback" not in result.stderr
        assert "is not a usable history database" in result.stderr
    assert db.read_bytes() == b"this is not sqlite" * 100  # left for the user to inspect
