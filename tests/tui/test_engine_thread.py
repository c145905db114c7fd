"""Issue 20 goal 4: typing never waits for polling. The studio's engine runs on a thread and
event loop of its own: job drives, polls and downloads happen there, the UI only gets their
events as posted messages (timings are in bench_tui.py; here the behaviour)."""

from __future__ import annotations

import threading

from test_app_sandbox import saved_jobs, type_prompt
from tui_support import fast_engine_factory, wait_engine, wait_for

from jimeng_tui.domain.events import JobChanged
from jimeng_tui.tui.app import JimengApp


async def test_a_job_is_driven_off_the_ui_thread_and_shown_on_it(sandbox):
    opened = fast_engine_factory(sandbox)
    emitted_on: set[str] = set()

    def factory(*, sandbox=None, on_event):
        def record(event: object) -> None:
            if isinstance(event, JobChanged):
                emitted_on.add(threading.current_thread().name)
            on_event(event)

        return opened(sandbox=sandbox, on_event=record)

    app = JimengApp(engine_factory=factory, bell_on_finish=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        ui_thread = threading.current_thread().name
        await type_prompt(pilot, "a lantern on a lake")
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: len(saved_jobs(app)) == 1, 30, "the job saved")
        await pilot.pause()
        (job,) = saved_jobs(app)
        assert job.prompt == "a lantern on a lake"
        assert app.main.queue.get_row(str(job.id))  # shown in the job list
        assert emitted_on and ui_thread not in emitted_on  # polled and saved on the engine's
        engine_thread = app.host._engine_loop._thread
        assert engine_thread.name in emitted_on
    engine_thread.join(5)  # the engine's thread ends with the app
    assert not engine_thread.is_alive()
