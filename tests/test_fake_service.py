"""The seam demonstration (issue 14): a service nothing in the package knows, registered by
name, runs a job end to end through the engine to a saved, verified video."""

from __future__ import annotations

from pathlib import Path

import av
from fakes.fake_service import (
    FAKE_CAPS,
    FAKE_FPS,
    FAKE_SECONDS,
    FakeRequest,
    FakeService,
    serve_folder,
)

from jimeng_tui.domain.job import JobState
from jimeng_tui.jobs.runner import Runner, RunnerSettings
from jimeng_tui.services import registry
from jimeng_tui.services.base import Service, Target
from jimeng_tui.store.history import History


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
