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


def helper_env(sandbox) -> dict[str, str]:
    """The helper processes' environment: the sandbox's service, quick polls."""
    return {
        **os.environ,
        "VOLC_ACCESSKEY": sandbox.options.access_key,
        "VOLC_SECRETKEY": sandbox.options.secret_key,
        "JIMENG_VIDEO_API_URL": sandbox.base_url,
        "JIMENG_VIDEO_POLL_INTERVAL": "0.1",
    }


def helper_process(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(HELPER), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def create_jobs(env: dict[str, str], db: Path, count: int) -> subprocess.Popen:
    """The helper creating ``count`` jobs, once their rows are all written (or it ended)."""
    proc = helper_process(env, "create", str(count))
    while len(states(db)) < count and proc.poll() is None:
        time.sleep(0.02)
    return proc


def test_sigkill_at_random_points_then_restart(sandbox_factory, isolated_home):
    sandbox = sandbox_factory(speed=4, max_concurrency=6)
    env = helper_env(sandbox)
    db = app_paths(env).history_db
    rng = random.Random(20261125)

    def start(*args: str) -> subprocess.Popen:
        return helper_process(env, *args)

    proc = create_jobs(env, db, JOBS)
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


def test_sigkill_anywhere_with_a_resume_running_meanwhile(sandbox_factory, isolated_home):
    """Issue 12, item 4: kills land anywhere (between a row's creation and its claim, inside a
    submit...) while `resume` processes run beside the creator: every job ends saved or
    honestly submit_unknown, no request is submitted twice, and no creator loses a job it
    created to a resume ("elsewhere")."""
    sandbox = sandbox_factory(speed=4, max_concurrency=6)
    env = helper_env(sandbox)
    db = app_paths(env).history_db
    rng = random.Random(20261206)
    logs: list[subprocess.Popen] = []

    def start(*args: str) -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, str(HELPER), *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        logs.append(proc)
        return proc

    creator = start("create-missing", str(JOBS))
    resumer = start("resume")
    deadline = time.monotonic() + 120  # a bound on the test, not an assertion about speed
    kills = 0
    next_kill = time.monotonic() + rng.uniform(0.3, 1.2)
    while kills < 6 and time.monotonic() < deadline:
        time.sleep(0.02)
        if resumer.poll() is not None:  # a resume runs all the time beside the creator
            resumer = start("resume")
        if time.monotonic() >= next_kill:
            victim = creator if rng.random() < 0.7 else resumer
            if victim.poll() is None:
                victim.kill()  # anywhere: mid-create, between create and claim, mid-submit...
                victim.wait(timeout=30)
                kills += 1
            next_kill = time.monotonic() + rng.uniform(0.3, 1.2)
        if creator.poll() is not None:
            creator = start("create-missing", str(JOBS))
    for proc in (creator, resumer):
        proc.wait(timeout=180)

    def settled() -> bool:
        found = states(db)
        return len(found) == JOBS and not set(found.values()) - {"saved", "submit_unknown"}

    for _ in range(5):  # each round creates what is missing and finishes what it can
        if settled():
            break
        start("create-missing", str(JOBS)).wait(timeout=180)
        start("resume").wait(timeout=180)
    assert settled(), states(db)

    stderr = "".join(proc.stderr.read() for proc in logs)
    assert "ELSEWHERE" not in stderr, stderr  # no creator lost its own job
    assert "Traceback" not in stderr and "ERROR" not in stderr, stderr
    with sqlite3.connect(db) as conn:
        rows = list(conn.execute("SELECT prompt, state, path FROM jobs"))
    prompts = [prompt for prompt, _, _ in rows]
    assert sorted(prompts) == sorted(f"crash test job {i}" for i in range(JOBS))  # one row each
    assert {state for _, state, _ in rows} <= {"saved", "submit_unknown"}
    submitted = [b["prompt"] for b in sandbox.submitted_bodies()]
    assert len(submitted) == len(set(submitted)), "a request was submitted twice"
    saved = [path for _, state, path in rows if state == "saved"]
    assert len(saved) + sum(state == "submit_unknown" for _, state, _ in rows) == JOBS
    for path in saved:
        with av.open(path) as container:
            assert container.streams.video[0].frames in (0, 121)
    if saved:
        assert not list(Path(saved[0]).parent.glob("*.part*"))
    assert kills >= 3
