"""The prompt form on its own: rules per mode, inline errors, loading a job's parameters."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Select
from tui_support import wait_for

from jimeng_tui.domain.request import VideoInput
from jimeng_tui.jobs.request_builder import build_request
from jimeng_tui.tui.app import JimengApp
from jimeng_tui.tui.screens.main import MainScreen


async def test_recamera_needs_a_template_and_shows_why():
    app = JimengApp(start_engine=False)
    async with app.run_test(size=(140, 45)) as pilot:
        form = app.main.form
        await wait_for(pilot, lambda: form.fields_ready, what="the form's rows")
        assert form.query_one("#choice-options").has_class("-hidden")
        assert not form.query("#camera_template")  # made the first time it is needed
        form.query_one("#mode", Select).value = "i2v_recamera_720p"
        await pilot.pause()
        assert not form.query_one("#choice-options").has_class("-hidden")
        assert form.query_one("#camera_template").display
        assert form.query_one("#aspect_ratio", Select).disabled  # the ratio comes from the image
        assert "ratio from the image" in str(form.query_one("#ratio-note").render())
        form.query_one("#first_image", Input).value = "https://example.invalid/a.jpg"
        form.query_one("#prompt").load_text("orbit around the lighthouse")
        await pilot.pause()
        assert form.submit() is None
        await pilot.pause()
        error = form.query_one("#err-camera_template")
        assert "needs a camera template" in str(error.render())
        form.query_one("#camera_template", Select).value = "dynamic_orbit"
        await pilot.pause()
        request = form.submit()
        assert request is not None and request.params["camera_template"] == "dynamic_orbit"
        assert request.params["camera_strength"] == "medium"
        assert request.params["aspect_ratio"] is None
        await pilot.pause()
        # no engine yet in this test: the app keeps the request for when it connects
        assert any("starts as soon as" in n.message for n in app._notifications)


async def test_load_request_round_trips_and_counter_counts():
    app = JimengApp(start_engine=False)
    async with app.run_test(size=(80, 24)) as pilot:
        form = app.main.form
        original = build_request(
            VideoInput(
                prompt="The flower opens",
                model="i2v_first_tail_720p",
                duration=10,
                fps=30,
                first_image="/tmp/a.png",
                last_image="/tmp/b.png",
                seed=7,
            ),
            base_dir=Path.cwd(),
        )
        app.load_request(original)
        await pilot.pause()
        assert str(form.query_one("#counter").render()) == "16 / 800"
        assert form.build_request().params == original.params
        assert "converted from 24 to 30 fps" in str(form.query_one("#conform-note").render())
        # over the limit: the counter turns red and Generate says why
        form.query_one("#prompt").load_text("x" * 801)
        await pilot.pause()
        assert form.query_one("#counter").has_class("-over")
        assert form.submit() is None
        await pilot.pause()
        assert "at most 800" in str(form.query_one("#err-prompt").render())


async def test_what_arrives_before_the_rows_mount_is_applied_when_they_do():
    """The rows under the prompt mount one frame after it (a quicker first screen); a job
    loaded, an image picked or Generate pressed in that frame waits for them, in order."""
    request = build_request(
        VideoInput(
            prompt="a lighthouse at dusk",
            model="i2v_first_720p",
            duration=10,
            fps=30,
            first_image="https://example.invalid/loaded.jpg",  # then a picked one replaces it
            seed=3,
        ),
        base_dir=Path.cwd(),
    )
    seen: dict[str, bool] = {}

    class EarlyScreen(MainScreen):
        def on_mount(self) -> None:
            form = self.form
            seen["rows_mounted"] = form.fields_ready or bool(form.query("#mode"))
            self.load_request(request)
            form.set_image("first_image", "https://example.invalid/first.jpg")
            form.submit()

    class EarlyApp(JimengApp):
        def get_default_screen(self):
            return EarlyScreen(clock=self.clock)

    app = EarlyApp(start_engine=False)
    async with app.run_test(size=(140, 45)) as pilot:
        form = app.main.form
        await wait_for(pilot, lambda: form.fields_ready, what="the form's rows")
        await pilot.pause()
        assert seen == {"rows_mounted": False}
        assert form.query_one("#mode", Select).value == "i2v_first_720p"
        assert form.query_one("#duration", Select).value == 10
        assert form.query_one("#first_image", Input).value == "https://example.invalid/first.jpg"
        assert form.build_request().params["first_image"] == "https://example.invalid/first.jpg"
        # Generate was pressed before the rows existed: it still reached the app
        await wait_for(
            pilot,
            lambda: any("starts as soon as" in n.message for n in app._notifications),
            what="the early Generate",
        )


async def test_a_blank_seed_is_random_and_never_marked_invalid():
    app = JimengApp(start_engine=False)
    async with app.run_test(size=(140, 45)) as pilot:
        form = app.main.form
        await wait_for(pilot, lambda: form.fields_ready, what="the form's rows")
        seed = form.query_one("#seed", Input)
        seed.focus()
        await pilot.press("enter")  # submitting the blank field, then leaving it
        await pilot.press("tab")
        await pilot.pause()
        assert not seed.has_class("-invalid")
        seed.focus()
        await pilot.press(*"12x")  # an integer field: the letter is refused as typed
        assert seed.value == "12"
