"""A job an agent started through ``jimeng-tui mcp`` is the TUI's job too: same history, same
claims. The server submits and goes away; the app, opened on that history, lists the job in
its queue, resumes it from its task and saves it (one submit in all)."""

from __future__ import annotations

import os

import pytest
from mcp_support import call, mcp_session, ok, sandbox_jobs, sandbox_tasks
from tui.tui_support import fast_engine_factory, wait_engine, wait_for

from jimeng_tui.domain.job import JobState
from jimeng_tui.store.paths import app_paths
from jimeng_tui.tui.app import JimengApp

pytestmark = pytest.mark.slow


async def test_a_job_the_agent_started_shows_in_the_tui_and_finishes_there(sandbox_factory):
    async with mcp_session() as session:
        job = ok(await call(session, "generate", prompt="An agent's red balloon"))["job"]
    # the server left: the job waits in the history, claimed by nobody
    assert job["task_id"] and not sandbox_jobs()[0].is_final
    # a sandbox on the same task file plays the one the server ran (another port)
    server = sandbox_factory(task_file=app_paths(os.environ).sandbox_tasks_file)
    app = JimengApp(engine_factory=fast_engine_factory(server), bell_on_finish=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        await wait_for(pilot, lambda: job["job_id"] in app.main.jobs, 10, "the agent's job listed")
        cells = app.main.queue.get_row(str(job["job_id"]))
        assert "An agent's red balloon" in " ".join(getattr(c, "plain", str(c)) for c in cells)
        saved = lambda: app.main.jobs[job["job_id"]].state is JobState.SAVED  # noqa: E731
        await wait_for(pilot, saved, 30, "the agent's job saved by the app")
    assert len(sandbox_tasks()) == 1 and sandbox_jobs()[0].task_id == job["task_id"]
