"""Help (F1 / ?): the current screen's keys (as remapped), the modes and their waits, where
files go; ``?`` typed in a text field stays text."""

from __future__ import annotations

import os

from textual.widgets import TextArea
from tui_support import wait_engine, wait_for

from jimeng_tui.store.config import Config, save_config
from jimeng_tui.store.paths import app_paths
from jimeng_tui.tui.screens.help import HelpScreen


def help_text(app) -> str:
    screen = app.screen
    assert isinstance(screen, HelpScreen)
    parts = []
    for static in screen.query("Static"):
        rendered = static.content
        console = app.console
        parts.append(
            "\n".join(
                "".join(seg.text for seg in line)
                for line in console.render_lines(rendered, console.options.update(width=118))
            )
        )
    return "\n".join(parts)


async def open_help(pilot, key: str) -> str:
    """Press ``key``; returns the help's text once it shows."""
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), 5, "the help")
    # the screen is pushed before its text is mounted: on a loaded machine that is a frame later
    await wait_for(pilot, lambda: "Keys" in help_text(pilot.app), 5, "the help's text")
    return help_text(pilot.app)


async def test_f1_shows_the_studio_keys_modes_and_paths(sandbox_app):
    save_config(Config(keys={"generate": "f9", "cancel_job": "k"}), app_paths(os.environ))
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        text = await open_help(pilot, "f1")
        assert "F9" in text and "Generate" in text  # the remapped key, not Ctrl+G
        assert "^g" not in text and "ctrl+g" not in text.lower()
        assert "History" in text and "Settings" in text
        assert "Job list" in text and "Cancel" in text
        assert "k " in text  # the job list's remapped cancel key
        assert "6 s" in text and "rendered as 10 s" in text
        assert "i2v_first_tail_720p" in text
        assert str(app.engine.paths.history_db) in text  # as `jimeng-tui locate` prints
        assert str(app.engine.runner.settings.output_dir) in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen), 5, "closed")


async def test_question_mark_is_text_in_the_prompt_and_help_in_the_job_list(sandbox_app):
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        app.main.form.focus_prompt()
        await pilot.press("w", "h", "y", "question_mark")
        await pilot.pause()
        assert app.main.form.query_one("#prompt", TextArea).text == "why?"
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f4")  # the job list: no text field, so ? is help
        text = await open_help(pilot, "question_mark")
        assert "Re-run" in text and "Dismiss" in text


async def test_help_on_the_history_screen_lists_its_keys(sandbox_app):
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        await pilot.press("f3")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HistoryScreen", 5, "history")
        await pilot.pause(0.2)
        text = await open_help(pilot, "f1")
        assert "Help · History" in str(app.screen.query_one("#help").border_title)
        assert "Export" in text and "Search" in text


async def test_f1_in_settings_lists_the_dialog_keys(sandbox_app):
    from tui_support import open_settings

    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await open_settings(pilot)
        text = await open_help(pilot, "f1")
        assert "F10" in text and "Save" in text and "Cancel" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SettingsScreen", 5, "back")


async def test_the_help_lists_every_model_of_every_service_from_the_registry(sandbox_app):
    """Jimeng 3.0's modes and Seedance's models, with what goes in and the lengths offered, as
    the services' capabilities say (nothing written twice)."""
    from jimeng_tui.services import registry
    from jimeng_tui.tui.model_names import short_model_name

    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        text = await open_help(pilot, "f1")
    assert "Jimeng 3.0" in text and "Seedance" in text
    for caps in registry.all_capabilities():
        assert caps.label in text
        for model in caps.models:
            assert short_model_name(model.id) in text, model.id
    seedance = registry.find_model("seedance-2.0")[1]
    low, high = min(seedance.durations), max(seedance.durations)
    lines = text.splitlines()
    at = next(n for n, line in enumerate(lines) if "seedance-2.0 " in line)
    row = " ".join(lines[at : at + 3])  # "what goes in" wraps
    assert "first frame" in row and "sound" in row and f"{low}–{high} s" in row, row
    assert "Any mode" not in text
