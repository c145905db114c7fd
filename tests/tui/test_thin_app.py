"""Issue 14, step 6: a thin App. The main screen owns its jobs and their actions; the app does
boot, screens, the engine's lifetime and what is app-wide (quit, help, palette)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from tui_support import sample_jobs, wait_for

from jimeng_tui.domain.job import JobState
from jimeng_tui.tui.app import JimengApp
from jimeng_tui.tui.screens.main import MainScreen
from jimeng_tui.tui.widgets.job_queue import JobQueue

S = JobState
JOB_ACTIONS = (
    "cancel_job",
    "retry_job",
    "rerun_job",
    "load_job",
    "open_file",
    "open_folder",
    "copy_url",
    "copy_path",
    "dismiss_job",
    "job_details",
    "play_preview",
    "copy_file_link",
    "generate",
    "focus_jobs",
    "focus_form",
)
TUI = Path(inspect.getfile(JimengApp)).parent


def test_the_main_screen_owns_its_actions_and_the_app_has_none_of_them():
    for action in JOB_ACTIONS:
        assert callable(getattr(MainScreen, f"action_{action}", None)), action
        assert not hasattr(JimengApp, f"action_{action}"), action
    for name in ("jobs", "board", "show_job", "focus_job", "selected_job", "_show_job"):
        assert not hasattr(JimengApp, name), name
    # the job list's keys run the screen's actions
    for binding in JobQueue.BINDINGS:
        assert binding.action.startswith("screen."), binding.action


def test_no_screen_type_guards_are_left_in_the_studio():
    guards = []
    for path in TUI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", "") == "isinstance"
                and len(node.args) == 2
                and getattr(node.args[1], "id", "") == "MainScreen"
                # the current screen: self.screen, app.screen, acting_screen, a `screen` local
                and ast.unparse(node.args[0]).split(".")[-1] in ("screen", "acting_screen")
            ):
                guards.append(f"{path.name}:{node.lineno}")
    assert guards == []


async def test_the_palette_offers_job_actions_on_the_main_screen_only():
    """The studio palette's job rows run on the main screen; over another screen (the help,
    here) they are not offered, the app-wide rows are."""
    from jimeng_tui.tui.palette import JimengCommands

    app = JimengApp(start_engine=False, bell_on_finish=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.main_ready, 5, "the job list")
        app.main.show_jobs(sample_jobs())
        app.main.focus_job(2)  # failed: re-run and dismiss apply
        await pilot.pause()
        on_main = [hit.text async for hit in JimengCommands(app.main).search("job")]
        assert "Re-run job" in on_main and "Dismiss job" in on_main
        await pilot.press("f1")
        await wait_for(pilot, lambda: app.screen is not app.main, 5, "the help")
        over_help = [hit.text async for hit in JimengCommands(app.screen).search("job")]
        assert "Re-run job" not in over_help and "Dismiss job" not in over_help
        assert "Quit" in [hit.text async for hit in JimengCommands(app.screen).search("quit")]
