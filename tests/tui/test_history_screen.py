"""The History screen driven like a user would, on a real Engine, SQLite file and sandbox."""

from __future__ import annotations

import asyncio
import csv
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.app import App
from textual.widgets import Checkbox, Input, Select
from tui_support import wait_for

from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.jobs.engine import Engine
from jimeng_tui.services.jimeng.request import GenerationRequest
from jimeng_tui.session import open_engine
from jimeng_tui.tui.screens.history import DeleteJobScreen, ExportScreen, HistoryScreen

S = JobState
DAY = 86_400.0
T0 = 1_764_000_000.0  # 2025-11-24 16:00:00 UTC (tests/tui/conftest.py pins TZ=UTC)


class HostApp(App[None]):
    """A tiny app that pushes the History screen, recording what the screen asks of the app."""

    def __init__(self, engine: Engine, **screen_options: Any) -> None:
        super().__init__()
        self.engine = engine
        self.screen_options = screen_options
        self.copied: list[str] = []
        self.loaded: list[GenerationRequest] = []
        self.toasts: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(HistoryScreen(self.engine, **self.screen_options))

    def copy_to_clipboard(self, text: str) -> None:
        self.copied.append(text)
        super().copy_to_clipboard(text)

    def load_request(self, request: GenerationRequest) -> None:
        self.loaded.append(request)

    def notify(self, message: str, **kwargs: Any) -> None:  # type: ignore[override]
        self.toasts.append(f"{kwargs.get('title') or ''}: {message}")
        super().notify(message, **kwargs)


@pytest.fixture
async def engine(sandbox):
    eng = open_engine(sandbox=sandbox, env={**os.environ, "JIMENG_VIDEO_POLL_INTERVAL": "0.1"})
    yield eng
    await eng.aclose()


def add_job(engine: Engine, prompt: str, state: JobState = S.SAVED, **fields: Any) -> Job:
    mode = fields.pop("mode", "t2v_720p")
    params = GenerationRequest(
        prompt=prompt,
        mode=mode,
        duration=fields.pop("duration", 5),
        seed=fields.pop("seed", 7),
    ).to_params()
    job = Job(
        id=None,
        created_at=fields.pop("created_at", T0),
        prompt=prompt,
        mode=mode,
        req_key="jimeng_t2v_v30",
        params=params,
        state=state,
        **fields,
    )
    return engine.history.add(job)


async def run_jobs(engine: Engine, *requests: GenerationRequest) -> list[Job]:
    jobs = await asyncio.gather(*(engine.runner.run(r) for r in requests))
    assert all(j.state is S.SAVED for j in jobs), [(j.state, j.error_message) for j in jobs]
    return list(jobs)


def screen_of(app: App[Any]) -> HistoryScreen:
    screen = app.screen
    assert isinstance(screen, HistoryScreen)
    return screen


def prompts(app: App[Any]) -> list[str]:
    table = screen_of(app).table
    return [table.job(i).prompt for i in table.job_ids]  # type: ignore[union-attr]


async def opened(pilot) -> HistoryScreen:
    await wait_for(
        pilot,
        lambda: isinstance(pilot.app.screen, HistoryScreen) and pilot.app.screen.updates >= 1,
        10,
        "the first page",
    )
    return screen_of(pilot.app)


async def shown(pilot, expected: list[str], what: str = "") -> None:
    await wait_for(pilot, lambda: prompts(pilot.app) == expected, 10, what or str(expected))


async def search(pilot, text: str) -> None:
    screen = screen_of(pilot.app)
    screen.filters.query_one("#hf-search", Input).value = ""
    screen.action_search()
    await pilot.press(*text) if text else None


def cell(app: App[Any], job_id: int, column: str) -> str:
    value = screen_of(app).table.get_cell(str(job_id), column)
    return getattr(value, "plain", str(value))


# ---------------------------------------------------------------------------------- listing


