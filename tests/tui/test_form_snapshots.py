"""Snapshots of the form with a Seedance-like model chosen (its resolution, reference images and
options rows), and of a form offering Jimeng 3.0 only, with the line saying how to add the
other service. Regenerate with ``--snapshot-update`` and look at the SVGs before committing."""

from __future__ import annotations

import pytest
from test_snapshots import MAIN_SIZES, SIZES, live_form, make_app
from textual.widgets import Input, Select


@pytest.mark.parametrize("size", MAIN_SIZES)
def test_form_with_a_seedance_model(snap_compare, size, seedance_like):
    app = make_app()

    async def run_before(pilot):
        form = await live_form(pilot)
        form.query_one("#model", Select).value = "doubao-seedance-2-0-260128"
        await pilot.pause()
        form.query_one("#prompt").load_text("A paper boat drifting down a rain gutter, macro")
        form.query_one("#duration", Select).value = 8
        form.query_one("#aspect_ratio", Select).value = "adaptive"
        form.query_one("#first_image", Input).value = "~/shots/boat.png"
        form.query_one("#reference_images", Input).value = "~/shots/gutter.png"
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_form_offering_jimeng_only_says_how_to_add_seedance(snap_compare, size, seedance_like):
    app = make_app()

    async def run_before(pilot):
        from jimeng_tui.services import registry

        form = await live_form(pilot)
        form.set_services(
            (registry.capabilities("jimeng3"),),
            "Seedance models: add an Ark API key in Settings (F2).",
        )
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
