"""The app when its engine cannot start: it says why, keeps the file, and quits with code 2."""

from __future__ import annotations

from tui_support import wait_for

from jimeng_tui.tui.app import JimengApp
from jimeng_tui.tui.screens.confirm import QuitNoticeScreen


async def test_an_invalid_config_is_shown_and_esc_quits_with_code_2(isolated_home):
    config = isolated_home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[network]\ntimeout = -5\n", "utf-8")

    app = JimengApp(bell_on_finish=False)  # the real engine factory, reading that file
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, QuitNoticeScreen) and app.screen.query(".confirm-text"),
            10,
            "the notice",
        )
        text = str(app.screen.query_one(".confirm-text").render())
        assert "line 2, column 11" in text and "network.timeout = -5" in text
        assert app.main.header.connection == "not connected"
        shown = [b.description for _, b, _, _ in app.screen.active_bindings.values() if b.show]
        assert shown == ["Quit"]  # Esc quits here; it does not cancel anything
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.return_value is not None, 5, "the app to quit")
    assert app.return_value == 2  # what `jimeng-tui` exits with (run_app returns it)
    assert config.read_text("utf-8") == "[network]\ntimeout = -5\n"  # nothing rewritten