async def test_lists_every_job_newest_first_with_files_checked_and_details(engine, tmp_path):
    (real,) = await run_jobs(engine, GenerationRequest(prompt="a red kite over the dunes", seed=5))
    failed = add_job(
        engine,
        "sandbox-reject a cat",
        S.FAILED,
        created_at=real.created_at - 60,
        error_code=50412,
        error_message="Text Risk Not Pass",
    )
    gone = add_job(
        engine,
        "an old clip whose file was deleted",
        created_at=real.created_at - 120,
        path=str(tmp_path / "gone.mp4"),
        task_id="111",
    )
    app = HostApp(engine)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await opened(pilot)
        assert prompts(app) == [real.prompt, failed.prompt, gone.prompt]
        await wait_for(pilot, lambda: cell(app, real.id, "file") == "✓", 10, "the file check")
        await wait_for(pilot, lambda: cell(app, gone.id, "file") == "✗", 10, "the file check")
        assert cell(app, failed.id, "file") == ""
        assert cell(app, failed.id, "status") == "✗ 50412"
        assert cell(app, real.id, "length") == "5s/24"
        assert "3 jobs" in str(screen.query_one("#hs-title").render())
        # the detail pane: the original block with a clickable link, ids, link countdown
        await wait_for(pilot, lambda: screen.detail.job_id == real.id, 5, "the details")
        md = screen.detail.markdown_text
        assert f"[Download Video]({real.video_url})" in md
        assert f"- Save Path: {real.path}" in md
        assert real.task_id in md and real.request_id in md
        assert "- Seed: 5" in md
        assert screen.detail.link_text.startswith("Link valid for")
        await wait_for(pilot, lambda: real.id in screen._posters, 10, "the poster frame")
        assert screen.detail.query_one("#hd-poster").display
        # a failed job shows the error and what to do
        await pilot.press("down")
        await wait_for(pilot, lambda: screen.detail.job_id == failed.id, 5, "the failed job")
        assert "Error 50412: Text Risk Not Pass" in screen.detail.markdown_text
        assert screen.detail.link_text == ""


async def test_link_countdown_expiry_and_too_old(engine):
    now = T0 + 10 * DAY
    fresh = add_job(
        engine,
        "fresh",
        created_at=now - 600,
        submitted_at=now - 600,
        task_id="1",
        video_url="https://x.invalid/1",
        url_fetched_at=now - 18 * 60,
    )
    expired = add_job(
        engine,
        "expired link",
        created_at=now - 7200,
        submitted_at=now - 7200,
        task_id="2",
        video_url="https://x.invalid/2",
        url_fetched_at=now - 7000,
    )
    old = add_job(
        engine,
        "old task",
        created_at=now - DAY,
        submitted_at=now - DAY,
        task_id="3",
        video_url="https://x.invalid/3",
        url_fetched_at=now - DAY,
    )
    settings = engine.runner.settings  # the sandbox engine scales these; use the real ones
    settings.link_lifetime_s, settings.task_lifetime_s = 3600, 12 * 3600
    app = HostApp(engine, clock=lambda: now)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await opened(pilot)
        texts = {}
        for job in (fresh, expired, old):
            screen.table.move_cursor(row=screen.table.get_row_index(str(job.id)))
            await wait_for(pilot, lambda j=job: screen.detail.job_id == j.id, 5)
            texts[job.prompt] = screen.detail.link_text
        assert texts["fresh"] == "Link valid for 42 min"
        # submitted 2 h ago (14:00): the task can be queried until 02:00 the next day
        assert texts["expired link"] == "Link expired — re-fetch available until Dec 05 02:00"
        assert texts["old task"].startswith("Task too old to re-fetch")


# ---------------------------------------------------------------------------------- search


