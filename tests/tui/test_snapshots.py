"""Snapshots of every screen at the smallest supported size (80×24) and a roomy one (140×45),
the main screen also at 200×50.

Jobs are fixed Job objects and the app's clock is frozen, so the pictures never drift.
Regenerate with ``pytest tests/tui/test_snapshots.py --snapshot-update`` and look at the SVGs
before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_support import FIXTURES, FROZEN_NOW, sample_jobs

from jimeng_tui.domain.events import ThrottleState
from jimeng_tui.store.config import Config, CredentialsConfig
from jimeng_tui.tui.app import JimengApp
from jimeng_tui.tui.messages import DownloadProgressed

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((140, 45), id="140x45")]
# The main screen also wide: the job table's columns must use the room they have.
MAIN_SIZES = [*SIZES, pytest.param((200, 50), id="200x50")]
CONFIG_PATH = "/home/ada/.config/jimeng-tui/config.toml"


def make_app() -> JimengApp:
    return JimengApp(start_engine=False, clock=lambda: FROZEN_NOW, bell_on_finish=False)


async def ready(pilot) -> None:
    """Wait until the main screen is composed (run_before runs as soon as the app starts)."""
    from jimeng_tui.tui.widgets.job_queue import JobQueue

    for _ in range(100):
        if pilot.app.screen_stack and pilot.app.screen_stack[0].query(JobQueue):
            break
        await pilot.pause(0.02)
    await pilot.pause()


async def wait_until(pilot, predicate, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError("the screen did not settle")


def tree_labels(app: JimengApp) -> str:
    from textual.widgets import DirectoryTree

    found = app.screen.query(DirectoryTree)
    if not found:
        return ""
    return " ".join(str(node.label) for node in found.first().root.children)


def preview_text(app: JimengApp) -> str:
    found = app.screen.query("#preview-info")
    return str(found.first().render()) if found else ""


def markdown_ready(app: JimengApp, text: str) -> bool:
    """The details pane shows ``text`` and its Markdown blocks are mounted."""
    details = app.main.details
    return text in details.markdown_text and bool(details.query("MarkdownBulletList"))


def live_header(app: JimengApp, running: int = 0) -> None:
    header = app.main.header
    header.set_engine(sandbox=False, access_key="AK…7F2Q")
    header.set_throttle(ThrottleState(running, 5, 5, None, 0.0))


async def live_form(pilot):
    """The main screen with the live header and the form's fields in place; the form."""
    await ready(pilot)
    live_header(pilot.app)
    form = pilot.app.main.form
    await wait_until(pilot, lambda: form.fields_ready)
    return form


@pytest.mark.parametrize("size", MAIN_SIZES)
def test_main_screen_empty(snap_compare, size):
    app = make_app()

    async def run_before(pilot):
        await ready(pilot)
        live_header(app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", MAIN_SIZES)
def test_main_screen_with_jobs(snap_compare, size):
    app = make_app()

    async def run_before(pilot):
        await ready(pilot)
        live_header(app, running=2)
        app.main.show_jobs(sample_jobs())
        app.main.post_message(DownloadProgressed(3, 6_300_000, 10_000_000))
        form = app.main.form
        form.query_one("#prompt").load_text(
            "A golden retriever running through a field of sunflowers, warm afternoon sun"
        )
        await pilot.pause()
        app.main.focus_job(1)  # the saved one: the original skill's block
        await wait_until(pilot, lambda: markdown_ready(app, "Save Path"))
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def jobs_shown(pilot, select: int | None = None) -> None:
    """The sample jobs in the list (``select``: that job selected, the list focused)."""
    app = pilot.app
    await ready(pilot)
    live_header(app, running=2)
    app.main.show_jobs(sample_jobs())
    await pilot.pause()
    if select is not None:
        app.main.focus_job(select)
        app.main.queue.focus()


@pytest.mark.parametrize("size", MAIN_SIZES)
def test_main_screen_failed_job_selected(snap_compare, size):
    app = make_app()

    async def run_before(pilot):
        await jobs_shown(pilot, select=2)  # 50412: code, message and what to do
        await wait_until(pilot, lambda: markdown_ready(app, "What to do"))
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_file_picker(snap_compare, size, monkeypatch):
    from jimeng_tui.tui.screens.file_picker import FilePickerScreen

    monkeypatch.chdir(FIXTURES)
    app = make_app()

    async def run_before(pilot):
        await ready(pilot)
        app.push_screen(FilePickerScreen(Path("pictures"), title="First frame: choose an image"))
        await wait_until(pilot, lambda: "beach.png" in tree_labels(app))
        await pilot.press("down", "down")  # holiday/ → beach.png
        await wait_until(pilot, lambda: "PNG 640×360" in preview_text(app))
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_first_run_dialog(snap_compare, size):
    from jimeng_tui.tui.screens.first_run import FirstRunScreen

    app = make_app()

    async def run_before(pilot):
        await ready(pilot)
        app.main.header.connection = "no credentials"
        app.push_screen(FirstRunScreen(CONFIG_PATH))
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_settings_screen(snap_compare, size):
    from jimeng_tui.tui.screens.settings import SettingsScreen

    app = make_app()
    config = Config(credentials=CredentialsConfig("AKLTEXAMPLEKEY00007F2Q", "s3cret-never-shown"))

    async def run_before(pilot):
        await ready(pilot)
        live_header(app)
        app.push_screen(
            SettingsScreen(
                config,
                env_overrides={"network.timeout": "JIMENG_VIDEO_API_TIMEOUT"},
                config_path=CONFIG_PATH,
                videos_dir="/home/ada/Videos/jimeng",
                masked_key="AK…7F2Q",
            )
        )
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_job_details_dialog(snap_compare, size):
    """Enter on a job: its details with room to read them (at 80×24 the only way)."""
    app = make_app()

    async def run_before(pilot):
        await jobs_shown(pilot, select=2)
        # The main screen's own details pane settles first: it shows behind the dialog.
        await wait_until(pilot, lambda: markdown_ready(app, "What to do"))
        await pilot.pause(0.1)
        await pilot.press("enter")
        await wait_until(
            pilot,
            lambda: (
                "What to do" in getattr(app.screen, "details", app.main.details).markdown_text
                and app.screen is not app.main
            ),
        )
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_paid_confirmation(snap_compare, size):
    """r on a job: what a re-run sends and that it is billed, before anything is sent."""
    from jimeng_tui.domain.request import VideoInput
    from jimeng_tui.jobs.request_builder import build_request
    from jimeng_tui.tui.screens.paid_guard import confirm_paid

    app = make_app()

    async def run_before(pilot):
        await jobs_shown(pilot)
        confirm_paid(
            app,
            title="Re-run job 1?",
            what="Send job 1 (saved) again as a new job, with the same parameters and seed.",
            requests=[
                build_request(
                    VideoInput(prompt="a", model="t2v_720p", duration=4, fps=30),
                    base_dir=Path.cwd(),
                )
            ],
            proceed=lambda: None,
        )
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
