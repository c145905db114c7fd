"""``jimeng-tui mcp --sandbox`` driven by the official MCP client over stdio (issue 17)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess

import pytest
from mcp_support import (
    EXE,
    call,
    mcp_session,
    ok,
    probe_video,
    sandbox_jobs,
    sandbox_tasks,
    text_of,
)

pytestmark = pytest.mark.slow

TOOLS = {
    "list_models",
    "generate",
    "job_status",
    "wait_for_job",
    "list_jobs",
    "cancel_job",
    "retry_job",
    "rerun_job",
}


async def wait_until_saved(session, job_id: int, progress: list | None = None) -> dict:
    """wait_for_job until the job ends (each call waits at most its own timeout)."""

    async def on_progress(value, total, message):
        if progress is not None:
            progress.append((value, total, message))

    for _ in range(20):
        result = await session.call_tool(
            "wait_for_job", {"job_id": job_id, "timeout_seconds": 10}, progress_callback=on_progress
        )
        job = ok(result)["job"]
        if job["finished"]:
            return ok(result) | {"_result": result}
    raise AssertionError(f"job {job_id} did not end after 20 waits")


async def test_tools_are_listed_and_list_models_reads_the_registry():
    async with mcp_session() as session:
        names = {tool.name for tool in (await session.list_tools()).tools}
        assert names >= TOOLS
        data = ok(await call(session, "list_models"))
    models = {m["id"]: m for s in data["services"] for m in s["models"]}
    assert data["default_model"] == "t2v_720p"
    assert models["t2v_720p"]["durations"] == [4, 5, 6, 8, 10]
    assert models["i2v_recamera_720p"]["options"][0]["name"] == "camera_template"
    assert sandbox_tasks() == []


async def test_generate_then_wait_saves_a_video_in_the_history(tmp_path):
    progress: list = []
    async with mcp_session() as session:
        started = ok(await call(session, "generate", prompt="A kite over the dunes", fps=30))
        job = started["job"]
        assert job["job_id"] == 1 and job["task_id"] and not job["finished"]
        done = await wait_until_saved(session, job["job_id"], progress)
        status = ok(await call(session, "job_status", task_id=job["task_id"]))
    saved = done["job"]
    assert saved["status"] == "saved" and status["job"]["status"] == "saved"
    # the file on disk, decoded by PyAV: 5 s at 30 fps, as asked
    seconds, width, height = probe_video(saved["path"])
    assert abs(seconds - 5) < 0.1 and saved["video"]["fps"] == 30
    assert (width, height) == (saved["video"]["width"], saved["video"]["height"])
    # the original skill's block, and the poster as an image
    result = done["_result"]
    assert "**Generated Video:**" in text_of(result) and done["result_block"] in text_of(result)
    assert f"- Save Path: {saved['path']}" in done["result_block"]
    assert [block.type for block in result.content] == ["text", "image"]
    # progress notifications while waiting, ending at 100
    values = [p[0] for p in progress]
    assert values[-1] == 100 and values == sorted(values)  # it never goes back
    assert all(p[1] == 100 for p in progress)
    # one paid task; the job is in `jimeng-tui history`
    assert len(sandbox_tasks()) == 1
    listed = subprocess.run(
        [EXE, "history", "--sandbox", "--json"], capture_output=True, text=True, check=True
    )
    rows = json.loads(listed.stdout)
    assert [(r["prompt"], r["status"]) for r in rows] == [("A kite over the dunes", "saved")]


async def test_generate_with_wait_seconds_returns_the_saved_video():
    async with mcp_session() as session:
        done = ok(await call(session, "generate", prompt="Rain on a window", wait_seconds=50))
        uri = f"jimeng://jobs/{done['job']['job_id']}"
        sidecar = await session.read_resource(uri)
        poster = await session.read_resource(uri + "/poster")
    assert done["job"]["status"] == "saved" and os.path.getsize(done["job"]["path"]) > 0
    assert json.loads(sidecar.contents[0].text)["task_id"] == done["job"]["task_id"]
    assert poster.contents[0].mime_type == "image/png"


@pytest.mark.parametrize(
    ("arguments", "field", "words"),
    [
        ({"duration": 7}, "duration", "allowed: 4, 5, 6, 8, 10"),
        ({"model": "i2v_first_720p", "image": "/no/such/frame.jpg"}, "image", "no file"),
        ({"model": "t2v_4k"}, "model", "allowed: t2v_720p"),
        ({"options": {"camera_fixed": True}}, "options", "t2v_720p takes no options"),
        ({"wait_seconds": 120}, "wait_seconds", "0 to 50"),
    ],
)
async def test_invalid_input_is_a_tool_error_and_nothing_is_sent(arguments, field, words):
    async with mcp_session() as session:
        result = await call(session, "generate", prompt="A boat", **arguments)
    assert result.is_error
    error = result.structured_content["error"]
    assert error["field"] == field and words in text_of(result), text_of(result)
    assert text_of(result).startswith(f"{field}: ")
    assert sandbox_tasks() == [] and sandbox_jobs() == []


async def test_the_same_idempotency_key_gives_the_same_job_and_one_task():
    async with mcp_session() as session:
        first, second = await asyncio.gather(
            call(session, "generate", prompt="A red fox", idempotency_key="fox-1"),
            call(session, "generate", prompt="A red fox", idempotency_key="fox-1"),
        )
        third = ok(await call(session, "generate", prompt="A red fox", idempotency_key="fox-1"))
        other = await call(session, "generate", prompt="A blue fox", idempotency_key="fox-1")
        await wait_until_saved(session, third["job"]["job_id"])
    ids = {ok(first)["job"]["job_id"], ok(second)["job"]["job_id"], third["job"]["job_id"]}
    assert len(ids) == 1 and third["reused"] is True
    assert other.is_error and other.structured_content["error"]["field"] == "idempotency_key"
    assert len(sandbox_tasks()) == 1 and len(sandbox_jobs()) == 1


async def test_a_server_killed_mid_job_resumes_it_on_restart_with_one_submit():
    with pytest.raises(BaseException):  # noqa: B017 - the transport breaks as its server dies
        async with mcp_session() as session:
            job = ok(await call(session, "generate", prompt="A lighthouse"))["job"]
            assert job["task_id"] and not job["finished"]
            owner = sandbox_jobs()[0].owner_pid
            os.kill(owner, 9)  # no goodbye: the claim stays with a dead process
            await asyncio.sleep(0.5)
            await call(session, "job_status", job_id=job["job_id"])
    assert sandbox_jobs()[0].state.value in ("in_queue", "generating", "done")
    async with mcp_session() as session:
        status = ok(await call(session, "job_status", job_id=job["job_id"]))["job"]
        assert "resumed" in status
        done = await wait_until_saved(session, job["job_id"])
    assert done["job"]["status"] == "saved" and probe_video(done["job"]["path"])[0] > 4.9
    assert len(sandbox_tasks()) == 1 and len(sandbox_jobs()) == 1


async def test_two_servers_on_one_history_never_drive_a_job_twice():
    async with mcp_session() as first:
        job = ok(await call(first, "generate", prompt="One owner only", idempotency_key="own-1"))
        job_id = job["job"]["job_id"]
        async with mcp_session() as second:  # started while the first drives the job
            again = ok(
                await call(second, "generate", prompt="One owner only", idempotency_key="own-1")
            )
            status = ok(await call(second, "job_status", job_id=job_id))["job"]
            followed = await wait_until_saved(second, job_id)  # follows the first's drive
    assert again["job"]["job_id"] == job_id and "resumed" not in status
    assert followed["job"]["status"] == "saved"
    assert len(sandbox_tasks()) == 1 and len(sandbox_jobs()) == 1