async def test_search_as_you_type_english_and_chinese(engine):
    add_job(engine, "A golden retriever in a field of sunflowers", created_at=T0 - 40)
    add_job(engine, "城市夜景，霓虹灯在雨中闪烁", created_at=T0 - 30)
    add_job(engine, "一只猫在草地上奔跑", created_at=T0 - 20)
    add_job(engine, "Sunflowers at dusk, slow dolly in", created_at=T0 - 10)
    app = HostApp(engine)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await opened(pilot)
        assert len(prompts(app)) == 4
        await search(pilot, "sunflower")
        await shown(
            pilot,
            ["Sunflowers at dusk, slow dolly in", "A golden retriever in a field of sunflowers"],
        )
        assert "2 matches" in str(screen.query_one("#hs-title").render())
        await search(pilot, "霓虹灯")
        await shown(pilot, ["城市夜景，霓虹灯在雨中闪烁"])
        await search(pilot, "猫")  # one character: a LIKE search
        await shown(pilot, ["一只猫在草地上奔跑"])
        await search(pilot, "no such thing")
        await shown(pilot, [])
        await wait_for(pilot, lambda: "No job selected" in screen.detail.markdown_text, 5)
        await search(pilot, "")
        await pilot.press("enter")  # Enter leaves the box for the list
        await wait_for(pilot, lambda: len(prompts(app)) == 4, 5, "every job again")
        assert screen.table.has_focus


async def test_a_stale_search_never_replaces_a_newer_one(engine):
    for i in range(30):
        add_job(engine, f"ocean waves number {i}", created_at=T0 + i)
    add_job(engine, "ocean sunset", created_at=T0 + 100)
    app = HostApp(engine, debounce_s=0)  # every keystroke queries at once
    async with app.run_test(size=(140, 45)) as pilot:
        await opened(pilot)
        await search(pilot, "ocean sunset")
        await shown(pilot, ["ocean sunset"])
        await pilot.pause(0.3)
        assert prompts(app) == ["ocean sunset"]


# ---------------------------------------------------------------------------------- filters


async def test_filters_status_mode_favourites_and_dates(engine):
    a = add_job(engine, "saved 720", created_at=T0 - 3 * DAY)
    b = add_job(engine, "failed 1080", S.FAILED, mode="t2v_1080p", created_at=T0 - 2 * DAY)
    c = add_job(engine, "saved pro fav", mode="ti2v_pro", created_at=T0 - DAY, favourite=True)
    d = add_job(engine, "cancelled", S.CANCELLED, created_at=T0)
    e = add_job(engine, "running", S.GENERATING, created_at=T0 + 60, task_id="9")
    app = HostApp(engine)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await opened(pilot)
        filters = screen.filters
        every = [e.prompt, d.prompt, c.prompt, b.prompt, a.prompt]
        await shown(pilot, every)
        filters.query_one("#hf-status", Select).value = "saved"
        await shown(pilot, [c.prompt, a.prompt], "saved only")
        models = filters.query_one("#hf-mode", Select)
        labels = [str(label) for label, _ in models._options]
        assert labels[0] == "Any model"  # rows may be Seedance models, not only modes
        assert "ti2v_pro" in labels and "seedance-2.0" in labels  # both services' models
        models.value = "ti2v_pro"
        await shown(pilot, [c.prompt], "saved ti2v_pro")
        filters.query_one("#hf-status", Select).value = ""
        filters.query_one("#hf-mode", Select).value = ""
        await shown(pilot, every)
        from jimeng_tui.tui.widgets.history_filters import RUNNING

        filters.query_one("#hf-status", Select).value = RUNNING
        await shown(pilot, [e.prompt], "running jobs")
        filters.query_one("#hf-status", Select).value = ""
        filters.query_one("#hf-favourite", Checkbox).value = True
        await shown(pilot, [c.prompt], "favourites")
        filters.query_one("#hf-favourite", Checkbox).value = False
        await shown(pilot, every)
        # dates: typed like a user, both ends included (T0 is 2025-11-24 16:00 UTC)
        filters.query_one("#hf-since", Input).focus()
        await pilot.press(*"2025-11-22")
        await shown(pilot, [e.prompt, d.prompt, c.prompt, b.prompt], "since the 22nd")
        filters.query_one("#hf-until", Input).focus()
        await pilot.press(*"2025-11-23")
        await shown(pilot, [c.prompt, b.prompt], "22nd to 23rd")
        # an impossible date is marked and ignored
        await pilot.press("backspace", "backspace", "4", "0")
        assert filters.query_one("#hf-until", Input).has_class("-invalid")
        await pilot.pause(0.3)
        assert prompts(app) == [c.prompt, b.prompt]


