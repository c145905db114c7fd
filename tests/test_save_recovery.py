"""The engine when a finished task's video cannot be saved here, or its name is taken, or the
service forgot the task (issue 12: items 1 and 7c/7d), against the sandbox over a real socket."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections import namedtuple
from pathlib import Path

import av

from jimeng_tui.domain.events import JobChanged, JobNotice
from jimeng_tui.domain.job import JobState
from jimeng_tui.jobs import saving
from jimeng_tui.services.jimeng.request import GenerationRequest
from jimeng_tui.store.history import History

S = JobState
SUBMIT = "CVSync2AsyncSubmitTask"
Usage = namedtuple("Usage", "total used free")


def frames(path: str) -> int:
    with av.open(path) as container:
        return container.streams.video[0].frames


async def test_too_little_free_space_waits_in_save_failed_then_saves(
    sandbox, engine_for, monkeypatch, tmp_path
):
    engine = engine_for(sandbox)
    folder = tmp_path / "videos"
    out = folder / "clip.mp4"
    monkeypatch.setattr(saving.shutil, "disk_usage", lambda _: Usage(10**9, 10**9, 4096))
    job = await engine.runner.run(GenerationRequest(prompt="a quiet harbour"), output=out)

    assert job.state is S.SAVE_FAILED and job.task_id
    assert "not enough free space" in job.error_message
    assert "4.0 KB free" in job.error_message
    assert f"jimeng-tui wait {job.task_id}" in job.error_message
    assert sum(p.stat().st_size for p in folder.iterdir()) == 0  # nothing was written
    monkeypatch.undo()
    again = await engine.runner.drive(job.id)
    assert again.state is S.SAVED, again.error_message
    assert again.path == str(out) and frames(again.path) in (0, 121)
    assert len(sandbox.requests_for(SUBMIT)) == 1
    assert sorted(p.name for p in folder.iterdir()) == ["clip.json", "clip.mp4"]


async def test_history_download_again_finishes_a_failed_save_with_a_fresh_link(
    sandbox, engine_for, tmp_path
):
    engine = engine_for(sandbox)
    out = tmp_path / "clip.mp4"  # tmp_path: the folder the user chose
    os.symlink("/dev/full", tmp_path / "clip.mp4.part")
    job = await engine.runner.run(GenerationRequest(prompt="a quiet harbour"), output=out)
    assert job.state is S.SAVE_FAILED, job.error_message
    assert "disk is full" in job.error_message
    (tmp_path / "clip.mp4.part").unlink()
    sandbox.advance(400)  # the old link (360 s at this speed) has expired meanwhile
    saved = await engine.runner.redownload(job.id)
    assert saved.state is S.SAVED, saved.error_message
    assert saved.task_id == job.task_id and frames(saved.path) in (0, 121)
    assert len(sandbox.requests_for(SUBMIT)) == 1


async def test_a_task_the_service_forgot_is_expired_and_its_part_removed(
    sandbox, engine_for, tmp_path
):
    folder = tmp_path / "videos"
    folder.mkdir()
    out = folder / "clip.mp4"
    part = folder / "clip.mp4.part"
    part.write_bytes(b"stale bytes of an earlier attempt")
    (folder / "clip.mp4.part.meta").write_text('{"etag": null, "total": null}')

    def forget(event) -> None:
        if isinstance(event, JobChanged) and event.job.task_id:
            sandbox.force_status(event.job.task_id, "not_found")

    engine = engine_for(sandbox, on_event=forget)
    job = await engine.runner.run(GenerationRequest(prompt="a quiet harbour"), output=out)

    assert job.state is S.EXPIRED, (job.state, job.error_message)
    assert "no longer knows this task" in job.error_message
    assert list(folder.iterdir()) == []


async def test_two_jobs_with_one_output_name_both_keep_their_video(sandbox, engine_for, tmp_path):
    notices: list[str] = []

    def listen(event) -> None:
        if isinstance(event, JobNotice):
            notices.append(event.text)

    engine = engine_for(sandbox, on_event=listen)
    folder = tmp_path / "videos"
    out = folder / "clip.mp4"
    first = await engine.runner.create(GenerationRequest(prompt="one"), output=out)
    second = await engine.runner.create(GenerationRequest(prompt="two"), output=out)
    jobs = await asyncio.gather(engine.runner.drive(first.id), engine.runner.drive(second.id))

    assert [j.state for j in jobs] == [S.SAVED, S.SAVED], [j.error_message for j in jobs]
    assert sorted(Path(j.path).name for j in jobs) == ["clip-2.mp4", "clip.mp4"]
    assert all(frames(j.path) in (0, 121) for j in jobs)
    assert any("saved as clip-2.mp4" in n for n in notices), notices
    assert not [p for p in folder.iterdir() if p.name.endswith((".part", ".meta"))]


def test_an_older_failed_save_becomes_recoverable_on_upgrade(tmp_path):
    """Jobs older versions ended as failed after their task succeeded (young enough to fetch)."""
    db = tmp_path / "history.sqlite3"
    with History(db) as history:
        assert history.schema_version >= 3
    now = time.time()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 2")
        rows = [  # (task_id, finished_at, submitted_at)
            ("1", now - 60, now - 120),  # saving failed a minute ago → recoverable
            ("2", None, now - 120),  # the task itself failed → stays failed
            ("3", now - 20 * 3600, now - 20 * 3600),  # older than the service keeps it
        ]
        for task_id, finished, submitted in rows:
            conn.execute(
                "INSERT INTO jobs (created_at, mode, req_key, state, task_id, finished_at, "
                "submitted_at) VALUES (?, 't2v_720p', 'jimeng_t2v_v30', 'failed', ?, ?, ?)",
                (submitted, task_id, finished, submitted),
            )
    with History(db) as history:
        states = {j.task_id: j.state for j in history.unfinished()}
        assert states == {"1": S.SAVE_FAILED}


async def test_a_full_disk_while_conforming_keeps_the_download_for_the_next_attempt(
    sandbox, engine_for, monkeypatch, tmp_path
):
    """PyAV reports ENOSPC as its own error: still a full disk, and the service's file that
    arrived whole is reused, not fetched again (seen on a 2 MB tmpfs)."""
    from jimeng_tui.jobs import media

    def full(*args, **kwargs):
        try:
            raise av.FFmpegError(28, "No space left on device", str(tmp_path / "x.tmp"))
        except av.FFmpegError as exc:
            raise media.MediaError("Writing x.mp4 failed") from exc

    engine = engine_for(sandbox)
    monkeypatch.setattr(media, "conform", full)
    request = GenerationRequest(prompt="waves", duration=4, fps=30)
    job = await engine.runner.run(request, output=tmp_path / "clip.mp4")
    assert job.state is S.SAVE_FAILED, job.error_message
    assert job.error_message.startswith("the disk is full")
    assert (tmp_path / "clip.source.mp4").is_file()  # kept for the next attempt
    monkeypatch.undo()
    saved = await engine.runner.drive(job.id)
    assert saved.state is S.SAVED, saved.error_message
    assert frames(saved.path) in (0, 120)
    assert len([r for r in sandbox.requests if r.get("action") == "GetVideo"]) == 1
    assert len(sandbox.requests_for(SUBMIT)) == 1


async def test_a_run_killed_after_the_move_saves_without_litter_or_a_new_submit(
    sandbox, engine_for, tmp_path
):
    """Killed after the verified file got its name and before the part's ``.meta`` went (and
    before the history said "saved"): the next run keeps that file and clears the ``.meta``."""
    engine = engine_for(sandbox)
    folder = tmp_path / "videos"
    out = folder / "clip.mp4"
    job = await engine.runner.run(GenerationRequest(prompt="a quiet harbour"), output=out)
    assert job.state is S.SAVED
    job.state = S.DOWNLOADING  # what the history held when the process died
    engine.history.save(job)
    (folder / "clip.json").unlink()
    (folder / "clip.mp4.part.meta").write_text('{"etag": null, "total": null}', "utf-8")
    again = await engine.runner.drive(job.id)
    assert again.state is S.SAVED, again.error_message
    assert again.path == str(out) and frames(again.path) in (0, 121)
    assert sorted(p.name for p in folder.iterdir()) == ["clip.json", "clip.mp4"]
    assert len(sandbox.requests_for(SUBMIT)) == 1
