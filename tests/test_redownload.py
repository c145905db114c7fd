"""Download again, only what is needed: a whole file is verified (size, SHA-256, PyAV) and
nothing is fetched; a missing or damaged file is fetched (or re-made from the service's file)
under its own name; a second copy only when asked for."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from jimeng_tui.jobs.redownload import redownload_job
from jimeng_tui.jobs.verify import verify_saved
from jimeng_tui.services.jimeng.request import GenerationRequest

RESULT, VIDEO = "CVSync2AsyncGetResult", "GetVideo"


def folder_names(job) -> list[str]:
    return sorted(p.name for p in Path(job.path).parent.iterdir())


def counts(sandbox) -> tuple[int, int]:
    return len(sandbox.requests_for(RESULT)), len(sandbox.requests_for(VIDEO))


def sha(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


async def saved_job(engine, **fields):
    job = await engine.runner.run(GenerationRequest(prompt="a heron at dawn", seed=5, **fields))
    assert job.path and verify_saved(job).ok, verify_saved(job).describe()
    return job


async def test_a_whole_file_is_verified_and_nothing_is_downloaded(sandbox, engine_for):
    engine = engine_for(sandbox)
    job = await saved_job(engine)
    before, names = counts(sandbox), folder_names(job)
    outcome = await redownload_job(engine.runner, job.id)
    assert outcome.verified and not outcome.downloaded
    assert "already on disk and verified" in outcome.message
    assert "nothing downloaded" in outcome.message
    assert counts(sandbox) == before  # not even a status query
    assert folder_names(job) == names  # no -2 copies


async def test_a_damaged_video_is_fetched_again_and_the_damaged_one_kept(sandbox, engine_for):
    engine = engine_for(sandbox)
    job = await saved_job(engine)
    served = json.loads(Path(job.sidecar_path).read_text())["served_sha256"]
    video = Path(job.path)
    data = bytearray(video.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte: same size, another hash
    video.write_bytes(bytes(data))
    assert "SHA-256 differs" in verify_saved(job).describe()
    videos_before = counts(sandbox)[1]
    outcome = await redownload_job(engine.runner, job.id)
    assert outcome.downloaded and "downloaded again and verified" in outcome.message
    assert counts(sandbox)[1] == videos_before + 1
    assert sha(video) == served  # the same file as the service's, under the same name
    damaged = video.with_name(f"{video.stem}.damaged.mp4")
    assert damaged.read_bytes() == bytes(data) and damaged.name in outcome.message
    assert not any("-2" in n for n in folder_names(job))
    again = engine.history.get(job.id)
    assert again.path == job.path and verify_saved(again).ok


async def test_a_missing_conformed_video_is_made_again_from_the_source(sandbox, engine_for):
    engine = engine_for(sandbox)
    job = await saved_job(engine, duration=4, fps=30)
    Path(job.path).unlink()
    before = counts(sandbox)
    outcome = await redownload_job(engine.runner, job.id)
    assert not outcome.downloaded and "nothing downloaded" in outcome.message
    assert counts(sandbox) == before
    assert Path(job.path).is_file() and verify_saved(engine.history.get(job.id)).ok


async def test_a_missing_sidecar_is_written_again_without_a_download(sandbox, engine_for):
    engine = engine_for(sandbox)
    job = await saved_job(engine)
    Path(job.sidecar_path).unlink()
    before = counts(sandbox)
    outcome = await redownload_job(engine.runner, job.id)
    assert "was missing" in outcome.message and "nothing downloaded" in outcome.message
    assert counts(sandbox) == before
    assert json.loads(Path(job.sidecar_path).read_text())["task_id"] == job.task_id


async def test_a_second_copy_only_when_asked(sandbox, engine_for):
    engine = engine_for(sandbox)
    job = await saved_job(engine)
    outcome = await redownload_job(engine.runner, job.id, second_copy=True)
    assert outcome.downloaded and "a second copy as" in outcome.message
    assert Path(outcome.job.path).name.removesuffix(".mp4").endswith("-2")
