"""The studio's Service tasks screen (issue 15 item 8): the account's Seedance tasks with whether
the history knows each; Enter on an unknown one asks, then adopts it (a job in the job list,
saved like any other) with no new create."""

from __future__ import annotations

from pathlib import Path

from tui_support import wait_engine, wait_for

from jimeng_tui.domain.job import JobState
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.jobs.request_builder import build_request
from jimeng_tui.sandbox.ark import ACTION_CREATE
from jimeng_tui.tui.screens.confirm import ConfirmScreen
from jimeng_tui.tui.screens.service_tasks import ServiceTasksScreen

S = JobState


async def test_an_unknown_task_is_listed_and_enter_adopts_it_after_asking(
    sandbox_app, sandbox_factory, tmp_path
):
    server = sandbox_factory()
    app = sandbox_app(server)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        server.inject("fail_after_create", action="submit")
        fields = VideoInput(prompt="a lost kite", model="seedance-2.0", resolution="480p")
        app.start_job(build_request(fields, base_dir=tmp_path))
        await wait_for(pilot, lambda: len(app.main.jobs) == 1, 10, "the job")
        lost_job = max(app.main.jobs)
        await wait_for(
            pilot,
            lambda: app.engine.history.get(lost_job).state is S.SUBMIT_UNKNOWN,
            20,
            "submit_unknown",
        )
        (task,) = server.ark.tasks.values()

        await app.run_action("service_tasks")  # the palette's "Service tasks"
        await wait_for(pilot, lambda: isinstance(app.screen, ServiceTasksScreen), 5, "screen")
        screen = app.screen
        await wait_for(pilot, lambda: bool(screen.tasks), 10, "the list")
        assert [t.view.task_id for t in screen.tasks] == [task.id]
        status = str(screen.query_one("#tasks-status").render())
        assert "1 task(s), 1 not in the history" in status

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the question")
        await pilot.click("#yes")
        await wait_for(pilot, lambda: app.engine.history.find_task(task.id) is not None, 10)
        adopted = app.engine.history.find_task(task.id)
        await wait_for(
            pilot, lambda: app.engine.history.get(adopted.id).state is S.SAVED, 30, "saved"
        )
        assert adopted.id in app.main.jobs  # in the job list
        assert Path(app.engine.history.get(adopted.id).path).is_file()
        await wait_for(pilot, lambda: screen.tasks[0].job is not None, 10, "the list reloaded")
        assert screen.tasks[0].job.id == adopted.id
        assert len(server.requests_for(ACTION_CREATE)) == 1  # never submitted again