async def test_sort_by_duration_key_and_header_click(engine):
    short = add_job(engine, "short", created_at=T0, duration_s=4.0, fps=24.0)
    long = add_job(engine, "long", created_at=T0 - 10, duration_s=10.0, fps=24.0)
    mid = add_job(engine, "mid", created_at=T0 - 20, duration_s=6.0, fps=24.0)
    app = HostApp(engine)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await opened(pilot)
        await shown(pilot, ["short", "long", "mid"])
        await pilot.press("s")  # oldest first
        await shown(pilot, ["mid", "long", "short"])
        await pilot.press("s")  # longest first
        await shown(pilot, ["long", "mid", "short"])
        assert "longest first" in str(screen.query_one("#hs-title").render())
        # clicking the Len header toggles longest ⇄ shortest; Date goes back to newest
        screen.post_message(
            screen.table.HeaderSelected(screen.table, screen.table.columns["length"].key, 3, "Len")
        )
        await shown(pilot, ["short", "mid", "long"])
        screen.post_message(
            screen.table.HeaderSelected(screen.table, screen.table.columns["date"].key, 0, "Date")
        )
        await shown(pilot, ["short", "long", "mid"])
        assert {short.id, long.id, mid.id} == set(screen.table.job_ids)


async def test_pages_load_as_the_cursor_nears_the_end(engine):
    engine.history.add_many(
        Job(
            id=None,
            created_at=T0 + i,
            prompt=f"row {i}",
            mode="t2v_720p",
            req_key="jimeng_t2v_v30",
            params={"prompt": f"row {i}", "duration": 5, "fps": 24, "seed": i},
            state=S.SAVED,
        )
        for i in range(130)
    )
    app = HostApp(engine, page_size=50)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await opened(pilot)
        assert screen.table.loaded == 50
        await wait_for(pilot, lambda: screen.total == 130, 5, "the count")
        screen.table.move_cursor(row=45)
        await wait_for(pilot, lambda: screen.table.loaded == 100, 5, "the second page")
        screen.table.move_cursor(row=95)
        await wait_for(pilot, lambda: screen.table.loaded == 130, 5, "the last page")
        assert prompts(app)[0] == "row 129" and prompts(app)[-1] == "row 0"
        assert len(set(screen.table.job_ids)) == 130


# ---------------------------------------------------------------------------------- actions


async def test_rerun_runs_the_same_parameters_and_seed_as_a_new_job(engine, sandbox):
    request = GenerationRequest(prompt="a lighthouse in a storm", seed=4242, duration=5)
    (first,) = await run_jobs(engine, request)
    app = HostApp(engine)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await opened(pilot)
        await pilot.press("r")  # a paid generation: asked first
        await wait_for(pilot, lambda: app.screen is not screen, 5, "the question")
        assert "t2v_720p · 5 s at 24 fps" in app.screen.text
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.table.loaded == 2, 10, "the new job in the list")
        new_id = screen.table.job_ids[0]
        assert new_id != first.id
        await wait_for(
            pilot, lambda: "saved" in cell(app, new_id, "status"), 20, "the re-run to be saved"
        )
        new = engine.history.get(new_id)
        assert new is not None and new.state is S.SAVED and Path(new.path).is_file()
        assert new.params == first.params and new.params["seed"] == 4242
        bodies = sandbox.submitted_bodies()
        assert len(bodies) == 2 and bodies[0]["seed"] == bodies[1]["seed"] == 4242
        assert bodies[0]["prompt"] == bodies[1]["prompt"]
        assert any("runs again as job" in t for t in app.toasts)


