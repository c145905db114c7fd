"""`jimeng-tui generate` end to end: the installed command against a sandbox over a real socket."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import history_jobs, run_cli

from jimeng_tui.domain.job import JobState
from jimeng_tui.jobs.media import probe
from jimeng_tui.services.jimeng import catalog


def _number(value: float) -> str:
    rounded = round(value)
    return str(rounded) if abs(value - rounded) < 0.05 else f"{value:.2f}"


def expected_block(prompt: str, mode: str, path: Path, video_url: str) -> str:
    """The original skill's block, with what the saved file really contains."""
    info = probe(path)
    return (
        "**Generated Video:**\n"
        f"[Download Video]({video_url})\n"
        "**Generation Info:**\n"
        f"- Prompt: {prompt}\n"
        f"- Duration: {_number(info.duration_s)} seconds\n"
        f"- Mode: {mode}\n"
        f"- FPS: {_number(info.fps)}\n"
        f"- Save Path: {path}\n"
    )


def _only_job():
    jobs = history_jobs()
    assert len(jobs) == 1, jobs
    return jobs[0]


def _check_saved(result, prompt: str, mode: str):
    assert result.returncode == 0, result
    assert "Traceback" not in result.stderr
    job = _only_job()
    assert job.state is JobState.SAVED
    path = Path(job.path)
    assert path.is_absolute() and path.exists()
    assert result.stdout == expected_block(prompt, mode, path, job.video_url)
    return job, path


# Each mode with its inputs; "url:NAME" is a sample image served by the sandbox.
MODE_CASES = [
    ("t2v_720p", "A golden retriever in sunflowers", [], ["--aspect-ratio", "9:16"]),
    ("t2v_1080p", "Rain on a neon street at night", [], ["--duration", "10"]),
    ("ti2v_pro", "", ["--image", "url:landscape.jpg"], []),
    ("i2v_first_720p", "The cat slowly turns its head", ["--image", "file:landscape"], []),
    ("i2v_first_1080p", "A tower in fog", ["--image", "url:portrait.png"], []),
    (
        "i2v_first_tail_720p",
        "The flower opens",
        ["--image", "file:landscape", "--tail-image", "file:landscape_png"],
        [],
    ),
    (
        "i2v_first_tail_1080p",
        "Day turns to night",
        ["--image", "url:landscape.jpg", "--tail-image", "file:landscape_png"],
        [],
    ),
    (
        "i2v_recamera_720p",
        "A lighthouse on a cliff",
        ["--image", "file:landscape"],
        ["--camera-template", "dynamic_orbit", "--camera-strength", "strong"],
    ),
]


@pytest.mark.parametrize(("mode", "prompt", "image_args", "extra"), MODE_CASES)
def test_every_mode_end_to_end(cli, sandbox_server, images, mode, prompt, image_args, extra):
    args = []
    for arg in image_args:
        if arg.startswith("url:"):
            arg = sandbox_server.sample_image_url(arg[4:])
        elif arg.startswith("file:"):
            arg = str(images[arg[5:]])
        args.append(arg)
    result = cli("generate", prompt, "--mode", mode, *args, *extra)
    job, path = _check_saved(result, prompt, mode)

    bodies = sandbox_server.submitted_bodies()
    assert len(bodies) == 1
    body = bodies[0]
    assert body["req_key"] == catalog.MODES[mode].req_key
    assert job.task_id and job.task_id.isdigit()
    info = probe(path)
    if mode == "t2v_720p":
        assert body["aspect_ratio"] == "9:16"
        assert info.height > info.width
    if mode == "t2v_1080p":
        assert body["frames"] == 241
        assert _number(info.duration_s) == "10"
    if mode == "ti2v_pro":
        assert "prompt" not in body and "aspect_ratio" not in body
        assert body["image_urls"] == [sandbox_server.sample_image_url("landscape.jpg")]
    if mode == "i2v_first_1080p":
        assert body["image_urls"] == [sandbox_server.sample_image_url("portrait.png")]
    if mode in ("i2v_first_720p", "i2v_first_tail_720p", "i2v_recamera_720p"):
        assert "image_urls" not in body
        assert (
            len(body["binary_data_base64"])
            == len(job.image_hashes)
            == len(body.get("binary_data_base64", []))
        )
    if mode == "i2v_first_tail_1080p":  # a URL and a file: both go as data
        assert len(body["binary_data_base64"]) == 2
    if mode == "i2v_recamera_720p":
        assert body["template_id"] == "dynamic_orbit"
        assert body["camera_strength"] == "strong"
    # a sidecar with the request sits beside the video
    sidecar = json.loads(Path(job.sidecar_path).read_text(encoding="utf-8"))
    assert sidecar["task_id"] == job.task_id


def test_conformed_duration_and_fps_are_what_the_file_holds(cli, sandbox_server):
    result = cli("generate", "A paper boat", "--duration", "4", "--fps", "30")
    job, _path = _check_saved(result, "A paper boat", "t2v_720p")
    assert "- Duration: 4 seconds\n" in result.stdout
    assert "- FPS: 30\n" in result.stdout
    assert sandbox_server.submitted_bodies()[0]["frames"] == 121
    assert Path(job.source_path).exists()  # the service's own file is kept beside it
    assert "trimmed from 5 s to 4 s" in result.stderr  # the conform note


