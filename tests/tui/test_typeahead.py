"""Text typed while the app starts lands in the prompt, and terminal replies never do."""

from __future__ import annotations

from textual import events
from textual.widgets import TextArea
from tui_support import wait_for

from jimeng_tui.tui.app import JimengApp
from jimeng_tui.tui.terminal_probe import key_events, typed_input


def test_terminal_replies_are_removed_and_the_keys_kept():
    # a device-attributes reply, a kitty graphics reply and a cell-size reply around the keys
    raw = b"\x1b[?1;2cqu\x1b_Gi=31;EINVAL\x1b\\ick\x1b[6;16;8t ty\x1b[Aping\x07"
    typed = typed_input(raw)
    assert typed == "quick ty\x1b[Aping\x07"
    keys = [event.key for event in key_events(typed)]
    assert keys == [*"quick", "space", "t", "y", "up", *"ping", "ctrl+g"]
    assert [event.key for event in key_events(typed_input("城市".encode()))] == ["城", "市"]
    assert typed_input(b"\x1b[?62;4;22c") == ""


async def test_text_typed_before_the_first_frame_reaches_the_prompt():
    class EarlyKeys(JimengApp):
        def on_mount(self) -> None:
            super().on_mount()
            for ch in "lights":  # keys arriving before anything is on screen
                self.post_message(events.Key(ch, ch))

    app = EarlyKeys(start_engine=False, typeahead="city\x1b[D\x1b[C ")  # ← → then a space
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        prompt = app.main.form.query_one("#prompt", TextArea)
        assert prompt.text == "city lights"
        assert str(app.main.form.query_one("#counter").render()) == "11 / 800"
        await pilot.press("!")  # typing goes on where it left off
        assert prompt.text == "city lights!"


async def test_generate_pressed_before_the_first_frame_is_not_lost():
    class EarlyGenerate(JimengApp):
        def on_mount(self) -> None:
            super().on_mount()
            self.post_message(events.Key("g", "g"))
            self.post_message(events.Key("ctrl+g", None))

    app = EarlyGenerate(start_engine=False, typeahead="fo")  # typed during the image probe
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(
            pilot,
            lambda: any("starts as soon as" in n.message for n in app._notifications),
            what="the early Ctrl+G",
        )
        assert app.main.form.query_one("#prompt", TextArea).text == "fog"


async def test_quitting_in_the_first_frame_is_clean():
    class QuitAtOnce(JimengApp):
        def on_ready(self) -> None:
            super().on_ready()
            self.exit(0)  # before the form's rows have mounted

    app = QuitAtOnce(start_engine=False)
    async with app.run_test(size=(80, 24)):
        pass
    assert app.return_code == 0  # no MountError from the rows arriving after the quit
