"""Seedance (Ark) jobs from the studio, through the one request path: the form's choice of a
Seedance model runs over the sandbox's Ark (a real socket) to a saved file, and the job list's
re-run makes a second Ark task — with the paid confirmation naming the model."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Checkbox, Select
from tui_support import wait_engine, wait_for

from jimeng_tui.domain.job import JobState
from jimeng_tui.tui.screens.paid_guard import PaidConfirmScreen

S = JobState
SEEDANCE_2 = "doubao-seedance-2-0-260128"


async def seedance_job_from_the_form(
    pilot, prompt: str = "a lighthouse in a storm", *, sound: bool = False
):
    """Choose Seedance 2.0, type ``prompt``, Ctrl+G; returns the job once it is saved."""
    app = pilot.app
    await wait_engine(pilot)
    form = app.main.form
    await wait_for(pilot, lambda: form.fields_ready, what="the form's rows")
    form.query_one("#model", Select).value = SEEDANCE_2
    await pilot.pause()
    form.query_one("#duration", Select).value = 4
    form.query_one("#generate_audio", Checkbox).value = sound
    form.focus_prompt()
    await pilot.press(*prompt, "ctrl+g")
    await wait_for(pilot, lambda: len(app.main.jobs) == 1, 10, "the job")
    job_id = next(iter(app.main.jobs))
    await wait_for(pilot, lambda: app.main.jobs[job_id].state is S.SAVED, 60, "the video saved")
    return app.engine.history.get(job_id)


async def test_a_seedance_job_from_the_form_runs_to_a_saved_file(sandbox_app, sandbox):
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        job = await seedance_job_from_the_form(pilot, sound=True)
        notes = [n.message for n in app._notifications]
        # the details: its tokens, and the service's last frame (saved beside it) as a thumbnail
        details = app.main.details
        await wait_for(pilot, lambda: bool(details.query("#poster .caption")), 10, "last frame")
        assert f"- Tokens: {job.meta.usage_tokens:,}" in details.markdown_text
        assert "- Sound: ♪ in the file" in details.markdown_text
        assert app.main.queue.get_cell(str(job.id), "mode").plain == "seedance-2.0\n4 s · 24 fps ♪"
    assert (job.mode, job.prompt, job.meta.service) == (
        SEEDANCE_2,
        "a lighthouse in a storm",
        "ark",
    )
    assert job.meta.usage_tokens and job.meta.usage_tokens > 0
    assert job.meta.last_frame_path and Path(job.meta.last_frame_path).is_file()
    assert Path(job.path).stat().st_size > 0
    assert [b["model"] for b in sandbox.ark_created_bodies()] == [SEEDANCE_2]
    assert sandbox.submitted_bodies() == []  # nothing went to Jimeng 3.0
    assert not any("cannot run" in n for n in notes)


async def test_rerunning_a_seedance_job_from_the_job_list_makes_a_second_ark_task(
    sandbox_app, sandbox
):
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await seedance_job_from_the_form(pilot)
        await pilot.press("f4", "r")
        await wait_for(pilot, lambda: isinstance(app.screen, PaidConfirmScreen), 5, "the dialog")
        text = app.screen.text
        assert "seedance-2.0 · 4 s at 24 fps" in text and "1 new generation" in text
        assert "Estimated cost" in text
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(app.main.jobs) == 2, 10, "the re-run job")
        second = max(app.main.jobs)
        await wait_for(
            pilot, lambda: app.main.jobs[second].state is S.SAVED, 60, "the second video"
        )
        job = app.engine.history.get(second)
    assert job.meta.service == "ark" and job.mode == SEEDANCE_2
    assert [b["model"] for b in sandbox.ark_created_bodies()] == [SEEDANCE_2, SEEDANCE_2]
    assert sandbox.submitted_bodies() == []


async def test_a_seedance_job_loads_back_from_the_job_list(sandbox_app, sandbox):
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await seedance_job_from_the_form(pilot, "waves at dusk")
        form = app.main.form
        form.query_one("#model", Select).value = "service:jimeng3"
        form.query_one("#prompt").load_text("")
        await pilot.pause()
        await pilot.press("f4", "l")
        await wait_for(pilot, lambda: form.video_input().model == SEEDANCE_2, 5, "the load")
        video = form.video_input()
    assert (video.prompt, video.duration) == ("waves at dusk", 4)
    assert len(sandbox.ark_created_bodies()) == 1  # loading sends nothing
