"""The seam demonstration (issue 14): a service nothing in the package knows, registered by
name, runs a job end to end through the engine to a saved, verified video."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import av
from fakes.fake_service import (
    FAKE_CAPS,
    FAKE_CODEC,
    FAKE_FPS,
    FAKE_SECONDS,
    FakeRequest,
    FakeService,
    serve_folder,
)

from jimeng_tui.cli.entry import main
from jimeng_tui.domain.job import JobState
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.jobs.request_builder import build_request
from jimeng_tui.jobs.runner import Runner, RunnerSettings
from jimeng_tui.services import registry
from jimeng_tui.services.base import Service, Target
from jimeng_tui.session import open_engine
from jimeng_tui.store.history import History
from jimeng_tui.store.paths import app_paths


async def test_a_fake_service_runs_a_job_to_a_saved_verified_video(tmp_path: Path):
    served = tmp_path / "served"
    served.mkdir()
    registry.register("fake", FakeService, FAKE_CAPS)
    history = History(tmp_path / "history.sqlite3")
    try:
        with serve_folder(served) as base_url:
            target = Target(base_url=base_url, credentials={"video_folder": str(served)})
            service = registry.create("fake", target)
            assert isinstance(service, Service)
            assert registry.find_model("fake-1") == (FAKE_CAPS, FAKE_CAPS.models[0])
            runner = Runner(
                service=service,
                history=history,
                settings=RunnerSettings(poll_interval=0.01, output_dir=tmp_path / "videos"),
            )
            try:
                job = await runner.run(FakeRequest(prompt="a red kite over the sea"))
            finally:
                await runner.aclose()
    finally:
        registry.unregister("fake")

    assert job.state is JobState.SAVED, job.error_message
    assert job.mode == "fake-1"
    assert job.task_id is not None and job.task_id.startswith("fake-")
    stored = history.get(job.id)
    assert stored is not None and stored.state is JobState.SAVED
    assert stored.meta.endpoint == base_url
    assert stored.meta.sent_body == {
        "model": "fake-1",
        "prompt": "a red kite over the sea",
    }
    saved = Path(job.path)
    assert saved.parent == tmp_path / "videos" and saved.suffix == ".mp4"
    assert Path(job.sidecar_path).exists()
    with av.open(str(saved)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
    assert frames == FAKE_SECONDS * FAKE_FPS + 1
    assert job.fps == FAKE_FPS
    assert abs(job.duration_s - FAKE_SECONDS) < 0.1
    history.close()


# -- the same fake through the CLI and next to Jimeng 3.0 in one engine -----------------------


@contextlib.contextmanager
def fake_registered(tmp_path: Path) -> Iterator[Path]:
    """The fake registered with its own target (it needs no settings), on its folder server."""
    served = tmp_path / "served"
    served.mkdir(exist_ok=True)
    with serve_folder(served) as base_url:
        target = Target(
            base_url=base_url, credentials={"video_folder": str(served)}, poll_interval_s=0.05
        )
        registry.register("fake", FakeService, FAKE_CAPS, FAKE_CODEC, target=target)
        try:
            yield served
        finally:
            registry.unregister("fake")


def frames_in(path: str) -> int:
    with av.open(path) as container:
        stream = container.streams.video[0]
        return sum(1 for _ in container.decode(stream))


def test_the_cli_generates_with_the_fake_model_to_a_saved_video_and_a_history_row(
    tmp_path: Path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    with fake_registered(tmp_path):
        code = main(["generate", "a red kite over the sea", "--model", "fake-1", "--json"])
        out, err = capsys.readouterr()
        assert code == 0, err
        result = json.loads(out)
        assert (result["status"], result["model"], result["service"]) == ("saved", "fake-1", "fake")
        assert result["task_id"].startswith("fake-")
        assert frames_in(result["path"]) == FAKE_SECONDS * FAKE_FPS + 1

        assert main(["history", "--model", "fake-1", "--json"]) == 0
        rows = json.loads(capsys.readouterr().out)
    assert [(row["job_id"], row["model"], row["status"]) for row in rows] == [
        (result["job_id"], "fake-1", "saved")
    ]


def test_a_model_the_fake_does_not_have_is_refused_before_anything_is_made(tmp_path: Path, capsys):
    with fake_registered(tmp_path) as served:
        code = main(["generate", "a kite", "--model", "fake-1", "--aspect-ratio", "9:16"])
        err = capsys.readouterr().err
        assert code == 2
        assert "--aspect-ratio: the fake model takes none" in err
        assert list(served.iterdir()) == []  # no task was rendered
        assert main(["history", "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == []


async def test_a_jimeng_job_and_a_fake_job_run_at_once_each_behind_its_own_throttle(
    tmp_path: Path, sandbox, isolated_home
):
    paths = app_paths({"JIMENG_TUI_HOME": str(isolated_home)})
    paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    # one task at a time per service: one shared throttle would run these one after the other
    paths.config_file.write_text("[network]\nmax_concurrency = 1\n", encoding="utf-8")
    env = {**os.environ, "JIMENG_VIDEO_POLL_INTERVAL": "0.1"}
    with fake_registered(tmp_path):
        engine = open_engine(sandbox=sandbox, env=env)
        try:
            assert list(engine.services) == ["jimeng3", "ark", "fake"]  # the sandbox has both
            throttles = engine.runner.throttles
            assert throttles["jimeng3"] is not throttles["fake"]
            assert throttles["jimeng3"].limit == throttles["fake"].limit == 1
            jobs = [
                await engine.runner.create(
                    build_request(VideoInput(prompt="a kite", model=model), base_dir=tmp_path)
                )
                for model in ("t2v_720p", "fake-1")
            ]
            done = await asyncio.gather(*(engine.runner.drive(job.id) for job in jobs))
        finally:
            await engine.aclose()
    assert [(job.state, job.meta.service, job.mode) for job in done] == [
        (JobState.SAVED, "jimeng3", "t2v_720p"),
        (JobState.SAVED, "fake", "fake-1"),
    ]
    # both tasks were out at once: each was submitted before either had finished
    assert max(job.submitted_at for job in done) < min(job.finished_at for job in done)
    assert len(sandbox.requests_for("CVSync2AsyncSubmitTask")) == 1
    for job in done:
        assert frames_in(job.path) > 0