async def test_load_into_form_hands_the_request_to_the_app_and_closes(engine):
    job = add_job(engine, "edit me", seed=99, duration=10)
    app = HostApp(engine)
    async with app.run_test(size=(140, 45)) as pilot:
        await opened(pilot)
        await pilot.press("l")
        await wait_for(pilot, lambda: not isinstance(app.screen, HistoryScreen), 5, "closing")
        (request,) = app.loaded
        assert request.service == "jimeng3" and request.params == job.params
        assert request.params["seed"] == 99 and request.summary.duration_s == 10


async def test_favourite_open_and_copy(engine, tmp_path):
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"not really a video")
    job = add_job(engine, "keep this one", path=str(video), video_url="https://x.invalid/v")
    opened_paths: list[Path] = []
    app = HostApp(engine, opener=opened_paths.append)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await opened(pilot)
        await pilot.press("f")
        await wait_for(pilot, lambda: cell(app, job.id, "prompt").startswith("★"), 5, "the star")
        assert engine.history.get(job.id).favourite
        await pilot.press("f")
        await wait_for(pilot, lambda: not cell(app, job.id, "prompt").startswith("★"), 5)
        assert not engine.history.get(job.id).favourite
        await wait_for(pilot, lambda: screen.table.on_disk(job.id) is True, 5, "file check")
        await pilot.press("o", "O")
        assert opened_paths == [video, tmp_path]
        await pilot.press("c", "p")
        assert app.copied == ["https://x.invalid/v", str(video)]
        await pilot.press("escape")
        assert not isinstance(app.screen, HistoryScreen)


async def test_redownload_refreshes_an_expired_link_from_the_sandbox(engine, sandbox):
    (job,) = await run_jobs(engine, GenerationRequest(prompt="rain on a tin roof", seed=1))
    old_url = job.video_url
    Path(job.path).unlink()
    Path(job.sidecar_path).unlink()
    sandbox.advance(engine.runner.settings.link_lifetime_s + 60)  # the link is now dead
    async with httpx.AsyncClient() as http:
        assert (await http.get(old_url)).status_code == 403
    queries_before = len(sandbox.requests_for("CVSync2AsyncGetResult"))
    app = HostApp(engine)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await opened(pilot)
        await wait_for(pilot, lambda: cell(app, job.id, "file") == "✗", 5, "the missing file")
        assert screen.detail.link_text.startswith("Link valid")  # by our clock it still is
        await pilot.press("d")
        await wait_for(pilot, lambda: cell(app, job.id, "file") == "✓", 20, "the file again")
        again = engine.history.get(job.id)
        assert again.path and Path(again.path).is_file() and Path(again.sidecar_path).is_file()
        assert again.video_url != old_url and again.state is S.SAVED
        assert len(sandbox.requests_for("CVSync2AsyncGetResult")) == queries_before + 1
        videos = sandbox.requests_for("GetVideo")
        assert videos[-1]["http_status"] in (200, 206)
        assert any(f"Job {job.id} downloaded" in t for t in app.toasts)


async def test_redownload_of_a_task_older_than_12_hours_says_why_not(engine, sandbox):
    old = add_job(
        engine,
        "ancient",
        created_at=T0 - 3 * DAY,
        submitted_at=T0 - 3 * DAY,
        task_id="12345",
        video_url="https://x.invalid/old",
        url_fetched_at=T0 - 3 * DAY,
    )
    app = HostApp(engine)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await opened(pilot)
        assert screen.detail.link_text.startswith("Task too old")
        await pilot.press("d")
        await wait_for(pilot, lambda: any("cannot be downloaded again" in t for t in app.toasts), 5)
        assert any("service keeps tasks" in t for t in app.toasts)
        assert sandbox.requests_for("CVSync2AsyncGetResult") == []
        assert engine.history.get(old.id).state is S.SAVED


