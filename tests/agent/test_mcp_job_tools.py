"""The job tools after generate: a failure with its code and what to do, list_jobs, cancel_job,
retry_job (never a new submit) and rerun_job (a new, paid one), through the official client."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from mcp_support import call, mcp_session, ok, probe_video, sandbox_jobs, sandbox_tasks, text_of

from jimeng_tui.sandbox.options import TEXT_RISK_WORD, VIDEO_RISK_WORD
from jimeng_tui.store.paths import app_paths

pytestmark = pytest.mark.slow


async def test_a_failed_job_says_its_code_and_what_to_do_and_retry_never_resubmits():
    async with mcp_session() as session:
        refused = ok(await call(session, "generate", prompt=f"a {TEXT_RISK_WORD} scene"))["job"]
        failed = ok(
            await call(session, "generate", prompt=f"a {VIDEO_RISK_WORD} scene", wait_seconds=50)
        )["job"]
        retried = await call(session, "retry_job", job_id=failed["job_id"])
        never_sent = await call(session, "retry_job", job_id=refused["job_id"])
    assert refused["status"] == "failed" and refused["error"]["code"] == 50412
    assert refused["error"]["what_to_do"] and refused["task_id"] is None
    assert failed["status"] == "failed" and failed["error"]["code"] == 50516
    assert retried.is_error and "rerun_job" in text_of(retried)
    assert never_sent.is_error and "never reached the service" in text_of(never_sent)
    assert len(sandbox_tasks()) == 1  # the refused submit made no task; retries sent nothing


async def test_list_jobs_cancel_retry_and_rerun():
    async with mcp_session() as session:
        kept = ok(await call(session, "generate", prompt="A green kite", wait_seconds=50))["job"]
        dropped = ok(await call(session, "generate", prompt="A grey kite"))["job"]
        cancelled = ok(await call(session, "cancel_job", job_id=dropped["job_id"]))["job"]
        again = await call(session, "cancel_job", job_id=dropped["job_id"])
        Path(kept["path"]).unlink()  # lost on disk: retry fetches it again from its task
        retried = ok(await call(session, "retry_job", job_id=kept["job_id"]))
        assert len(sandbox_tasks()) == 2  # retry made no new task
        rerun = ok(await call(session, "rerun_job", job_id=kept["job_id"], wait_seconds=50))
        listed = ok(await call(session, "list_jobs", search="kite", status="saved"))["jobs"]
        by_alias = ok(await call(session, "list_jobs", model="jimeng_t2v_v30", limit=1))["jobs"]
        bad = await call(session, "list_jobs", status="finished")
    assert cancelled["status"] == "cancelled" and again.is_error
    assert retried["job"]["status"] == "saved" and os.path.isfile(retried["job"]["path"])
    assert probe_video(retried["job"]["path"])[0] > 4.9
    assert rerun["job"]["job_id"] not in (kept["job_id"], dropped["job_id"])
    assert rerun["job"]["status"] == "saved" and rerun["job"]["prompt"] == "A green kite"
    assert [j["job_id"] for j in listed] == [rerun["job"]["job_id"], kept["job_id"]]
    assert bad.is_error and bad.structured_content["error"]["field"] == "status"
    assert [j["job_id"] for j in by_alias] == [rerun["job"]["job_id"]]  # req_key = t2v_720p
    assert len(sandbox_tasks()) == 3 and len(sandbox_jobs()) == 3


async def test_a_failed_save_waits_for_retry_job_which_saves_from_the_same_task(tmp_path):
    folder = tmp_path / "videos"
    config = app_paths(os.environ).config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        f'[defaults]\noutput_dir = "{folder}"\nfilename_template = "{{job_id}}"\n', "utf-8"
    )
    part = folder / "sandbox" / "1.mp4.part"  # job 1's download: every write fails (ENOSPC)
    part.parent.mkdir(parents=True)
    os.symlink("/dev/full", part)
    async with mcp_session() as session:
        job = ok(await call(session, "generate", prompt="A full disk"))["job"]
        waited = await call(session, "wait_for_job", job_id=job["job_id"], timeout_seconds=50)
        part.unlink()  # the cause is gone
        retried = ok(await call(session, "retry_job", job_id=job["job_id"]))
    failed = ok(waited)["job"]
    assert failed["status"] == "save_failed" and not failed["finished"]
    assert "disk is full" in failed["error"]["message"]
    assert "retry_job fetches it again from its task" in text_of(waited)
    assert retried["job"]["status"] == "saved" and retried["job"]["path"] == str(
        folder / "sandbox" / "1.mp4"
    )
    assert probe_video(retried["job"]["path"])[0] > 4.9
    assert len(sandbox_tasks()) == 1  # saved from the same task: paid once


async def test_a_job_another_live_process_drives_is_left_to_it():
    from jimeng_tui.domain.job import Job, JobState
    from jimeng_tui.store.history import History

    paths = app_paths(os.environ)
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    now = time.time()
    with History(paths.sandbox_history_db) as history:  # this test process plays a studio
        theirs = history.add(
            Job(
                id=None,
                created_at=now,
                prompt="The studio's job",
                mode="t2v_720p",
                req_key="jimeng_t2v_v30",
                params={"prompt": "The studio's job", "mode": "t2v_720p"},
                state=JobState.IN_QUEUE,
                task_id="123456789",
                submitted_at=now,
                owner_pid=os.getpid(),
                heartbeat_at=now,
            )
        )
    async with mcp_session() as session:
        status = ok(await call(session, "job_status", job_id=theirs.id))["job"]
        refused = await call(session, "cancel_job", job_id=theirs.id)
    assert "resumed" not in status and status["status"] == "in_queue"
    assert refused.is_error and f"pid {os.getpid()}" in text_of(refused)
    assert sandbox_jobs()[0].state is JobState.IN_QUEUE and sandbox_tasks() == []
