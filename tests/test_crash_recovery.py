"""SIGKILL at random points, then restart: every job is saved once, no task is submitted twice."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import av

from jimeng_tui.store.paths import app_paths

HELPER = Path(__file__).parent / "helpers" / "drive_jobs.py"
JOBS = 20


def states(db: Path) -> dict[int, str]:
    if not db.exists():
        return {}
    try:
        with sqlite3.connect(db, timeout=10) as conn:
            return dict(conn.execute("SELECT id, state FROM jobs"))
    except sqlite3.OperationalError:  # the schema is being created
        return {}


def kill_at_a_safe_random_point(proc: subprocess.Popen, db: Path, rng: random.Random) -> None:
    """SIGKILL after a random delay, never while a submit is in flight.

    A kill inside a submit must end as submit_unknown (the product never resends), so the test
    freezes the process first (SIGSTOP) and only kills when no row says "submitting".
    """
    time.sleep(rng.uniform(0.3, 1.5))
    while proc.poll() is None:
        proc.send_signal(signal.SIGSTOP)
        if "submitting" not in states(db).values():
            proc.kill()
            break
        proc.send_signal(signal.SIGCONT)
        time.sleep(0.01)
    proc.wait(timeout=30)


def test_sigkill_at_random_points_then_restart(sandbox_factory, isolated_home):
    sandbox = sandbox_factory(speed=4, max_concurrency=6)
    env = {
        **os.environ,
        "VOLC_ACCESSKEY": sandbox.options.access_key,
        "VOLC_SECRETKEY": sandbox.options.secret_key,
        "JIMENG_VIDEO_API_URL": sandbox.base_url,
        "JIMENG_VIDEO_POLL_INTERVAL": "0.1",
    }
    db = app_paths(env).history_db
    rng = random.Random(20261125)

    def start(*args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, str(HELPER), *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    proc = start("create", str(JOBS))
    while len(states(db)) < JOBS and proc.poll() is None:
        time.sleep(0.02)
    kills = 0
    for _ in range(4):
        kill_at_a_safe_random_point(proc, db, rng)
        kills += 1
        proc = start("resume")
    assert proc.wait(timeout=180) == 0, proc.stderr.read().decode()

    final = states(db)
    assert len(final) == JOBS
    with sqlite3.connect(db) as conn:
        errors = list(
            conn.execute("SELECT id, state, error_message FROM jobs WHERE state != 'saved'")
        )
    assert set(final.values()) == {"saved"}, errors
    created = sandbox.submitted_bodies()
    assert len(created) == JOBS, "a task was submitted twice"
    assert len({b["prompt"] for b in created}) == JOBS
    with sqlite3.connect(db) as conn:
        paths = [row[0] for row in conn.execute("SELECT path FROM jobs")]
    for path in paths:
        with av.open(path) as container:
            assert container.streams.video[0].frames in (0, 121)
    assert not list(Path(paths[0]).parent.glob("*.part"))
    assert kills == 4
