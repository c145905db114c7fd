"""The main screen as a user reads it (issue 13): status words, the header's count, the Time
column, the table's widths, Enter for details, the palette, focus, footer and screenshots.

Fixed jobs on a frozen clock, no engine: what is asserted is what the screen shows.
"""

from __future__ import annotations

import pytest
from tui_support import FROZEN_NOW, make_job, sample_jobs, wait_for

from jimeng_tui.domain.events import ThrottleState
from jimeng_tui.domain.job import JobState
from jimeng_tui.tui.app import JimengApp

S = JobState


def make_app(**kwargs) -> JimengApp:
    return JimengApp(start_engine=False, clock=lambda: FROZEN_NOW, bell_on_finish=False, **kwargs)


async def started(pilot) -> None:
    for _ in range(100):
        if pilot.app.main_ready:
            break
        await pilot.pause(0.02)
    await pilot.pause()


def row_text(app: JimengApp, job_id: int) -> str:
    cells = app.main.queue.get_row(str(job_id))
    return " ".join(getattr(c, "plain", str(c)) for c in cells)


def more_jobs() -> list:
    return [
        make_job(
            6,
            S.IN_QUEUE,
            prompt="Fog over a harbour",
            created_at=FROZEN_NOW - 30,
            submitted_at=FROZEN_NOW - 29,
            task_id="7392616336519610413",
        ),
        make_job(
            7,
            S.CONFORMING,
            prompt="A lantern festival",
            mode="i2v_first_tail_1080p",
            created_at=FROZEN_NOW - 90,
            submitted_at=FROZEN_NOW - 89,
            finished_at=FROZEN_NOW - 10,
            task_id="7392616336519610414",
        ),
    ]


async def test_status_words_tell_ours_from_the_service_and_the_header_counts_every_active_job():
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        app.main.header.set_throttle(ThrottleState(1, 5, 5, None, 0.0))
        app.main.show_jobs([*sample_jobs(), *more_jobs()])
        await pilot.pause()
        assert "waiting here" in row_text(app, 5)  # ours: waiting for a free slot
        assert "queued at service" in row_text(app, 6)  # the service's queue
        assert "generating" in row_text(app, 4)
        assert "downloading" in row_text(app, 3)
        assert "converting" in row_text(app, 7)
        assert "in queue" not in row_text(app, 6) and "queued" not in row_text(app, 5)
        header = app.main.header.render().plain
        # queued, generating, downloading, in queue, converting: 5, though 1 is at the service
        assert "5 jobs active · service 1/5 · rate ok" in header
        assert "running" not in header


async def test_the_time_column_shows_the_generation_not_the_download():
    app = make_app()
    redownloaded = make_job(
        8,
        S.SAVED,
        prompt="Generated in 25 s, downloaded again two minutes later",
        created_at=FROZEN_NOW - 300,
        submitted_at=FROZEN_NOW - 299,
        finished_at=FROZEN_NOW - 274,  # 0:25 at the service
        saved_at=FROZEN_NOW - 120,  # the re-download
        updated_at=FROZEN_NOW - 120,
        task_id="7392616336519610415",
        path="/tmp/x.mp4",
    )
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        app.main.show_jobs([redownloaded, *sample_jobs()])
        await pilot.pause()
        assert " 0:25 " in row_text(app, 8)
        # downloading: the service took 184 - 20 = 164 s; the download does not add to it
        assert " 2:44 " in row_text(app, 3)
        assert " 0:41" in row_text(app, 4)  # generating: submitted 41 s ago
        assert " 0:02" in row_text(app, 5)  # waiting here for 2 s


def column(app: JimengApp, key: str):
    from textual.widgets.data_table import ColumnKey

    return app.main.queue.columns[ColumnKey(key)]


def table_fill(app: JimengApp) -> tuple[int, int]:
    """(cells the columns use, cells the table has inside its border and scrollbar)."""
    queue = app.main.queue
    used = sum(c.get_render_width(queue) for c in queue.ordered_columns)
    return used, queue.scrollable_content_region.width


