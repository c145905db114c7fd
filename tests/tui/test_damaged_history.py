"""The app on a damaged history, a full disk, or with nowhere to save: it says so (which file,
what to run) instead of crashing, keeps every file, and sends nothing."""

from __future__ import annotations

import os

import pytest
from history_damage import damage, full_disk, make_history
from tui_support import wait_engine, wait_for

from jimeng_tui.domain.request import VideoInput
from jimeng_tui.store.paths import app_paths
from jimeng_tui.tui.app import JimengApp
from jimeng_tui.tui.screens.confirm import QuitNoticeScreen


async def _notice_text(app, pilot) -> str:
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, QuitNoticeScreen) and app.screen.query(".confirm-text"),
        15,
        "the notice",
    )
    return str(app.screen.query_one(".confirm-text").render())


async def test_a_damaged_history_shows_which_file_and_the_doctor_command(isolated_home):
    db = app_paths().history_db
    db.parent.mkdir(parents=True)
    make_history(db)
    damage(db)
    before = db.read_bytes()

    app = JimengApp(bell_on_finish=False)  # the real engine factory, on that file
    async with app.run_test(size=(100, 30)) as pilot:
        text = await _notice_text(app, pilot)
        flat = " ".join(text.split())
        assert str(db) in flat.replace(" ", "") or db.name in flat
        assert "damaged" in flat and "jimeng-tui doctor --rebuild" in flat
        assert app.screen.dialog_title == "Cannot start"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.return_value is not None, 5, "the app to quit")
    assert app.return_value == 2
    assert db.read_bytes() == before  # left as it was, for the doctor


async def test_a_full_disk_is_not_called_a_damaged_history(isolated_home, monkeypatch):
    db = app_paths().history_db
    db.parent.mkdir(parents=True)
    make_history(db, count=20)

    full_disk(monkeypatch, at_open=True)
    app = JimengApp(bell_on_finish=False)
    async with app.run_test(size=(100, 30)) as pilot:
        flat = " ".join((await _notice_text(app, pilot)).split())
        assert "is full" in flat and "Nothing was lost" in flat
        assert "damaged" not in flat and "doctor" not in flat
        await pilot.press("escape")


async def _generate_with_config(sandbox_app, config_text: str, image: str | None = None) -> str:
    """Press Generate with ``config_text`` as config.toml (and ``image`` as the first frame
    of an image-to-video request); the form's error messages."""
    config = app_paths().config_file
    config.parent.mkdir(parents=True)
    config.write_text(config_text, encoding="utf-8")
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        if image is not None:
            app.main.form.load_input(VideoInput(prompt="x", model="i2v_first_720p"))
            app.main.form.set_image("first_image", image)
            await pilot.pause()
        app.main.form.query_one("#prompt").text = "A red kite over the sea"
        app.main.action_generate()
        await wait_for(pilot, lambda: _form_errors(app), 10, "an error under the form")
        await pilot.pause(0.3)  # a job, had one been made, would be on its way now
        return _form_errors(app)


async def test_generate_with_an_unwritable_output_folder_shows_it_and_sends_nothing(
    sandbox_app, sandbox, tmp_path
):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    shown = await _generate_with_config(
        sandbox_app, f'[defaults]\noutput_dir = "{blocker}/videos"\n'
    )
    assert f"{blocker} is a file, not a folder" in shown and "nothing was sent" in shown
    assert "from output_dir in" in shown  # where the folder was set
    assert sandbox.submitted_bodies() == []


async def test_generate_with_an_unknown_template_placeholder_names_it(sandbox_app, sandbox):
    shown = await _generate_with_config(
        sandbox_app, '[defaults]\nfilename_template = "{date}_{title}"\n'
    )
    assert "unknown placeholder {title}" in shown
    assert "{task_id}" in shown  # the allowed ones are listed
    assert sandbox.submitted_bodies() == []


def _form_errors(app) -> str:
    from jimeng_tui.tui.widgets.form_fields import FieldError

    texts = [str(w.render()) for w in app.main.form.query(FieldError) if w.shown]
    return " ".join(" ".join(texts).split())


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("image", "shown"),
    [
        ("{fifo}", "is a named pipe (FIFO), not an image file"),
        ("/dev/zero", "is a character device, not an image file"),
        ("ftp://example.com/a.jpg", "only http(s) URLs or local files are accepted"),
    ],
)
async def test_the_form_refuses_what_the_command_line_refuses(
    sandbox_app, sandbox, tmp_path, image, shown
):
    fifo = tmp_path / "frame.jpg"
    os.mkfifo(fifo)  # reading it would hang the app
    errors = await _generate_with_config(sandbox_app, "", image.replace("{fifo}", str(fifo)))
    assert shown in errors
    assert sandbox.submitted_bodies() == []
