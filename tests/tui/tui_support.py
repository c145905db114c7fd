"""Helpers for the TUI tests (imported by the test modules; fixtures live in conftest.py)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from jimeng_tui.domain.job import Job, JobState

FIXTURES = Path(__file__).parent / "fixtures"
FROZEN_NOW = 1_764_000_000.0  # 2025-11-24 16:00:00 UTC
SEEDANCE_2 = "doubao-seedance-2-0-260128"


def fast_engine_factory(server, *, poll_interval: float = 0.1) -> Callable[..., object]:
    """An engine factory for JimengApp that talks to ``server`` and polls quickly."""
    from jimeng_tui.session import open_engine
    from jimeng_tui.session.config import load_config
    from jimeng_tui.store.paths import app_paths

    def factory(*, sandbox=None, on_event):
        paths = app_paths(os.environ)
        loaded = load_config(paths, os.environ)
        loaded.config.network.poll_interval = poll_interval
        return open_engine(
            sandbox=sandbox or server, env=os.environ, on_event=on_event, loaded=loaded
        )

    return factory


async def wait_for(
    pilot, predicate: Callable[[], bool], timeout: float = 20.0, what: str = ""
) -> None:
    """Let the app run until ``predicate()`` is true (fail after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")


async def wait_engine(pilot, timeout: float = 10.0) -> None:
    await wait_for(pilot, lambda: pilot.app.engine is not None, timeout, "the engine to open")


async def open_settings(pilot):
    """Once the engine is up, F2; returns the Settings screen."""
    await wait_engine(pilot)
    await pilot.press("f2")
    await wait_for(pilot, lambda: bool(pilot.app.screen.query("#settings-save")), 5, "settings")
    return pilot.app.screen


def make_job(
    job_id: int | None, state: JobState, *, prompt: str, mode: str = "t2v_720p", **fields
) -> Job:
    """A fixed job for snapshots (all times relative to FROZEN_NOW)."""
    params = {
        "prompt": prompt,
        "mode": mode,
        "duration": fields.pop("duration", 5),
        "fps": fields.pop("fps_param", 24),
        "aspect_ratio": fields.pop("aspect_ratio", "16:9"),
        "first_image": fields.pop("first_image", None),
        "last_image": None,
        "camera_template": None,
        "camera_strength": None,
        "seed": fields.pop("seed", -1),
    }
    created = fields.pop("created_at", FROZEN_NOW - 60)
    return Job(
        id=job_id,
        created_at=created,
        prompt=prompt,
        mode=mode,
        req_key="jimeng_t2v_v30",
        params=params,
        state=state,
        **fields,
    )


def sample_jobs() -> list[Job]:
    S = JobState
    return [
        make_job(
            1,
            S.SAVED,
            prompt="A golden retriever running through a field of sunflowers, warm afternoon sun",
            created_at=FROZEN_NOW - 600,
            submitted_at=FROZEN_NOW - 598,
            finished_at=FROZEN_NOW - 480,
            saved_at=FROZEN_NOW - 470,
            updated_at=FROZEN_NOW - 470,
            task_id="7392616336519610409",
            video_url="https://example.invalid/video/7392616336519610409.mp4",
            path="/home/ada/Videos/jimeng/2025-11-24_a-golden-retriever_7392616336519610409.mp4",
            duration_s=5.0,
            fps=24.0,
        ),
        make_job(
            2,
            S.FAILED,
            prompt="sandbox-reject a cat in a spacesuit",
            mode="t2v_1080p",
            created_at=FROZEN_NOW - 300,
            updated_at=FROZEN_NOW - 299,
            error_code=50412,
            error_message="Text Risk Not Pass",
        ),
        make_job(
            3,
            S.DOWNLOADING,
            prompt="City at night, neon reflections on wet streets",
            mode="ti2v_pro",
            created_at=FROZEN_NOW - 185,
            submitted_at=FROZEN_NOW - 184,
            finished_at=FROZEN_NOW - 20,
            task_id="7392616336519610411",
        ),
        make_job(
            4,
            S.GENERATING,
            prompt="Waves rolling onto a black sand beach, drone shot",
            created_at=FROZEN_NOW - 42,
            submitted_at=FROZEN_NOW - 41,
            task_id="7392616336519610412",
        ),
        make_job(
            5,
            S.QUEUED,
            prompt="A paper boat drifting down a rain gutter",
            created_at=FROZEN_NOW - 2,
        ),
    ]


def seedance_job(job_id: int | None, folder: Path, *, last_frame: bool = True) -> Job:
    """A saved Seedance 2.0 job with sound, its tokens, and its last frame (a PNG written in
    ``folder``, beside the "video"), as the engine records one."""
    from PIL import Image

    from jimeng_tui.domain.meta import JobMeta

    video = folder / "lighthouse.mp4"
    video.write_bytes(b"not read here")
    frame = folder / "lighthouse.last.png"
    if last_frame:
        Image.new("RGB", (320, 180), (200, 60, 30)).save(frame)
    return Job(
        id=job_id,
        created_at=FROZEN_NOW - 120,
        updated_at=FROZEN_NOW - 10,
        submitted_at=FROZEN_NOW - 118,
        finished_at=FROZEN_NOW - 20,
        saved_at=FROZEN_NOW - 10,
        prompt="a lighthouse in a storm, waves breaking",
        mode=SEEDANCE_2,
        req_key=SEEDANCE_2,
        params={
            "prompt": "a lighthouse in a storm, waves breaking",
            "model": SEEDANCE_2,
            "duration": 8,
            "fps": 24,
            "resolution": "720p",
            "ratio": "16:9",
            "seed": None,
            "generate_audio": True,
        },
        state=JobState.SAVED,
        task_id="cgt-20261207-lighthouse",
        video_url="https://example.invalid/lighthouse.mp4",
        path=str(video),
        duration_s=8.0,
        fps=24.0,
        meta=JobMeta(
            service="ark",
            usage_tokens=173_700,
            has_audio=True,
            last_frame_path=str(frame) if last_frame else None,
        ),
    )
