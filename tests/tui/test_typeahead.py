"""What arrives while the app starts: typed text lands in the prompt (terminal replies never
do), and keys and engine hand-over wait for the parts that mount a frame later."""

from __future__ import annotations

import dataclasses
import os
import sys

import pytest
from textual import events
from textual.widgets import TextArea
from tui_support import wait_for

from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.tui.app import JimengApp
from jimeng_tui.tui.screens.main import MainScreen
from jimeng_tui.tui.terminal_probe import (
    TerminalGraphics,
    key_events,
    probe_terminal,
    typed_input,
)


def test_terminal_replies_are_removed_and_the_keys_kept():
    # a device-attributes reply, a kitty graphics reply and a cell-size reply around the keys
    raw = b"\x1b[?1;2cqu\x1b_Gi=31;EINVAL\x1b\\ick\x1b[6;16;8t ty\x1b[Aping\x07"
    typed = typed_input(raw)
    assert typed == "quick ty\x1b[Aping\x07"
    keys = [event.key for event in key_events(typed)]
    assert keys == [*"quick", "space", "t", "y", "up", *"ping", "ctrl+g"]
    assert [event.key for event in key_events(typed_input("城市".encode()))] == ["城", "市"]
    assert typed_input(b"\x1b[?62;4;22c") == ""


@pytest.fixture
def fake_terminal(monkeypatch):
    """A real pty as the terminal: ``answer(replies)`` starts a thread that reads the app's
    queries on the terminal's side, then sends ``replies`` (a list of byte strings: the user's
    keys and the terminal's answers, in the order they arrive). Returns what it read."""
    import pty
    import threading

    master, slave = pty.openpty()
    stdin = os.fdopen(slave, "r")
    stdout = os.fdopen(os.dup(slave), "w")
    monkeypatch.setattr(sys, "__stdin__", stdin)
    monkeypatch.setattr(sys, "__stdout__", stdout)
    asked = bytearray()

    def answer(replies: list[bytes]) -> None:
        def terminal() -> None:
            while b"\x1b[c" not in asked:  # the queries end with device attributes
                asked.extend(os.read(master, 1024))
            for reply in replies:
                os.write(master, reply)

        threading.Thread(target=terminal, daemon=True).start()

    yield answer, asked
    stdin.close()
    stdout.close()
    os.close(master)


def test_keys_typed_while_the_terminal_is_asked_are_kept(fake_terminal):
    """The user types while the query is out; the terminal answers after the keys. The keys
    come back for the prompt, the replies say what the terminal draws."""
    answer, asked = fake_terminal
    answer([b"q", "城".encode(), b"\x1b_Gi=31;OK\x1b\\", b"\x1b[6;20;10t", b"\x1b[?62;4c"])
    graphics, typed = probe_terminal()
    assert typed == "q城"
    assert graphics == TerminalGraphics(sixel=True, kitty=True, cell=(10, 20))
    assert asked.endswith(b"\x1b[c")  # one round trip: every query went out at once


def test_a_terminal_that_draws_no_images_answers_in_one_round_trip(fake_terminal):
    answer, _ = fake_terminal
    answer([b"\x1b[?1;2c", b"ab"])  # no kitty reply ever comes: no wait for it
    graphics, typed = probe_terminal()
    assert graphics is not None and not graphics.sixel and not graphics.kitty
    assert typed == "ab" or typed == ""  # keys right after the reply may still be in flight


def test_keys_waiting_before_the_probe_skip_it(fake_terminal, monkeypatch):
    _, asked = fake_terminal
    monkeypatch.setattr("jimeng_tui.tui.terminal_probe._waiting", lambda fd: True)
    assert probe_terminal() == (None, "")
    assert asked == b""  # nothing was asked: the keys stay for Textual


def test_the_first_poster_loads_textual_image_without_asking_the_terminal(fake_terminal):
    """textual-image asks the terminal on import, which it cannot do once Textual reads the
    keys: loaded for the first poster, it asks nothing and draws with what the probe found."""
    from jimeng_tui.tui import terminal_probe

    _, asked = fake_terminal
    cell = (9, 18)
    try:
        terminal_probe.remember_graphics(TerminalGraphics(sixel=True, cell=cell))
        sixel = terminal_probe.image_widget_class()
        from textual_image import widget  # loaded by the call above
        from textual_image._terminal import get_cell_size

        assert sixel is widget.SixelImage and tuple(get_cell_size()) == cell
        for graphics, expected in (
            (TerminalGraphics(kitty=True, cell=cell), widget.TGPImage),
            (TerminalGraphics(cell=cell), widget.HalfcellImage),
            (None, None),
        ):
            terminal_probe.remember_graphics(graphics)
            assert terminal_probe.image_widget_class() is expected
    finally:
        terminal_probe.remember_graphics(None)
    assert asked == b""


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


async def test_f4_pressed_before_the_job_list_mounts_moves_there():
    """The job list mounts a frame after the first screen; F4 pressed before it still works."""
    seen: dict[str, bool] = {}

    class EarlyScreen(MainScreen):
        def on_mount(self) -> None:
            seen["panels_ready"] = self.panels_ready
            self.action_toggle_focus()

    class EarlyApp(JimengApp):
        def get_default_screen(self):
            return EarlyScreen(clock=self.clock)

    app = EarlyApp(start_engine=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.main.panels_ready, what="the job list")
        await pilot.pause()
        assert seen == {"panels_ready": False}
        assert app.main.queue.has_focus
        await pilot.press("f4")
        assert app.main.form.query_one("#prompt", TextArea).has_focus


