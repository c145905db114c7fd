"""The form is kept across restarts (and crashes: saved shortly after each change), earlier
prompts come back with Up in an empty prompt, and Ctrl+L clears the prompt (Ctrl+Z undoes)."""

from __future__ import annotations

import json
import os
import stat

from textual.widgets import Input, Select, TextArea
from tui_support import make_job, wait_engine, wait_for

from jimeng_tui.domain.job import JobState
from jimeng_tui.store.history import History
from jimeng_tui.store.paths import app_paths
from jimeng_tui.tui.form_memory import FORM_FILE


def form_file():
    return app_paths(os.environ).data_dir / FORM_FILE


def saved() -> dict:
    try:
        return json.loads(form_file().read_text())
    except (OSError, ValueError):
        return {}


def prompt_of(app) -> str:
    return app.main.form.query_one("#prompt", TextArea).text


async def test_the_form_survives_a_crash_and_a_restart(sandbox_app):
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        form = app.main.form
        form.focus_prompt()
        await pilot.press(*"a lighthouse in a storm")
        form.query_one("#mode", Select).value = "t2v_1080p"
        form.query_one("#duration", Select).value = 8
        form.query_one("#fps", Select).value = 30
        form.query_one("#seed", Input).value = "1234"
        # saved shortly after the last change, while the app runs: a crash now loses nothing
        await wait_for(pilot, lambda: saved().get("seed") == "1234", 5, "the draft on disk")
        values = saved()
        assert values["prompt"] == "a lighthouse in a storm"
        assert (values["model"], values["duration"], values["fps"]) == ("t2v_1080p", 8, 30)
        assert stat.S_IMODE(form_file().stat().st_mode) == 0o600
        await pilot.press(*" at night")  # the last keys, then straight out
    assert saved()["prompt"] == "a lighthouse in a storm at night"

    again = sandbox_app()
    async with again.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        form = again.main.form
        await wait_for(pilot, lambda: prompt_of(again).endswith("at night"), 5, "the prompt")
        assert form.query_one("#mode", Select).value == "t2v_1080p"
        assert form.query_one("#duration", Select).value == 8
        assert form.query_one("#fps", Select).value == 30
        assert form.query_one("#seed", Input).value == "1234"


async def test_up_in_an_empty_prompt_recalls_earlier_prompts(sandbox_app):
    history = History(app_paths(os.environ).sandbox_history_db)
    for n, prompt in enumerate(["oldest: a fox", "middle: a crow", "newest: a whale"]):
        history.add(make_job(None, JobState.SAVED, prompt=prompt, created_at=1000.0 + n))
    history.close()
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        app.main.form.focus_prompt()
        await pilot.press("up")
        assert prompt_of(app) == "newest: a whale"
        await pilot.press("up", "up")
        assert prompt_of(app) == "oldest: a fox"
        await pilot.press("down")
        assert prompt_of(app) == "middle: a crow"
        await pilot.press("down", "down")
        assert prompt_of(app) == ""  # past the newest: the empty prompt again
        # a prompt of your own is never replaced by an arrow key
        await pilot.press(*"mine", "up", "up")
        assert prompt_of(app) == "mine"
        # Ctrl+L clears the prompt; Ctrl+Z brings it back
        await pilot.press("ctrl+l")
        assert prompt_of(app) == ""
        await pilot.press("ctrl+z")
        assert prompt_of(app) == "mine"
        # a prompt just sent is the first one recalled
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: len(app.main.jobs) == 1, 10, "the job")
        await pilot.press("ctrl+l", "up")
        assert prompt_of(app) == "mine"
