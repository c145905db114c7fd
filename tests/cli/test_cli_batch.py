"""`jimeng-tui batch` end to end: the installed command against a sandbox over a real socket."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from cli_support import history_jobs, interrupt_when, make_image, run_cli, sandbox_env

from jimeng_tui.domain.job import JobState
from jimeng_tui.jobs.media import probe
from jimeng_tui.store.paths import app_paths

SUBMIT = "CVSync2AsyncSubmitTask"


def _line(value: object) -> str:
    """Comments and blank lines as they are; a string is a bare prompt line; else a JSON object."""
    if isinstance(value, str) and (not value or value.startswith("#")):
        return value
    return json.dumps(value)


def write_batch(folder: Path, lines: list[object], name: str = "shots.jsonl") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    text = "".join(_line(line) + "\n" for line in lines)
    path.write_text(text, encoding="utf-8")
    return path


def six_lines(folder: Path) -> Path:
    """Six requests over the modes; the images sit beside the file, named relatively."""
    (folder / "frames").mkdir(parents=True)
    make_image(folder / "frames" / "first.jpg", (1280, 720))
    make_image(folder / "frames" / "last.png", (1280, 720), "PNG", (200, 60, 60))
    return write_batch(
        folder,
        [
            "# six shots",
            {"prompt": "A golden retriever in sunflowers"},
            {"prompt": "Rain on a neon street", "ratio": "9:16", "duration": 4, "fps": 30},
            "",
            {"prompt": "Waves at dusk", "mode": "t2v_1080p", "seed": 42},
            {"prompt": "The sun sinks", "mode": "i2v_first_720p", "image": "frames/first.jpg"},
            {
                "prompt": "Day turns to night",
                "mode": "i2v_first_tail_720p",
                "first_image": "frames/first.jpg",
                "last_image": "frames/last.png",
            },
            {
                "prompt": "A slow reveal",
                "mode": "i2v_recamera_720p",
                "image": "frames/first.jpg",
                "camera_template": "crane_push",
                "camera_strength": "weak",
            },
        ],
    )


def test_six_lines_run_to_six_verified_videos(cli, sandbox_server, tmp_path):
    path = six_lines(tmp_path / "work")
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    result = cli("batch", str(path), cwd=elsewhere)  # image paths are not the cwd's
    assert result.returncode == 0, result
    assert "Traceback" not in result.stderr

    jobs = history_jobs()
    assert len(jobs) == 6
    assert all(j.state is JobState.SAVED for j in jobs)
    assert sorted(j.meta.batch.line for j in jobs) == [2, 3, 5, 6, 7, 8]
    assert {j.meta.batch.path for j in jobs} == {str(path)}
    for job in jobs:
        info = probe(Path(job.path))  # PyAV opens it
        assert info.frames > 0 and info.width > 0
        assert (info.duration_s, info.fps) == (job.duration_s, job.fps)
        assert f"line {job.meta.batch.line}: saved: {job.path}" in result.stdout
        assert f"submitted: task {job.task_id}" in result.stdout
    rain = next(j for j in jobs if j.prompt.startswith("Rain"))
    assert round(rain.duration_s) == 4 and round(rain.fps) == 30 and rain.height > rain.width
    assert len(sandbox_server.submitted_bodies()) == 6
    assert len(sandbox_server.requests_for(SUBMIT)) == 6
    summary = result.stdout.strip().splitlines()[-1]
    assert "6 lines: 6 saved, 0 failed" in summary and "0 not started" in summary


def test_rerun_submits_nothing_and_says_so(cli, sandbox_server, tmp_path):
    path = write_batch(tmp_path, [{"prompt": "A heron"}, "A paper boat"])
    first = cli("batch", str(path))
    assert first.returncode == 0, first
    assert len(sandbox_server.submitted_bodies()) == 2

    again = cli("batch", str(path))
    assert again.returncode == 0, again
    assert "nothing to do: all 2 lines were saved by an earlier run" in again.stdout
    assert "submitted" not in again.stdout
    # the same content under another name is the same batch
    copy = tmp_path / "copy" / "renamed.jsonl"
    copy.parent.mkdir()
    shutil.copy(path, copy)
    moved = cli("batch", str(copy))
    assert moved.returncode == 0 and "nothing to do" in moved.stdout, moved
    # a line added on top of the file: only it is new
    path.write_text('"A new line"\n' + path.read_text(encoding="utf-8"), encoding="utf-8")
    edited = cli("batch", str(path))
    assert edited.returncode == 0, edited
    assert "line 1: submitted" in edited.stdout and "line 2: saved earlier" in edited.stdout
    assert len(sandbox_server.submitted_bodies()) == 3
    assert len(sandbox_server.requests_for(SUBMIT)) == 3
    assert len(history_jobs()) == 3


def test_bad_lines_exit_2_and_nothing_is_sent(cli, sandbox_server, tmp_path):
    path = write_batch(
        tmp_path,
        [
            {"prompt": "A fine line"},
            {"prompt": "Another"},
            {"prompt": "Too long a wait", "duration": 7},
            "# a comment",
            {"prompt": "Turn", "mode": "i2v_first_720p", "image": "missing.jpg"},
        ],
    )
    result = cli("batch", str(path))
    assert result.returncode == 2, result
    assert result.stdout == ""
    assert "2 of 4 lines are not valid; nothing was submitted" in result.stderr
    assert "line 3: duration: 7 s is not offered (allowed: 4, 5, 6, 8, 10)" in result.stderr
    assert f"line 5: first_image: no file at '{tmp_path / 'missing.jpg'}'" in result.stderr
    assert "Traceback" not in result.stderr
    assert sandbox_server.requests == []
    assert history_jobs() == []
    assert not app_paths().history_db.exists()

    as_json = cli("batch", str(path), "--json")
    assert as_json.returncode == 2
    data = json.loads(as_json.stdout)
    assert [e["line"] for e in data["errors"]] == [3, 5]
    assert [e["field"] for e in data["errors"]] == ["duration", "first_image"]
    assert sandbox_server.requests == []


def test_rejected_prompt_fails_its_line_and_the_others_are_saved(cli, sandbox_server, tmp_path):
    path = write_batch(
        tmp_path,
        ["A calm lake", "A storm sandbox-reject over the sea", "A quiet forest"],
    )
    result = cli("batch", str(path))
    assert result.returncode == 1, result
    assert "line 2: generation failed: 50412 Text Risk Not Pass" in result.stdout
    assert "1 failed (line 2)" in result.stdout
    assert "1 of 3 lines have no video: line 2 (failed 50412)" in result.stderr
    states = {j.meta.batch.line: j.state for j in history_jobs()}
    assert states == {1: JobState.SAVED, 2: JobState.FAILED, 3: JobState.SAVED}
    assert len(sandbox_server.submitted_bodies()) == 2


def test_a_line_whose_task_failed_is_not_resubmitted_unless_asked(cli, sandbox_server, tmp_path):
    path = write_batch(tmp_path, ["A sandbox-video-reject sky", "A meadow"])
    first = cli("batch", str(path))
    assert first.returncode == 1 and "50516" in first.stdout, first
    assert len(sandbox_server.submitted_bodies()) == 2

    again = cli("batch", str(path))
    assert again.returncode == 1, again
    assert "line 1:" in again.stdout and "not submitted again" in again.stdout
    assert "--retry-failed" in again.stdout
    assert len(sandbox_server.submitted_bodies()) == 2

    retried = cli("batch", str(path), "--retry-failed")
    assert retried.returncode == 1, retried  # the trigger word fails it again
    assert len(sandbox_server.submitted_bodies()) == 3


def test_a_submit_without_answer_is_never_sent_again(cli, sandbox_server, tmp_path):
    path = write_batch(tmp_path, ["A lighthouse"])
    sandbox_server.inject("reset", 1, "submit")  # the task is created, the answer is lost
    first = cli("batch", str(path))
    assert first.returncode == 1, first
    assert "the submit got no answer" in first.stdout
    (job,) = history_jobs()
    assert job.state is JobState.SUBMIT_UNKNOWN

    again = cli("batch", str(path), "--retry-failed")
    assert again.returncode == 1, again
    assert "it is not sent again" in again.stdout
    assert len(sandbox_server.submitted_bodies()) == 1
    assert len(history_jobs()) == 1


def test_dry_run_sends_nothing(cli, sandbox_server, tmp_path):
    path = six_lines(tmp_path)
    result = cli("batch", str(path), "--dry-run")
    assert result.returncode == 0, result
    out = result.stdout
    assert out.count("would submit") == 6
    assert "line 3: would submit: t2v_720p · 4 s at 30 fps · 9:16" in out
    assert "trimmed from 5 s to 4 s and converted from 24 to 30 fps" in out
    assert '"req_key": "jimeng_i2v_first_tail_v30"' in out and "bytes>" in out
    assert "nothing was sent" in out
    assert sandbox_server.requests == []
    assert not app_paths().history_db.exists()

    as_json = cli("batch", str(path), "--dry-run", "--json")
    rows = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [r["line"] for r in rows[:-1]] == [2, 3, 5, 6, 7, 8]
    assert rows[1]["body"]["frames"] == 121 and rows[1]["conform_note"]
    assert rows[-1]["type"] == "summary" and rows[-1]["submit"] == 6
    assert sandbox_server.requests == []


def test_json_lines_output(cli, sandbox_server, tmp_path):
    path = write_batch(tmp_path, ["A red kite", "A kite sandbox-reject", "A blue kite"])
    result = cli("batch", str(path), "--json", "--quiet")
    assert result.returncode == 1, result
    assert result.stderr.startswith("jimeng-tui: error: 1 of 3 lines have no video")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    lines, summary = rows[:-1], rows[-1]
    assert sorted(r["line"] for r in lines) == [1, 2, 3]
    assert {r["type"] for r in lines} == {"line"}
    by_line = {r["line"]: r for r in lines}
    assert by_line[2]["outcome"] == "failed" and by_line[2]["error_code"] == 50412
    for n in (1, 3):
        assert by_line[n]["outcome"] == "saved" and Path(by_line[n]["path"]).exists()
        assert by_line[n]["task_id"] and by_line[n]["duration"] > 0
    assert summary["type"] == "summary"
    assert (summary["saved"], summary["failed"], summary["not_started"]) == (2, 1, 0)
    assert summary["failed_lines"] == [2] and summary["exit_code"] == 1
    assert sandbox_server.options.secret_key not in result.stdout + result.stderr


def test_csv_with_output_dir(cli, tmp_path):
    path = tmp_path / "shots.csv"
    path.write_text(
        'prompt,duration,aspect ratio\n# a comment row,,\n"A boat, at dawn",4,1:1\n',
        encoding="utf-8",
    )
    out = tmp_path / "videos"
    result = cli("batch", str(path), "--output-dir", str(out))
    assert result.returncode == 0, result
    (job,) = history_jobs()
    assert job.prompt == "A boat, at dawn" and job.meta.batch.line == 3
    assert Path(job.path).parent == out and job.width == job.height


def test_a_second_run_of_the_same_file_at_once_is_refused(cli, sandbox_server, tmp_path):
    from jimeng_tui.jobs import batch as batchfile

    path = write_batch(tmp_path, ["A fox"])
    paths = app_paths()
    held = batchfile.read_batch(path)
    with batchfile.batch_lock(paths.data_dir / "locks", held, paths.history_db):
        result = cli("batch", str(path))
    assert result.returncode == 2, result
    assert "another jimeng-tui batch is running this file" in result.stderr
    assert sandbox_server.requests == []


def _config_max_concurrency(n: int) -> None:
    config = app_paths().config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"[network]\nmax_concurrency = {n}\n", encoding="utf-8")
    config.chmod(0o600)


def test_sigint_mid_flight_then_rerun_sends_each_line_once(exe, sandbox_factory, tmp_path):
    # tasks stay in_queue 0.75 s and generating 1.5 s: room for a Ctrl-C while they run
    slow_sandbox_server = sandbox_factory(
        speed=2.0, queue_seconds=1.5, generate_seconds=3.0, request_log=tmp_path / "log.jsonl"
    )
    _config_max_concurrency(2)
    env = sandbox_env(slow_sandbox_server)
    path = write_batch(tmp_path, ["A slow sunrise", "A slow sunset", "A slow tide", "A slow moon"])

    def two_polling():
        jobs = [j for j in history_jobs() if j.task_id]
        return len(jobs) == 2 and all(j.state is not JobState.SUBMITTING for j in jobs)

    code, stdout, stderr, _ = interrupt_when(exe, ["batch", str(path)], env, two_polling)
    assert code == 130, stderr
    assert "Traceback" not in stderr
    assert "2 still running on the service" in stdout and "2 not started" in stdout
    assert "Run the same command again" in stderr
    jobs = history_jobs()
    # the two lines that were never sent left no row; the two running tasks stay resumable
    assert len(jobs) == 2
    assert all(j.task_id and not j.is_final and j.owner_pid is None for j in jobs), [
        (j.task_id, j.state, j.owner_pid, j.heartbeat_at) for j in jobs
    ]
    assert len(slow_sandbox_server.submitted_bodies()) == 2

    result = run_cli(exe, "batch", str(path), env=env)
    assert result.returncode == 0, result
    assert result.stdout.count("resuming job") == 2
    assert result.stdout.count("submitted: task") == 2
    jobs = history_jobs()
    assert len(jobs) == 4 and all(j.state is JobState.SAVED for j in jobs)
    assert sorted(j.meta.batch.line for j in jobs) == [1, 2, 3, 4]
    # exactly one submit per line over both runs
    bodies = slow_sandbox_server.submitted_bodies()
    assert sorted(b["prompt"] for b in bodies) == sorted(j.prompt for j in jobs)
    assert len(slow_sandbox_server.requests_for(SUBMIT)) == 4
