"""SIGKILL at random safe moments while 10 Seedance jobs run on the sandbox's Ark, then ``resume``
(issue 15, "Must show"): every job saved (or honestly submit_unknown), each task created once."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import av

from jimeng_tui.sandbox.ark import ACTION_CREATE
from jimeng_tui.store.paths import app_paths
from tests.test_crash_recovery import (
    create_jobs,
    helper_env,
    helper_process,
    kill_at_a_safe_random_point,
    states,
)

JOBS = 10


def test_sigkill_seedance_jobs_at_random_safe_moments_then_resume(sandbox_factory, isolated_home):
    sandbox = sandbox_factory(speed=4)
    env = {
        **helper_env(sandbox),
        "ARK_BASE_URL": sandbox.ark_base_url,
        "ARK_API_KEY": sandbox.ark_api_key,
        "CRASH_MODEL": "seedance-2.0",
    }
    db = app_paths(env).history_db
    rng = random.Random(20261207)

    proc = create_jobs(env, db, JOBS)
    cut_short = 0  # kills that left a job unfinished (the test is about those)
    for _ in range(4):
        kill_at_a_safe_random_point(proc, db, rng)
        cut_short += any(state != "saved" for state in states(db).values())
        proc = helper_process(env, "resume")
    assert proc.wait(timeout=240) == 0, proc.stderr.read().decode()

    with sqlite3.connect(db) as conn:
        rows = list(conn.execute("SELECT prompt, state, path, task_id FROM jobs"))
    assert len(rows) == JOBS
    assert {state for _, state, _, _ in rows} <= {"saved", "submit_unknown"}, rows
    created = [body["content"][0]["text"] for body in sandbox.ark_created_bodies()]
    assert sorted(created) == sorted(set(created)), "a Seedance task was created twice"
    assert len(created) == JOBS
    ok_creates = [r for r in sandbox.requests_for(ACTION_CREATE) if r["http_status"] == 200]
    assert len(ok_creates) == JOBS
    saved = [path for _, state, path, _ in rows if state == "saved"]
    for path in saved:
        with av.open(path) as container:
            assert container.streams.video[0].frames == 97  # 4 s at 24 fps, natively
        assert Path(path).with_name(Path(path).stem + ".last.png").is_file()
    assert saved and not list(Path(saved[0]).parent.glob("*.part*"))
    assert cut_short >= 1