def test_json_output_is_one_object(cli, sandbox_server):
    result = cli("generate", "A red kite over the sea", "--seed", "42", "--json")
    assert result.returncode == 0, result
    data = json.loads(result.stdout)  # nothing else on stdout
    job = _only_job()
    assert data["task_id"] == job.task_id
    assert data["request_id"] == job.request_id
    assert data["status"] == "saved"
    assert data["video_url"] == job.video_url
    assert data["path"] == job.path and Path(data["path"]).exists()
    assert data["parameters"]["seed"] == 42
    assert data["parameters"]["mode"] == "t2v_720p"
    info = probe(Path(job.path))
    assert data["duration"] == pytest.approx(info.duration_s)
    assert data["fps"] == pytest.approx(info.fps)
    assert (data["width"], data["height"]) == (info.width, info.height)
    assert data["error_code"] is None and data["error_message"] is None
    assert sandbox_server.options.secret_key not in result.stdout + result.stderr


def test_json_output_on_failure_carries_the_error(cli):
    result = cli("generate", "a sandbox-reject scene", "--json")
    assert result.returncode == 1, result
    data = json.loads(result.stdout)
    assert data["status"] == "failed"
    assert data["error_code"] == 50412
    assert "Text Risk Not Pass" in data["error_message"]


def test_output_saves_to_exactly_that_file(cli, tmp_path):
    dest = tmp_path / "out" / "my clip.mp4"
    dest.parent.mkdir()
    result = cli("generate", "A lantern festival", "--output", str(dest))
    _job, path = _check_saved(result, "A lantern festival", "t2v_720p")
    assert path == dest
    assert sorted(p.name for p in dest.parent.iterdir()) == ["my clip.json", "my clip.mp4"]


def test_output_relative_path_is_made_absolute(cli, tmp_path):
    result = cli("generate", "A quiet harbour", "-o", "harbour.mp4", cwd=tmp_path)
    _job, path = _check_saved(result, "A quiet harbour", "t2v_720p")
    assert path == tmp_path / "harbour.mp4"


def test_no_wait_then_status_then_wait(cli, sandbox_server):
    submitted = cli("generate", "A snail on a leaf", "--no-wait")
    assert submitted.returncode == 0, submitted
    task_id = submitted.stdout.strip()
    assert task_id.isdigit()
    assert f"jimeng-tui wait {task_id}" in submitted.stderr
    job = _only_job()
    assert job.task_id == task_id
    assert not job.is_final  # stays in the journal for wait/resume
    assert job.owner_pid is None

    status = cli("status", task_id)
    assert status.returncode == 0, status
    assert status.stdout.splitlines()[0] in ("in_queue", "generating", "done")

    waited = cli("wait", task_id)
    job = _only_job()
    assert waited.returncode == 0, waited
    assert job.state is JobState.SAVED
    assert waited.stdout == expected_block(
        "A snail on a leaf", "t2v_720p", Path(job.path), job.video_url
    )
    assert len(sandbox_server.submitted_bodies()) == 1

    # waiting again on a saved task prints its block again without new work
    again = cli("wait", task_id)
    assert again.returncode == 0 and again.stdout == waited.stdout
    assert len(sandbox_server.submitted_bodies()) == 1

    status = cli("status", task_id, "--json")
    data = json.loads(status.stdout)
    assert data["status"] == "done" and data["job_state"] == "saved"


def test_wait_attaches_a_task_submitted_elsewhere(cli, sandbox_server, tmp_path):
    import os

    # submitted by "another machine": a different JIMENG_TUI_HOME
    other = cli("generate", "A fox in snow", "--no-wait", JIMENG_TUI_HOME=str(tmp_path / "other"))
    task_id = other.stdout.strip()
    assert history_jobs() == []
    assert os.environ["JIMENG_TUI_HOME"] != str(tmp_path / "other")

    dest = tmp_path / "fox.mp4"
    result = cli("wait", task_id, "--mode", "t2v_720p", "--output", str(dest))
    assert result.returncode == 0, result
    job = _only_job()
    assert job.task_id == task_id and job.state is JobState.SAVED
    assert Path(job.path) == dest and dest.exists()
    assert len(sandbox_server.submitted_bodies()) == 1


def test_quiet_run_prints_only_the_block(cli):
    result = cli("generate", "A candle flame", "--duration", "6", "--quiet")
    assert result.returncode == 0, result
    assert result.stderr == ""
    assert result.stdout.startswith("**Generated Video:**\n")


def test_embedded_sandbox_needs_no_credentials(exe, tmp_path):
    import os

    env = dict(os.environ)
    for name in ("VOLC_ACCESSKEY", "VOLC_SECRETKEY", "JIMENG_VIDEO_API_URL"):
        env.pop(name, None)
    result = run_cli(exe, "generate", "A kite", "--sandbox", env=env)
    assert result.returncode == 0, result
    assert history_jobs() == []  # sandbox jobs live in their own history
    sandbox_jobs = history_jobs(sandbox=True)
    assert [j.state for j in sandbox_jobs] == [JobState.SAVED]
    # the emulator's URL dies with this command: the block links the saved file instead
    file_url = Path(sandbox_jobs[0].path).as_uri()
    assert result.stdout.startswith(f"**Generated Video:**\n[Download Video]({file_url})\n")
    assert "the emulator's own URL (http://127.0.0.1:" in result.stderr
    shown = run_cli(exe, "history", "--sandbox", env=env)
    assert "A kite" in shown.stdout
