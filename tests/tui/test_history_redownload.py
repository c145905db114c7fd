"""History's re-download (d) of a job whose files are whole: verified, nothing downloaded, no
-2 copies; a second copy only with the dialog's own button."""

from __future__ import annotations

from pathlib import Path

from test_history_screen import HostApp, opened, run_jobs
from test_history_screen import engine as engine  # the fixture
from tui_support import wait_for

from jimeng_tui.services.jimeng.request import GenerationRequest


async def test_redownload_of_a_whole_file_downloads_nothing(engine, sandbox):
    (job,) = await run_jobs(engine, GenerationRequest(prompt="snow on pines", seed=2))
    folder = Path(job.path).parent
    names = sorted(p.name for p in folder.iterdir())
    videos = len(sandbox.requests_for("GetVideo"))
    app = HostApp(engine)
    async with app.run_test(size=(140, 45)) as pilot:
        await opened(pilot)
        await pilot.press("d")
        await wait_for(
            pilot, lambda: type(app.screen).__name__ == "AlreadySavedScreen", 10, "the dialog"
        )
        text = str(app.screen.query_one(".confirm-text").render())
        assert "Already on disk and verified" in text and "nothing downloaded" in text
        await pilot.press("enter")  # OK: keep it
        await pilot.pause(0.2)
        assert sorted(p.name for p in folder.iterdir()) == names
        assert len(sandbox.requests_for("GetVideo")) == videos
        await pilot.press("d")
        await wait_for(
            pilot, lambda: type(app.screen).__name__ == "AlreadySavedScreen", 10, "the dialog"
        )
        app.screen.query_one("#no").press()  # "Download a second copy"
        await wait_for(pilot, lambda: len(list(folder.glob("*-2.mp4"))) == 1, 20, "the copy")
        assert len(sandbox.requests_for("GetVideo")) == videos + 1
