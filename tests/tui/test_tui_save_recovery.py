"""The TUI's retry (t) on a job whose save failed fetches the video from the same task: no new
submit (issue 12, item 1)."""

from __future__ import annotations

import os
from pathlib import Path

from tui_support import wait_engine, wait_for

from jimeng_tui.domain.job import JobState
from jimeng_tui.store.paths import app_paths

S = JobState
SUBMIT = "CVSync2AsyncSubmitTask"


async def test_retry_on_a_failed_save_fetches_again_without_a_new_submit(
    sandbox_app, sandbox, tmp_path
):
    folder = tmp_path / "videos"
    folder.mkdir()
    config = app_paths(os.environ).config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        f'[defaults]\noutput_dir = "{folder}"\nfilename_template = "{{job_id}}"\n', "utf-8"
    )
    videos = folder / "sandbox"  # where sandbox videos go
    videos.mkdir()
    os.symlink("/dev/full", videos / "1.mp4.part")  # the disk is full for this video
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        app.main.form.focus_prompt()
        await pilot.press(*"a lighthouse")
        await pilot.press("ctrl+g")
        await wait_for(
            pilot,
            lambda: any(j.state is S.SAVE_FAILED for j in app.main.jobs.values()),
            30,
            "the save to fail",
        )
        (job,) = app.main.jobs.values()
        cells = " ".join(getattr(c, "plain", str(c)) for c in app.main.queue.get_row(str(job.id)))
        assert "save failed" in cells and "disk is full" in cells
        await pilot.pause()
        assert "Generated, not saved" in app.main.details.markdown_text

        (videos / "1.mp4.part").unlink()  # space was freed
        await pilot.press("f4", "t")
        await wait_for(pilot, lambda: app.main.jobs[job.id].state is S.SAVED, 30, "the save")
        saved = app.main.jobs[job.id]
        assert saved.task_id == job.task_id and Path(saved.path).is_file()
        assert len(app.main.jobs) == 1  # the same job, not a new one
    assert len(sandbox.requests_for(SUBMIT)) == 1