async def test_the_columns_use_the_width_they_have_at_every_size_and_after_a_resize():
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        app.main.show_jobs([*sample_jobs(), *more_jobs()])
        await pilot.pause()
        for width, height in ((200, 50), (80, 24), (140, 45), (200, 50)):
            await pilot.resize_terminal(width, height)
            await pilot.pause(0.2)
            used, room = table_fill(app)
            assert used == room, (width, used, room)  # no empty band, no sideways scrolling
        prompt = column(app, "prompt")
        assert prompt.width >= 60  # at 200 columns the prompt has room
        # the mode's whole name, never i2v_first_tail…
        assert "i2v_first_tail_1080p" in row_text(app, 7)
        assert column(app, "mode").width >= len("i2v_first_tail_1080p")


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
async def test_enter_on_a_job_opens_its_details_at_every_size(size):
    from jimeng_tui.tui.screens.job_details_screen import JobDetailsScreen

    app = make_app()

    def details_show(text: str) -> bool:
        return isinstance(app.screen, JobDetailsScreen) and text in app.screen.details.markdown_text

    async with app.run_test(size=size) as pilot:
        await started(pilot)
        app.main.show_jobs(sample_jobs())
        await pilot.pause()
        app.main.focus_job(2)  # failed 50412
        app.main.queue.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: details_show("What to do"), 10, "the details dialog")
        text = app.screen.details.markdown_text
        assert "50412" in text and "Text Risk Not Pass" in text
        assert app.screen.details.region.width >= min(size[0] - 10, 100)  # room to read it
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main, 5, "the dialog closed")
        app.main.focus_job(1)  # saved: the whole save path
        await pilot.press("enter")
        path = "/home/ada/Videos/jimeng/2025-11-24_a-golden-retriever_7392616336519610409.mp4"
        await wait_for(pilot, lambda: details_show(path), 10, "the save path")


async def palette_titles(pilot, query: str) -> list[str]:
    """Open the command palette, type ``query``, return what it lists (title and help)."""
    from textual.command import CommandList, CommandPalette

    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), 5, "the palette")
    await pilot.press(*query)
    results = app.screen.query_one(CommandList)
    await wait_for(pilot, lambda: results.option_count > 0, 5, f"results for {query!r}")
    await pilot.pause(0.3)  # every provider answered
    found = [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]
    await pilot.press("escape")
    await wait_for(pilot, lambda: not isinstance(app.screen, CommandPalette), 5, "closed")
    return found


async def test_the_palette_lists_every_action_with_its_key_when_it_applies():
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        (generate,) = [t for t in await palette_titles(pilot, "gen") if "Generate" in t]
        assert "Ctrl+G / F5" in generate
        app.main.show_jobs(sample_jobs())
        await pilot.pause()
        app.main.focus_job(2)  # failed: retry, re-run, load, dismiss apply; open does not
        everything = "\n".join(await palette_titles(pilot, "job"))
        for title, key in (
            ("Retry failed job", "t"),
            ("Re-run job", "r"),
            ("Load job into form", "l"),
            ("Dismiss job", "d / Delete"),
            ("Job details", "Enter"),
        ):
            assert f"{title}\n{key} · " in everything, (title, everything)
        assert "Cancel job" not in everything  # it has ended
        assert "Open video" not in "\n".join(await palette_titles(pilot, "open vid"))
        app.main.focus_job(1)  # saved: it can be opened
        assert any("Open video" in t for t in await palette_titles(pilot, "open vid"))
        for query, title in (
            ("hist", "History"),
            ("sett", "Settings"),
            ("quit", "Quit"),
            ("screensh", "Save screenshot"),
            ("export", "Export history"),
        ):
            assert any(t.startswith(title) for t in await palette_titles(pilot, query)), title


def colour_distance(a, b) -> int:
    return abs(a.r - b.r) + abs(a.g - b.g) + abs(a.b - b.b)


async def test_focus_is_clearly_visible():
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        form = app.main.form
        for selector in ("#prompt", "#seed", "#mode"):
            widget = form.query_one(selector)
            painted = widget  # the form's drop-down draws its own value (FormSelect)
            app.main.queue.focus()
            await pilot.pause(0.1)
            blurred = painted.background_colors[1]
            widget.focus()
            await pilot.pause(0.1)
            focused = painted.background_colors[1]
            assert colour_distance(blurred, focused) >= 30, (selector, blurred, focused)
        queue = app.main.queue
        blurred = queue.styles.border_top[1]
        queue.focus()
        await pilot.pause(0.1)
        assert colour_distance(blurred, queue.styles.border_top[1]) >= 60


def footer_labels(app: JimengApp) -> list[tuple[str, int]]:
    from textual.widgets._footer import FooterKey

    return [(k.description, k.region.right) for k in app.screen.query(FooterKey)]


async def test_every_footer_key_fits_or_the_least_important_is_left_out():
    app = make_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await started(pilot)
        app.main.show_jobs(sample_jobs())
        app.main.focus_job(1)  # saved: nearly every job key applies
        app.main.queue.focus()
        for width in (140, 80, 200):
            await pilot.resize_terminal(width, 45)
            await pilot.pause(0.4)
            shown = footer_labels(app)
            names = [name for name, _ in shown]
            assert all(right <= width for _, right in shown), (width, shown)
            assert {"Quit", "Generate", "Details", "Re-run"} <= set(names), (width, names)
        assert {"Load", "Open", "Dismiss", "History", "Settings"} <= set(names)  # 200: all fit
