"""The form offers the models of every service it is handed (a Model selector above Mode), shows
only the fields the chosen model takes, and its result is a service-neutral VideoInput."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Checkbox, Input, Select, TextArea
from tui_support import wait_engine, wait_for

from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.domain.job import JobState
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.tui.app import JimengApp

SEEDANCE_2 = "doubao-seedance-2-0-260128"


def options_of(select: Select) -> list[tuple[str, object]]:
    return [(str(label), value) for label, value in select._options]


def saved_form() -> dict:
    import json
    import os

    from jimeng_tui.store.paths import app_paths
    from jimeng_tui.tui.form_memory import FORM_FILE

    try:
        return json.loads((app_paths(os.environ).data_dir / FORM_FILE).read_text())
    except (OSError, ValueError):
        return {}


def fill(form, **values) -> None:
    """Set the form's fields by widget id (a select's value, an input's text, a checkbox)."""
    for name, value in values.items():
        form.query_one(f"#{name}").value = value


def shown(form, selector: str) -> bool:
    widget = form.query_one(selector)
    return widget.display and not any(a.has_class("-hidden") for a in [widget, *widget.ancestors])


async def test_the_model_selector_lists_both_services_and_shows_each_models_fields(seedance_like):
    app = JimengApp(start_engine=False)
    async with app.run_test(size=(140, 45)) as pilot:
        form = app.main.form
        await wait_for(pilot, lambda: form.fields_ready, what="the form's rows")
        model = form.query_one("#model", Select)
        assert options_of(model) == [
            ("Jimeng 3.0", "service:jimeng3"),
            ("Seedance 2.0", SEEDANCE_2),
            ("Seedance 1.0 lite t2v (retiring)", "doubao-seedance-1-0-lite-t2v-250428"),
        ]
        # Jimeng 3.0: its modes, as before; the camera move for the recamera mode
        assert shown(form, "#mode") and not shown(form, "#resolution")
        form.query_one("#mode", Select).value = "i2v_recamera_720p"
        await pilot.pause()
        form.query_one("#camera_template", Select).value = "dynamic_orbit"
        form.query_one("#first_image", Input).value = "https://example.invalid/a.jpg"
        form.query_one("#last_image", Input).value = "https://example.invalid/b.jpg"
        form.query_one("#prompt", TextArea).load_text("orbit the lighthouse")
        form.query_one("#duration", Select).value = 10
        await pilot.pause()
        assert form.video_input() == VideoInput(
            prompt="orbit the lighthouse",
            model="i2v_recamera_720p",
            duration=10,
            fps=24,
            first_image="https://example.invalid/a.jpg",
            options={"camera_template": "dynamic_orbit", "camera_strength": "medium"},
            image_fields=("first_image", "last_image", "reference_images"),
        )

        # Seedance 2.0: resolutions, ratios with adaptive, 4-15 s, reference images, options
        model.value = SEEDANCE_2
        await pilot.pause()
        assert not shown(form, "#mode") and shown(form, "#resolution")
        assert not shown(form, "#camera_template") and not shown(form, "#fps")
        assert [v for _, v in options_of(form.query_one("#resolution", Select))] == [
            "480p",
            "720p",
            "1080p",
        ]
        assert [v for _, v in options_of(form.query_one("#duration", Select))] == list(range(4, 16))
        assert "adaptive" in [v for _, v in options_of(form.query_one("#aspect_ratio", Select))]
        assert shown(form, "#reference_images") and shown(form, "#generate_audio")
        assert "up to 4 images, comma-separated" in form.query_one("#reference_images").placeholder
        assert not form.query_one("#last_image", Input).disabled  # first + last frame
        assert str(form.query_one("#counter").render()) == "20 / 2000"
        # what no longer applies was said, briefly
        note = list(app._notifications)[-1].message
        assert "not used: camera move" in note, note
        fill(
            form,
            resolution="1080p",
            aspect_ratio="adaptive",
            duration=12,
            last_image="",
            reference_images="a.png, https://example.invalid/c.jpg",
            generate_audio=False,
            seed="77",
        )
        await pilot.pause()
        assert form.video_input() == VideoInput(
            prompt="orbit the lighthouse",
            model=SEEDANCE_2,
            duration=12,  # 10 s is a Seedance 2.0 length too: kept, then changed
            fps=24,
            ratio="adaptive",
            resolution="1080p",
            first_image="https://example.invalid/a.jpg",
            reference_images=("a.png", "https://example.invalid/c.jpg"),
            seed=77,
            options={"generate_audio": False, "watermark": False},
            image_fields=("first_image", "last_image", "reference_images"),
        )

        # a text-only model: no image, no reference; its own options
        model.value = "doubao-seedance-1-0-lite-t2v-250428"
        await pilot.pause()
        assert form.query_one("#first_image", Input).disabled
        assert not shown(form, "#reference_images") and not shown(form, "#generate_audio")
        assert shown(form, "#camera_fixed")
        assert "takes no image" in str(form.query_one("#image-note").render())
        note = list(app._notifications)[-1].message
        assert "not used: first frame, reference images" in note, note
        assert "sound" not in note  # it was off: nothing lost
        video = form.video_input()
        assert (video.first_image, video.reference_images) == (None, ())
        assert video.ratio == "16:9"  # adaptive is not offered: back to the start ratio
        assert video.options == {"camera_fixed": False, "watermark": False}

        # and back to Jimeng 3.0: its fields again, the Seedance ones gone
        model.value = "service:jimeng3"
        await pilot.pause()
        assert shown(form, "#mode") and not shown(form, "#resolution")
        assert not shown(form, "#camera_fixed") and not shown(form, "#reference_images")
        video = form.video_input()
        assert video.model == "i2v_recamera_720p" and video.resolution is None
        assert video.options == {"camera_template": "dynamic_orbit", "camera_strength": "medium"}