@pytest.mark.parametrize("with_files", [False, True])
async def test_delete_entry_with_and_without_its_files(engine, with_files):
    (job,) = await run_jobs(
        engine, GenerationRequest(prompt="a slow zoom on a candle", duration=4, seed=3)
    )
    files = [Path(job.path), Path(job.sidecar_path), Path(job.source_path)]
    assert all(p.is_file() for p in files)  # 4 s is conformed: the service's file is kept too
    other = add_job(engine, "stays", created_at=job.created_at - 10)
    app = HostApp(engine)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await opened(pilot)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, DeleteJobScreen), 5, "the dialog")
        await pilot.click("#files" if with_files else "#entry")
        await wait_for(pilot, lambda: screen.table.loaded == 1, 5, "the row to go")
        assert prompts(app) == [other.prompt]
        assert engine.history.get(job.id) is None
        assert all(p.exists() != with_files for p in files)
        # cancelling deletes nothing
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, DeleteJobScreen), 5)
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert engine.history.get(other.id) is not None and screen.table.loaded == 1


@pytest.mark.parametrize("suffix", [".json", ".csv"])
async def test_export_the_filtered_rows(engine, tmp_path, suffix):
    add_job(engine, "saved one", created_at=T0 - 2, seed=11)
    add_job(engine, "保存的第二个", created_at=T0 - 1, seed=12, favourite=True)
    add_job(engine, "a failure", S.FAILED, created_at=T0, error_code=50412)
    app = HostApp(engine)
    out = tmp_path / f"export{suffix}"
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await opened(pilot)
        screen.filters.query_one("#hf-status", Select).value = "saved"
        await wait_for(pilot, lambda: len(prompts(app)) == 2, 5, "the filter")
        await wait_for(pilot, lambda: screen.total == 2, 5)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), 5, "the dialog")
        field = app.screen.query_one("#export-path", Input)
        assert field.value.startswith(str(engine.paths.videos_dir))
        field.value = str(out)
        await pilot.press("enter")
        await wait_for(pilot, out.exists, 5, "the export file")
        await wait_for(pilot, lambda: any("Wrote 2 job(s)" in t for t in app.toasts), 5)
        # the same path again is refused, the file is untouched
        before = out.read_bytes()
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), 5)
        app.screen.query_one("#export-path", Input).value = str(out)
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("never overwritten" in t for t in app.toasts), 5)
        assert out.read_bytes() == before
    if suffix == ".json":
        rows = json.loads(out.read_text(encoding="utf-8"))
        assert [r["prompt"] for r in rows] == ["保存的第二个", "saved one"]
        assert rows[0]["params"]["seed"] == 12 and rows[0]["favourite"] is True
        assert rows[0]["state"] == "saved"
    else:
        with out.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert [r["prompt"] for r in rows] == ["保存的第二个", "saved one"]
        assert rows[1]["seed"] == "11"  # one column per parameter (jobs/export.py)
        assert rows[0]["favourite"] == "true" and rows[0]["status"] == "saved"


async def test_commands_in_the_palette(engine):
    add_job(engine, "palette")
    app = HostApp(engine)
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await opened(pilot)
        from jimeng_tui.tui.screens.history import HistoryCommands

        provider = HistoryCommands(screen)
        titles = [str(hit.display) async for hit in provider.discover()]
        assert "History: re-run job" in titles and "History: export rows" in titles
        hits = [hit async for hit in provider.search("export")]
        assert hits and "export" in str(hits[0].match_display).lower()
        ids = {b.id for b in screen.BINDINGS}
        assert all(i and i.startswith("history.") for i in ids)
        keys = ",".join(b.key for b in screen.BINDINGS)
        assert not any(k in keys for k in ("ctrl+j", "ctrl+s", "ctrl+h", "ctrl+b", "ctrl+y"))
