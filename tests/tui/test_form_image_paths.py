"""A job made in the form with a relative image path resumes from another working folder: the
form builds its request with jobs/request_builder.py, as the CLI does, so the path is stored
absolute."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from PIL import Image
from tui_support import wait_for

from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.store.history import History
from jimeng_tui.store.paths import app_paths
from jimeng_tui.tui.app import JimengApp


async def test_a_form_job_with_a_relative_image_resumes_from_another_folder(
    tmp_path, monkeypatch, sandbox
):
    started_in, later_in = tmp_path / "shots", tmp_path / "elsewhere"
    started_in.mkdir()
    later_in.mkdir()
    Image.new("RGB", (640, 360), (40, 120, 200)).save(started_in / "still.jpg", "JPEG")
    monkeypatch.chdir(started_in)
    app = JimengApp(start_engine=False)
    async with app.run_test(size=(140, 45)) as pilot:
        form = app.main.form
        await wait_for(pilot, lambda: form.fields_ready, what="the form's rows")
        form.load_input(VideoInput(prompt="x", model="i2v_first_720p"))
        form.set_image("first_image", "still.jpg")
        form.query_one("#prompt").load_text("the harbour at dawn")
        await pilot.pause()
        request = form.build_request()
    assert request.params["first_image"] == str(started_in / "still.jpg")

    # the job as the app writes it, queued; then `resume` from another folder sends it
    db = app_paths(os.environ).history_db
    with History(db) as history:
        job = history.add(
            Job(
                id=None,
                created_at=time.time(),
                prompt=request.summary.prompt,
                mode=request.summary.model,
                req_key=request.summary.wire_model,
                params=dict(request.params),
                state=JobState.QUEUED,
            )
        )
    env = {
        **os.environ,
        "VOLC_ACCESSKEY": sandbox.options.access_key,
        "VOLC_SECRETKEY": sandbox.options.secret_key,
        "JIMENG_VIDEO_API_URL": sandbox.base_url,
        "JIMENG_VIDEO_POLL_INTERVAL": "0.2",
        "PYTHONWARNINGS": "ignore",
    }
    result = subprocess.run(
        [sys.executable, "-m", "jimeng_tui", "resume"],
        cwd=later_in,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with History(db) as history:
        done = history.get(job.id)
    assert done is not None and done.state is JobState.SAVED, done
    bodies = sandbox.submitted_bodies()
    assert len(bodies) == 1 and bodies[0].get("binary_data_base64"), bodies
