"""The details panel: the block, the poster frame and the download bar appear only when needed."""

from __future__ import annotations

from PIL import Image
from textual.app import App, ComposeResult
from textual.widgets import Markdown, ProgressBar, Static
from tui_support import make_job, sample_jobs

from jimeng_tui.domain.job import JobState
from jimeng_tui.tui.widgets.job_details import JobDetails


class DetailsApp(App[None]):
    def compose(self) -> ComposeResult:
        yield JobDetails(id="details")

    @property
    def details(self) -> JobDetails:
        return self.query_one(JobDetails)


def poster_image() -> Image.Image:
    return Image.new("RGB", (64, 36), (200, 120, 40))


async def test_empty_panel_has_only_the_hint():
    app = DetailsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert [type(w) for w in app.details.children] == [Static]
        assert app.details.query_one("#details-empty").display
        assert not app.details.query(Markdown) and not app.details.query("#poster")


async def test_block_then_poster_then_hidden_again():
    app = DetailsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        saved = sample_jobs()[0]
        app.details.show_job(saved)
        await pilot.pause(0.1)
        markdown = app.details.query_one(Markdown)
        assert "golden retriever" in app.details.markdown_text
        assert not app.details.query_one("#details-empty").display
        assert not app.details.query_one("#poster").display

        app.details.set_poster(poster_image())
        await pilot.pause()
        poster = app.details.query_one("#poster")
        assert poster.display and len(poster.children) == 1
        assert app.details.query_one(Markdown) is markdown  # the same block, updated in place

        app.details.show_job(sample_jobs()[1])  # another job: its own poster or none
        await pilot.pause(0.1)
        assert not app.details.query_one("#poster").display
        assert not app.details.query_one("#poster").children


async def test_poster_before_the_block_is_kept():
    """The poster can arrive in the same frame as the job: neither is lost."""
    app = DetailsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        saved = sample_jobs()[0]
        app.details.show_job(saved)
        app.details.set_poster(poster_image())  # before the block's first flush
        app.details.set_poster(poster_image())  # and again while it is still mounting
        await pilot.pause(0.1)
        poster = app.details.query_one("#poster")
        assert poster.display and len(poster.children) == 1
        assert "golden retriever" in app.details.markdown_text
        assert len(app.details.query(Markdown)) == 1


async def test_download_bar_sits_above_the_block():
    app = DetailsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        job = make_job(5, JobState.DOWNLOADING, prompt="a kite over the sea")
        app.details.show_job(job, progress=(25, 100))
        await pilot.pause(0.1)
        bar = app.details.query_one(ProgressBar)
        assert bar.display and bar.progress == 25
        assert app.details.children[0] is bar
        app.details.show_job(make_job(5, JobState.SAVED, prompt="a kite over the sea"))
        await pilot.pause(0.1)
        assert not bar.display


async def test_the_newest_poster_wins_while_the_block_mounts():
    """Job B's 'no poster' asked while the block mounts must not hide job C's poster asked
    just after it."""
    app = DetailsApp()
    async with app.run_test(size=(100, 30)) as pilot:
        jobs = sample_jobs()
        app.details.show_job(jobs[0])
        app.details.set_poster(poster_image())  # A: the block is created with it
        app.details.set_poster(None)  # B, still mounting
        await pilot.pause(0)
        app.details.set_poster(poster_image())  # C
        await pilot.pause(0.1)
        poster = app.details.query_one("#poster")
        assert poster.display and len(poster.children) == 1
