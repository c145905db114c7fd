"""The first screen stays light (issue 20): each widget on it is styled and laid out before the
user sees the whole screen, and each widget class brings its stylesheet to be parsed. The form
was 76 widgets (Textual's compact Select is six each) and parsed Button's 7,000-character
stylesheet for its four buttons; it is now 46 with one-widget drop-downs and buttons that
bring only their own rules. What the screen shows is checked by the snapshots."""

from __future__ import annotations

from tui_support import wait_for

FORM_WIDGETS_AT_MOST = 50
NOT_ON_THE_FIRST_SCREEN = ("Button.DEFAULT_CSS", "Label.DEFAULT_CSS")


async def test_the_whole_first_screen_is_built_of_few_widgets_and_light_stylesheets(
    sandbox_app,
):
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        main = app.main
        await wait_for(
            pilot, lambda: main.form.fields_ready and main.panels_ready, what="whole screen"
        )
        form_widgets = list(main.form.walk_children())
        assert len(form_widgets) <= FORM_WIDGETS_AT_MOST, len(form_widgets)
        parsed = {name for _, name in app.stylesheet.source}
        assert not parsed & set(NOT_ON_THE_FIRST_SCREEN), sorted(parsed)
