"""The studio's cancel key goes through the engine's one cancel (``Runner.cancel_remote``,
issue 15 item 7): a queued Seedance task is deleted on the service and the job ends cancelled,
and the notice says nothing is billed; a running one is refused and keeps running."""

from __future__ import annotations

from tui_support import wait_engine, wait_for

from jimeng_tui.domain.job import JobState
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.jobs.request_builder import build_request
from jimeng_tui.sandbox.ark import ACTION_DELETE

S = JobState


async def test_c_on_a_queued_seedance_job_cancels_it_on_the_service(
    sandbox_app, sandbox_factory, tmp_path
):
    server = sandbox_factory(queue_seconds=10_000)  # the tasks stay queued
    app = sandbox_app(server)
    said: list[str] = []
    notify = app.notify
    app.notify = lambda message, **kw: (said.append(str(message)), notify(message, **kw))[1]
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)

        async def queued_job() -> int:
            fields = VideoInput(prompt="a paper boat", model="seedance-2.0", resolution="480p")
            app.start_job(build_request(fields, base_dir=tmp_path))
            count = len(app.main.jobs)
            await wait_for(pilot, lambda: len(app.main.jobs) > count, 10, "the job")
            job_id = max(app.main.jobs)
            await wait_for(
                pilot,
                lambda: app.engine.history.get(job_id).state is S.IN_QUEUE,
                20,
                "the task queued",
            )
            app.main.focus_job(job_id)  # selected in the job list
            await pilot.pause()
            return job_id

        first = await queued_job()
        await app.run_action("screen.cancel_job")  # what `c` in the job list runs
        await wait_for(
            pilot, lambda: app.engine.history.get(first).state is S.CANCELLED, 10, str(said)
        )
        await wait_for(pilot, lambda: any("nothing is billed" in s for s in said), 5, "notice")
        assert len(server.requests_for(ACTION_DELETE)) == 1

        second = await queued_job()
        server.force_status(app.engine.history.get(second).task_id, "running")
        await wait_for(pilot, lambda: app.engine.history.get(second).state is S.GENERATING, 20)
        await app.run_action("screen.cancel_job")  # what `c` in the job list runs
        await wait_for(pilot, lambda: any("running task" in s for s in said), 10, "refusal")
        assert app.engine.history.get(second).state is S.GENERATING
        assert len(server.requests_for(ACTION_DELETE)) == 1
