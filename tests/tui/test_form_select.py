"""The form's drop-downs (``FormSelect``, issue 20: one widget each on the first screen instead of
Textual's six) keep Textual's keys and mouse: Enter opens, the arrows move, Enter picks, typing
jumps to a matching option, Escape closes without a change, a click opens; the form follows
what was picked (the mode's notes, the cost line)."""

from __future__ import annotations

from textual.widgets import Select, Static
from tui_support import wait_engine, wait_for

from jimeng_tui.tui.widgets.form_select import FormSelect


def shown(widget) -> str:
    return str(widget.render())


def line_at(app, widget) -> str:
    """The characters the screen shows on the widget's line, across its width."""
    region = widget.region
    strip = app.screen._compositor.render_strips()[region.y]
    text = "".join(segment.text for segment in strip)
    return text[region.x : region.right]


async def ready_form(pilot):
    await wait_engine(pilot)
    form = pilot.app.main.form
    await wait_for(pilot, lambda: form.fields_ready, what="the form's rows")
    return form


async def test_keys_open_move_and_pick_in_the_form_drop_downs(sandbox_app):
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        form = await ready_form(pilot)
        mode = form.query_one("#mode", Select)
        assert isinstance(mode, FormSelect)
        assert list(mode.children) == []  # one widget until it is opened
        assert line_at(app, mode).startswith("t2v_720p · text")
        assert line_at(app, mode).rstrip().endswith("▼")
        mode.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: mode.expanded, what="the list open")
        overlay = mode.query_one("SelectOverlay")
        assert overlay.has_focus and overlay.region.y == mode.region.y + 1  # under the value
        await pilot.press("down", "down", "down", "enter")  # t2v_1080p, ti2v_pro, i2v_first_720p
        await wait_for(pilot, lambda: not mode.expanded, what="the list closed")
        assert mode.value == "i2v_first_720p" and mode.has_focus
        assert line_at(app, mode).startswith("i2v_first_720p · first frame")
        # the form follows: this mode takes an image, so the "takes no image" note goes
        note = form.query_one("#image-note", Static)
        await wait_for(pilot, lambda: "no image" not in shown(note), what="the mode's note")

        await pilot.press("enter", *"recam")  # typing jumps to the option that matches
        await pilot.press("enter")
        await wait_for(pilot, lambda: mode.value == "i2v_recamera_720p", what="typed choice")
        assert form.query_one("#camera_template", Select).display  # its options appear

        duration = form.query_one("#duration", Select)
        before = duration.value
        duration.focus()
        await pilot.press("down", "down", "escape")  # opened, moved, closed: no change
        await wait_for(pilot, lambda: not duration.expanded, what="the list closed")
        assert duration.value == before and duration.has_focus


async def test_a_click_opens_a_drop_down_and_a_click_picks(sandbox_app):
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        form = await ready_form(pilot)
        fps = form.query_one("#fps", Select)
        await pilot.click(fps)
        await wait_for(pilot, lambda: fps.expanded, what="the list open")
        assert line_at(app, fps).rstrip().endswith("▲")
        overlay = fps.query_one("SelectOverlay")
        values = [value for _, value in fps._options]
        other = next(v for v in values if v != fps.value)
        await pilot.click(overlay, offset=(2, values.index(other)))
        await wait_for(pilot, lambda: fps.value == other, what="the clicked frame rate")
        assert not fps.expanded
