"""No paid generation on one unguarded key press (issue 12, item 8).

Against the sandbox over a real socket: the sandbox's own log of submits says what was paid for.
"""

from __future__ import annotations

import os
import tomllib

from textual.widgets import Select, TextArea
from tui_support import wait_engine, wait_for

from jimeng_tui.domain.job import JobState
from jimeng_tui.store.config import Config, save_config
from jimeng_tui.store.paths import app_paths
from jimeng_tui.tui.screens.paid_guard import PaidConfirmScreen, paid_summary

S = JobState


async def one_saved_job(pilot, prompt: str = "a red kite") -> None:
    app = pilot.app
    await wait_engine(pilot)
    app.main.form.focus_prompt()
    await pilot.press(*prompt, "ctrl+g")
    await wait_for(
        pilot,
        lambda: any(j.state is S.SAVED for j in app.main.jobs.values()),
        30,
        "the first job saved",
    )


def prompt_text(app) -> str:
    return app.main.form.query_one("#prompt", TextArea).text


async def test_a_word_typed_into_the_job_list_goes_to_the_prompt_not_to_actions(
    sandbox_app, sandbox
):
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await one_saved_job(pilot)
        await pilot.press("f4")
        assert app.focused is app.main.queue
        # r re-runs, l loads, d dismisses, c cancels, o opens: typed fast, they are a word
        await pilot.press(*"rolled cloud", "enter", *"dr")
        await pilot.pause(0.5)
        assert prompt_text(app) == "a red kiterolled cloud\ndr"
        assert app.focused is app.main.form.query_one("#prompt")
        assert not isinstance(app.screen, PaidConfirmScreen)
        assert len(app.main.jobs) == 1  # nothing dismissed, nothing re-run
        # a letter the list has no action for is text at once
        await pilot.press("f4", "z")
        await pilot.pause(0.3)
        assert prompt_text(app).endswith("dr" + "z")
    assert len(sandbox.submitted_bodies()) == 1


async def test_rerun_asks_with_what_it_costs_and_sends_only_on_yes(sandbox_app, sandbox):
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await one_saved_job(pilot)
        await pilot.press("f4", "r")  # one key, nothing after it: an action
        await wait_for(pilot, lambda: isinstance(app.screen, PaidConfirmScreen), 5, "the dialog")
        text = app.screen.text
        assert "t2v_720p · 5 s at 24 fps" in text and "1 new generation" in text
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert len(app.main.jobs) == 1
        assert any("Nothing was sent" in n.message for n in app._notifications)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, PaidConfirmScreen), 5, "the dialog")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(app.main.jobs) == 2, 10, "the re-run job")
        await wait_for(pilot, lambda: len(sandbox.submitted_bodies()) == 2, 10, "its submit")
    assert len(sandbox.submitted_bodies()) == 2


async def test_history_rerun_asks_first(sandbox_app, sandbox):
    from jimeng_tui.tui.screens.history import HistoryScreen

    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await one_saved_job(pilot)
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen), 5, "history")
        history = app.screen
        await wait_for(pilot, lambda: history.highlighted is not None, 10, "a history row")
        history.table.focus()
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, PaidConfirmScreen), 5, "the dialog")
        await pilot.press("n")
        await pilot.pause(0.3)
        assert app.screen is history and len(app.main.jobs) == 1
    assert len(sandbox.submitted_bodies()) == 1


async def test_confirmations_can_be_turned_off_in_settings(sandbox_app, sandbox):
    paths = app_paths(os.environ)
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await one_saved_job(pilot)
        await pilot.press("f2")
        await wait_for(pilot, lambda: bool(app.screen.query("#settings-save")), 5, "settings")
        choice = app.screen.query_one("#set-defaults-confirm_paid", Select)
        assert choice.value is True
        choice.value = False
        app.screen.query_one("#settings-save").press()
        await wait_for(pilot, lambda: paths.config_file.exists(), 5, "the config saved")
        await wait_for(
            pilot,
            lambda: app.engine is not None and not app.engine.loaded.config.defaults.confirm_paid,
            10,
            "the engine reopened with the new setting",
        )
        assert tomllib.loads(paths.config_file.read_text())["defaults"]["confirm_paid"] is False
        before = len(sandbox.submitted_bodies())
        await pilot.press("f4", "r")
        await wait_for(
            pilot, lambda: len(sandbox.submitted_bodies()) == before + 1, 10, "the re-run"
        )
        assert not isinstance(app.screen, PaidConfirmScreen)


def test_the_config_keeps_confirm_paid_and_refuses_nonsense(tmp_path):
    from jimeng_tui.store.config import ConfigError, load_config

    paths = app_paths(os.environ)
    assert Config().defaults.confirm_paid is True
    config = Config()
    config.defaults.confirm_paid = False
    save_config(config, paths)
    assert load_config(paths, {}).config.defaults.confirm_paid is False
    paths.config_file.write_text('[defaults]\nconfirm_paid = "maybe"\n')
    try:
        load_config(paths, {})
    except ConfigError as exc:
        assert "confirm_paid" in str(exc) and "true or false" in str(exc)
    else:
        raise AssertionError("a bad confirm_paid was accepted")


def test_the_summary_counts_several_generations():
    from pathlib import Path

    from jimeng_tui.domain.request import VideoInput
    from jimeng_tui.jobs.request_builder import build_request

    def built(**fields):
        return build_request(VideoInput(**fields), base_dir=Path.cwd())

    one = built(prompt="a", model="t2v_720p", duration=4, fps=30)
    seedance = built(prompt="c", model="seedance-2.0", duration=6, options={"generate_audio": True})
    text = paid_summary([one, one, built(prompt="b", model="t2v_1080p"), seedance])
    assert text.startswith("4 new generations:")
    assert "2 × t2v_720p · 4 s at 30 fps (the service renders 5 s at 24 fps)" in text
    assert "1 × t2v_1080p · 5 s at 24 fps" in text
    assert "1 × seedance-2.0 · 6 s at 24 fps, 720p, with sound" in text


async def test_an_action_letter_acts_on_the_job_it_was_pressed_on():
    from tui_support import FROZEN_NOW, sample_jobs

    from jimeng_tui.tui.app import JimengApp

    app = JimengApp(start_engine=False, clock=lambda: FROZEN_NOW, bell_on_finish=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.main_ready, 5, "the job list")
        app.main.show_jobs(sample_jobs())
        await pilot.pause()
        app.main.focus_job(2)  # failed: can be dismissed; job 1 below it too
        app.main.queue.focus()
        await pilot.press("d", "down")  # d, then at once Down
        await wait_for(pilot, lambda: 2 not in app.main.jobs, 5, "job 2 dismissed")
        assert 1 in app.main.jobs
        # a letter followed at once by F4 (to the prompt) is dropped, not typed
        await pilot.press("d", "f4")
        await pilot.pause(0.5)
        assert 1 in app.main.jobs and prompt_text(app) == ""