async def test_an_engine_ready_before_the_job_list_waits_for_it(sandbox):
    """What the engine resumes at start needs the job list: an engine that opens before the
    list has mounted is handed over once it has, and its unfinished job is shown and run."""
    from tui_support import fast_engine_factory

    from jimeng_tui.services.jimeng.request import GenerationRequest

    factory = fast_engine_factory(sandbox)
    first = factory(on_event=lambda _: None)
    job = await first.runner.create(GenerationRequest(prompt="a paper boat", seed=7))
    await first.aclose()  # quit before it was submitted: it resumes on the next start

    seen: dict[str, object] = {}

    class EarlyScreen(MainScreen):
        def on_mount(self) -> None:
            app = self.app
            engine = factory(on_event=app._on_engine_event)
            app._engine_ready(engine)  # as if the engine thread had won the race
            seen["engine_before_list"] = app.engine

    class EarlyApp(JimengApp):
        def get_default_screen(self):
            return EarlyScreen(clock=self.clock)

    app = EarlyApp(start_engine=False, bell_on_finish=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.engine is not None, what="the engine")
        assert seen == {"engine_before_list": None}
        await wait_for(
            pilot,
            lambda: (
                app.main.jobs.get(job.id) is not None
                and app.main.jobs[job.id].state is JobState.SAVED
            ),
            30,
            "the resumed job to be saved",
        )
        assert app.main.queue.get_row(str(job.id))


async def test_first_run_dialog_opened_before_the_job_list_still_answers(isolated_home):
    """A live engine without keys that opens before the job list mounts: the first-run dialog
    then comes up once the list is in, and choosing the sandbox there starts it."""
    from jimeng_tui.tui.app import default_engine_factory

    class EarlyScreen(MainScreen):
        def on_mount(self) -> None:
            app = self.app
            app._engine_ready(default_engine_factory(on_event=app._on_engine_event))

    class EarlyApp(JimengApp):
        def get_default_screen(self):
            return EarlyScreen(clock=self.clock)

    app = EarlyApp(start_engine=False, bell_on_finish=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#fr-sandbox")), 10, "the dialog")
        app.screen.query_one("#fr-sandbox").press()
        await wait_for(
            pilot, lambda: app.engine is not None and app.engine.is_sandbox, 10, "the sandbox"
        )


async def test_the_engine_opens_once_the_job_list_is_on_screen(sandbox, isolated_home):
    """The engine's imports hold the GIL in their thread: they wait until the job list has
    been painted, so the whole first screen is not held up by them."""
    from tui_support import fast_engine_factory

    opened = fast_engine_factory(sandbox)
    seen: list[bool] = []

    def factory(*, sandbox=None, on_event):
        seen.append(app.main.panels_ready)
        return opened(sandbox=sandbox, on_event=on_event)

    app = JimengApp(engine_factory=factory, bell_on_finish=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.engine is not None, what="the engine")
    assert seen == [True]


async def test_footer_keys_are_not_restyled_after_they_mount(monkeypatch):
    """Each footer key used to be born compact and switched back just after mounting: a
    second styling pass over every key on each of the first screen's footer rebuilds."""
    from textual.widgets._footer import FooterKey

    restyled: list[str] = []
    remove_class = FooterKey.remove_class

    def spying_remove_class(self, *names, update=True):
        if self.is_mounted and self.classes & set(names):
            restyled.append(self.key)
        return remove_class(self, *names, update=update)

    monkeypatch.setattr(FooterKey, "remove_class", spying_remove_class)
    app = JimengApp(start_engine=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.main.panels_ready, what="the job list")
        await pilot.pause()
        assert app.screen.query(FooterKey)  # the footer is there
    assert restyled == []


async def test_a_poll_that_changes_nothing_on_screen_redraws_no_row(monkeypatch):
    """Each update of a cell throws the job list's rendered lines away; with hundreds of jobs
    polling, an update for every poll kept the list re-rendering while keys waited."""
    from jimeng_tui.tui.widgets.job_queue import JobQueue

    app = JimengApp(start_engine=False, clock=lambda: 1_764_000_000.0)  # clocks stand still
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_for(pilot, lambda: app.main.panels_ready, what="the job list")
        job = Job(id=7, created_at=app.clock(), prompt="a kite", mode="t2v_720p",
                  req_key="k", params={}, state=JobState.GENERATING, task_id="t7")  # fmt: skip
        app.main.show_jobs([job])
        updated: list[str] = []
        update_cell = JobQueue.update_cell

        def spying_update_cell(self, row_key, column_key, value, **kwargs):
            updated.append(str(column_key))
            return update_cell(self, row_key, column_key, value, **kwargs)

        monkeypatch.setattr(JobQueue, "update_cell", spying_update_cell)
        polled = dataclasses.replace(job, poll_count=job.poll_count + 1)
        app.main.show_jobs([polled])  # another poll: nothing on screen changes
        assert updated == []
        app.main.show_jobs([dataclasses.replace(polled, state=JobState.DONE)])
        assert "status" in updated  # what does change is still shown
