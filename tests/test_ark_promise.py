"""The promise with Seedance (issue 15, "Must show"), through the engine against the sandbox's Ark
over a loopback socket: every error class of the contract's table ends the job as the table says
(no retry with the code and its hint; slower and retried; waits and runs; submit_unknown after a
500 on a create, with exactly one task made and never a second create, also after ``resume``),
and a task that fails ends the job failed with its code and hint."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from jimeng_tui.domain.job import JobState
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.jobs.report import failure_hint
from jimeng_tui.jobs.request_builder import build_request
from jimeng_tui.sandbox.ark import ACTION_CREATE
from jimeng_tui.session import open_engine

S = JobState
SEEDANCE = "doubao-seedance-2-0-260128"


def live_env(sandbox, **extra: str) -> dict[str, str]:
    """The environment of a user whose Ark host is the sandbox (as live: the key can be wrong)."""
    return {
        **os.environ,
        "ARK_BASE_URL": sandbox.ark_base_url,
        "ARK_API_KEY": sandbox.ark_api_key,
        "JIMENG_VIDEO_API_URL": sandbox.base_url,
        "VOLC_ACCESSKEY": sandbox.options.access_key,
        "VOLC_SECRETKEY": sandbox.options.secret_key,
        "JIMENG_VIDEO_POLL_INTERVAL": "0.05",
        **extra,
    }


def seedance(prompt: str = "a lantern on a lake", **fields) -> VideoInput:
    return VideoInput(prompt=prompt, model="seedance-2.0", resolution="480p", duration=4, **fields)


async def run_jobs(sandbox, inputs, tmp_path: Path, **env: str):
    engine = open_engine(env=live_env(sandbox, **env))
    try:
        jobs = [
            await engine.runner.create(build_request(each, base_dir=tmp_path)) for each in inputs
        ]
        return await asyncio.gather(*(engine.runner.drive(job.id) for job in jobs))
    finally:
        await engine.aclose()


def creates(sandbox) -> list[dict]:
    return sandbox.requests_for(ACTION_CREATE)


@pytest.mark.parametrize(
    ("options", "prompt", "env", "status", "code"),
    [
        ({}, "a boat --cf maybe", {}, 400, "InvalidParameter"),
        ({}, "a boat sandbox-reject", {}, 400, "InputTextSensitiveContentDetected"),
        ({}, "a boat", {"ARK_API_KEY": "not-the-key"}, 401, "AuthenticationError"),
        ({"ark_deny": "AccessDenied"}, "a boat", {}, 403, "AccessDenied"),
        ({"ark_deny": "OperationDenied.ServiceOverdue"}, "a boat", {}, 403, "OperationDenied"),
        ({"ark_not_open": (SEEDANCE,)}, "a boat", {}, 404, "ModelNotOpen"),
    ],
    ids=["400-invalid", "400-sensitive", "401", "403", "403-overdue", "404-not-open"],
)
async def test_a_refused_create_fails_the_job_with_the_code_and_its_hint_sent_once(
    sandbox_factory, tmp_path, options, prompt, env, status, code
):
    sandbox = sandbox_factory(**options)
    (job,) = await run_jobs(sandbox, [seedance(prompt)], tmp_path, **env)
    assert job.state is S.FAILED
    assert str(job.error_code).startswith(code)
    assert job.task_id is None
    hint = failure_hint(job)
    assert hint and "See the message above" not in hint  # the table's own hint
    sent = creates(sandbox)
    assert [(r["http_status"], r["code"].split(".")[0]) for r in sent] == [
        (status, code.split(".")[0])
    ]
    assert sandbox.ark_created_bodies() == []


async def test_a_rate_limit_makes_the_creates_slower_and_every_job_runs_once(
    sandbox_factory, tmp_path
):
    sandbox = sandbox_factory(qps=3.0)
    jobs = await run_jobs(sandbox, [seedance(f"kite {i}") for i in range(5)], tmp_path)
    assert [job.state for job in jobs] == [S.SAVED] * 5
    limited = [r for r in sandbox.requests if r.get("code") == "ModelAccountRpmRateLimitExceeded"]
    assert limited  # the limit was met...
    assert len(sandbox.ark_created_bodies()) == 5  # ...and no job was made twice
    assert len([r for r in creates(sandbox) if r["http_status"] == 200]) == 5


async def test_a_full_queue_makes_jobs_wait_then_run_once_each(sandbox_factory, tmp_path):
    sandbox = sandbox_factory(ark_queue_limit=1)
    jobs = await run_jobs(sandbox, [seedance(f"lamp {i}") for i in range(3)], tmp_path)
    assert [job.state for job in jobs] == [S.SAVED] * 3
    refused = [r for r in creates(sandbox) if r.get("code") == "QuotaExceeded"]
    assert refused and all(r["http_status"] == 429 for r in refused)
    assert len(sandbox.ark_created_bodies()) == 3


async def test_a_500_after_the_task_was_made_is_submit_unknown_and_never_sent_again(
    sandbox_factory, tmp_path, capsys, monkeypatch
):
    sandbox = sandbox_factory()
    sandbox.inject("fail_after_create", action="submit")  # the next create: made, then 500
    (job,) = await run_jobs(sandbox, [seedance()], tmp_path)
    assert job.state is S.SUBMIT_UNKNOWN
    assert "not sent again" in failure_hint(job)
    assert [r["http_status"] for r in creates(sandbox)] == [500]
    assert len(sandbox.ark_created_bodies()) == 1  # the task exists (and is billed)

    # the service is well again: resume
    for name, value in live_env(sandbox).items():
        monkeypatch.setenv(name, value)
    from jimeng_tui.cli.entry import main

    assert await asyncio.to_thread(main, ["resume"]) == 0
    capsys.readouterr()
    assert len(creates(sandbox)) == 1 and len(sandbox.ark_created_bodies()) == 1


@pytest.mark.parametrize(
    ("options", "prompt", "code"),
    [
        ({}, "a boat sandbox-video-reject", "OutputVideoSensitiveContentDetected"),
        (
            {},
            "a boat sandbox-video-copyright",
            "OutputVideoSensitiveContentDetected.PolicyViolation",
        ),
        ({"task_fail_rate": 1.0}, "a boat", None),
    ],
    ids=["output-sensitive", "output-copyright", "task-fail-rate"],
)
async def test_a_failed_task_fails_the_job_with_its_code_and_hint(
    sandbox_factory, tmp_path, options, prompt, code
):
    sandbox = sandbox_factory(**options)
    (job,) = await run_jobs(sandbox, [seedance(prompt)], tmp_path)
    assert job.state is S.FAILED and job.task_id
    if code is not None:
        assert job.error_code == code
    assert isinstance(job.error_code, str) and job.error_code
    assert "See the message above" not in failure_hint(job)
    assert len(sandbox.ark_created_bodies()) == 1 and job.path is None