async def test_a_jimeng_job_from_the_form_runs_to_a_saved_file_beside_seedance_models(
    sandbox_app, sandbox, seedance_like
):
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        form = app.main.form
        await wait_for(pilot, lambda: form.fields_ready, what="the form's rows")
        assert len(form.query_one("#model", Select)._options) == 3  # the sandbox: every service
        assert not shown(form, "#service-hint")
        form.query_one("#model", Select).value = SEEDANCE_2
        await pilot.pause()
        form.query_one("#model", Select).value = "service:jimeng3"
        form.query_one("#mode", Select).value = "t2v_1080p"
        await pilot.pause()
        form.focus_prompt()
        await pilot.press(*"a kite over the dunes", "ctrl+g")
        await wait_for(pilot, lambda: len(app.main.jobs) == 1, 10, "the job")
        job_id = next(iter(app.main.jobs))
        await wait_for(
            pilot,
            lambda: app.main.jobs[job_id].state is JobState.SAVED,
            60,
            "the video saved",
        )
        job = app.engine.history.get(job_id)
    assert job.mode == "t2v_1080p" and job.prompt == "a kite over the dunes"
    assert Path(job.path).stat().st_size > 0
    assert len(sandbox.submitted_bodies()) == 1


async def test_the_form_memory_keeps_the_model_and_its_own_fields(sandbox_app, seedance_like):
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        form = app.main.form
        await wait_for(pilot, lambda: form.fields_ready, what="the form's rows")
        form.focus_prompt()
        await pilot.press(*"a heron at dawn")
        form.query_one("#model", Select).value = SEEDANCE_2
        await pilot.pause()
        fill(form, resolution="1080p", duration=13, reference_images="a.png, b.png")
        form.query_one("#generate_audio", Checkbox).value = True
        await pilot.pause()
        form.query_one("#generate_audio", Checkbox).value = False  # the last change: saved too
        await wait_for(
            pilot,
            lambda: saved_form().get("options", {}).get("generate_audio") is False,
            5,
            "the draft on disk",
        )
    again = sandbox_app()
    async with again.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        form = again.main.form
        await wait_for(
            pilot, lambda: form.query_one("#prompt", TextArea).text == "a heron at dawn", 5
        )
        video = form.video_input()
        assert (video.model, video.resolution, video.duration) == (SEEDANCE_2, "1080p", 13)
        assert video.reference_images == ("a.png", "b.png")
        assert video.options == {"generate_audio": False, "watermark": False}
        assert shown(form, "#resolution") and not shown(form, "#mode")


async def test_the_seedance_form_gives_what_the_ark_builder_takes(tmp_path):
    """The real Ark table and request builder (registered by the app): the form's VideoInput
    for Seedance 2.0 builds, and the builder's complaint lands on the field it names."""
    from jimeng_tui.services import registry

    (tmp_path / "harbour.png").write_bytes(b"not read here")
    app = JimengApp(start_engine=False)
    async with app.run_test(size=(140, 45)) as pilot:
        form = app.main.form
        await wait_for(pilot, lambda: form.fields_ready, what="the form's rows")
        form.query_one("#model", Select).value = SEEDANCE_2
        await pilot.pause()
        form.query_one("#prompt", TextArea).load_text("boats leave the harbour at dawn")
        fill(form, resolution="1080p", duration=11, first_image="harbour.png", seed="5")
        fill(form, aspect_ratio="adaptive", generate_audio=True)
        await pilot.pause()
        built = registry.codec("ark").build(form.video_input(), base_dir=tmp_path)
        params = built.params
        assert (built.service, built.summary.model) == ("ark", SEEDANCE_2)
        assert (params["resolution"], params["ratio"], params["duration"]) == (
            "1080p",
            "adaptive",
            11,
        )
        assert params["first_image"] == str(tmp_path / "harbour.png")
        assert params["generate_audio"] is True and params["seed"] == 5
        # adaptive without an image: the builder says no, next to the Ratio field
        form.query_one("#first_image", Input).value = ""
        await pilot.pause()
        with pytest.raises(ValidationError) as refused:
            registry.codec("ark").build(form.video_input(), base_dir=tmp_path)
        form.show_error(refused.value.field, refused.value.reason)
        await pilot.pause()
        assert "adaptive" in str(form.query_one("#err-aspect_ratio").render())


async def test_a_seedance_job_loads_back_into_the_form():
    """A past Seedance job's request (what the Ark builder made) fills the form: the model, its
    fields and its options."""
    from jimeng_tui.services import registry
    from jimeng_tui.session.services import register_builtin

    register_builtin()
    built = registry.codec("ark").build(
        VideoInput(
            prompt="a lantern festival",
            model="seedance-2.0",
            duration=9,
            resolution="480p",
            ratio="9:16",
            first_image="https://example.invalid/lanterns.jpg",
            seed=123,
            options={"generate_audio": True, "watermark": True},
        ),
        base_dir=Path.cwd(),
    )
    app = JimengApp(start_engine=False)
    async with app.run_test(size=(140, 45)) as pilot:
        form = app.main.form
        await wait_for(pilot, lambda: form.fields_ready, what="the form's rows")
        app.load_request(built)
        await pilot.pause()
        video = form.video_input()
    assert (video.model, video.duration, video.resolution, video.ratio) == (
        SEEDANCE_2,
        9,
        "480p",
        "9:16",
    )
    assert video.first_image == "https://example.invalid/lanterns.jpg" and video.seed == 123
    assert video.options["generate_audio"] is True and video.options["watermark"] is True
