"""500 jobs in flight polling the sandbox at 1 s: engine CPU per poll vs a bare httpx loop.

Run on demand (not in CI):
    python -m pytest tests/benchmarks/bench_engine_polling.py -o addopts="" -s

The sandbox runs in its own process so that only the client side is measured. The baseline is
the smallest correct client: the same signed CVSync2AsyncGetResult requests over one
httpx.AsyncClient, every task polled once a second, no history, no events, and at most
MAX_REQUESTS_IN_FLIGHT (32) requests in flight, as the engine's client allows (without that
semaphore httpcore's pool queue is rescanned on every connection event and the bare loop is
slower than it need be: that loop is measured too, for comparison with earlier figures).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
from datetime import UTC, datetime

import httpx
import pytest
from bench_support import free_port, start_sandbox_process

from jimeng_tui.jobs.engine import Engine
from jimeng_tui.sandbox.options import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY

try:
    from jimeng_tui.services.jimeng import catalog
    from jimeng_tui.services.jimeng.client import MAX_REQUESTS_IN_FLIGHT
    from jimeng_tui.services.jimeng.request import GenerationRequest
    from jimeng_tui.services.jimeng.signing import Credentials, sign_request
    from jimeng_tui.session import open_engine
except ImportError:  # a tree from before issue 14's step (bench_before_after.py --before)
    from jimeng_tui.api import catalog
    from jimeng_tui.api.client import MAX_REQUESTS_IN_FLIGHT
    from jimeng_tui.api.request import GenerationRequest
    from jimeng_tui.api.signing import Credentials, sign_request

    open_engine = Engine.open

JOBS = 500
WINDOW_S = 10.0
INTERVAL_S = 1.0


def counted_engine(base_url: str) -> tuple[Engine, list[int]]:
    """An engine on the sandbox at ``base_url``, polling every INTERVAL_S, and its count of
    status queries answered (``counted[0]``)."""
    env = {
        **os.environ,
        "VOLC_ACCESSKEY": DEFAULT_ACCESS_KEY,
        "VOLC_SECRETKEY": DEFAULT_SECRET_KEY,
        "JIMENG_VIDEO_API_URL": base_url,
        "JIMENG_VIDEO_POLL_INTERVAL": str(INTERVAL_S),
        "JIMENG_VIDEO_MAX_POLL_ATTEMPTS": "100000",
    }
    engine = open_engine(env=env)
    counted = [0]
    real_get_result = engine.client.get_result

    async def counting_get_result(*args, **kwargs):
        result = await real_get_result(*args, **kwargs)
        counted[0] += 1
        return result

    engine.client.get_result = counting_get_result
    return engine, counted


async def engine_cpu_per_poll(base_url: str) -> tuple[float, int]:
    engine, counted = counted_engine(base_url)
    engine.runner.throttle.max_concurrency = engine.runner.throttle.limit = JOBS
    jobs = [await engine.runner.create(GenerationRequest(prompt=f"bench {i}")) for i in range(JOBS)]
    tasks = [asyncio.create_task(engine.runner.drive(j.id)) for j in jobs]
    while sum(1 for j in engine.history.unfinished() if j.task_id) < JOBS:
        await asyncio.sleep(0.2)
    await asyncio.sleep(2 * INTERVAL_S)  # steady state
    polls_before = counted[0]
    cpu_before = time.process_time()
    await asyncio.sleep(WINDOW_S)
    cpu = time.process_time() - cpu_before
    window_polls = counted[0] - polls_before
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await engine.aclose()
    return cpu / max(window_polls, 1), window_polls


async def bare_cpu_per_poll(
    base_url: str, task_ids: list[str], in_flight: int | None
) -> tuple[float, int]:
    slots = asyncio.Semaphore(in_flight or len(task_ids))
    credentials = Credentials(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
    host = base_url.split("://", 1)[1]
    query = {"Action": catalog.ACTION_RESULT, "Version": catalog.API_VERSION}
    count = 0
    stop = False
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as http:

        async def poll(task_id: str) -> None:
            nonlocal count
            while not stop:
                body = json.dumps({"req_key": "jimeng_t2v_v30", "task_id": task_id}).encode()
                headers = sign_request(
                    method="POST",
                    path="/",
                    query=query,
                    host=host,
                    body=body,
                    credentials=credentials,
                    now=datetime.now(UTC),
                )
                async with slots:
                    response = await http.post("/", params=query, content=body, headers=headers)
                response.json()
                count += 1
                await asyncio.sleep(INTERVAL_S)

        tasks = [asyncio.create_task(poll(t)) for t in task_ids]
        await asyncio.sleep(2 * INTERVAL_S)
        before, cpu_before = count, time.process_time()
        await asyncio.sleep(WINDOW_S)
        cpu, polls = time.process_time() - cpu_before, count - before
        stop = True
        await asyncio.gather(*tasks)
    return cpu / max(polls, 1), polls


def sandbox_process(port: int):
    """The sandbox process; from the source tree in BENCH_SANDBOX_TREE when set, so that two
    trees' engines compared in alternate runs poll the same server."""
    tree = os.environ.get("BENCH_SANDBOX_TREE")
    if not tree:
        return start_sandbox_process(port)
    own = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = tree
    try:
        return start_sandbox_process(port)
    finally:
        if own is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = own


def test_engine_polling_cpu_against_a_bare_httpx_loop(isolated_home):
    port = free_port()
    sandbox = sandbox_process(port)
    base_url = f"http://127.0.0.1:{port}"
    try:
        engine_cpu, engine_polls = asyncio.run(engine_cpu_per_poll(base_url))
        # the baseline polls the same number of live tasks (ids from the engine's history)
        from jimeng_tui.store.history import History, HistoryQuery
        from jimeng_tui.store.paths import app_paths

        history = History(app_paths().history_db)
        ids = [j.task_id for j in history.query(HistoryQuery(limit=JOBS)) if j.task_id]
        history.close()
        bare = asyncio.run(bare_cpu_per_poll(base_url, ids, MAX_REQUESTS_IN_FLIGHT))
        unbounded = asyncio.run(bare_cpu_per_poll(base_url, ids, None))
    finally:
        sandbox.terminate()
        sandbox.wait(10)
    print(
        f"\n{JOBS} jobs polling every {INTERVAL_S:.0f} s for {WINDOW_S:.0f} s "
        f"(load {os.getloadavg()[0]:.1f}):"
        f"\n  engine: {engine_polls} polls, {engine_cpu * 1e3:.3f} ms CPU per poll"
    )
    for label, (cpu, polls) in (
        (f"bare httpx loop, {MAX_REQUESTS_IN_FLIGHT} in flight", bare),
        ("bare httpx loop, no limit in flight", unbounded),
    ):
        print(
            f"  {label}: {polls} polls, {cpu * 1e3:.3f} ms CPU per poll; "
            f"engine ×{engine_cpu / cpu:.2f} (goal ≤ 1.5×)"
        )
    assert engine_polls > 0 and bare[1] > 0


# --- fixed vs adaptive polling over the tasks' whole life (jobs/poll_schedule.py) -----------
TASK_S = 15.0  # in_queue 1 s, then generating 14 s
LIFE_JOBS = (100, 500)


async def polls_over_a_life(base_url: str, jobs: int, adaptive: bool) -> dict[str, float]:
    """``jobs`` jobs submitted at once, each task done TASK_S after its submit: the polls sent
    and the CPU used from the first submit until every job has seen its task done (downloads
    left out), and how long after its task finished each job saw it."""
    engine, counted = counted_engine(base_url)
    runner = engine.runner
    runner.settings.adaptive_polling = adaptive
    # a job of this model finished here before (as a user's earlier one): TASK_S, seen late
    # by half an interval, the fixed interval's average
    from jimeng_tui.domain.job import Job, JobState
    from jimeng_tui.domain.meta import JobMeta

    earlier = Job(id=None, created_at=1.0, updated_at=1.0, prompt="earlier", mode="t2v_720p",
                  req_key="jimeng_t2v_v30", params={}, state=JobState.SAVED, submitted_at=1.0,
                  finished_at=1.0 + TASK_S + INTERVAL_S / 2,
                  meta=JobMeta(endpoint=engine.service.endpoint))  # fmt: skip
    engine.history.add(earlier)

    async def no_download(job) -> None:  # only the polling is measured
        raise asyncio.CancelledError

    runner._download = no_download
    runner.throttle.max_concurrency = runner.throttle.limit = jobs
    created = [await runner.create(GenerationRequest(prompt=f"bench {i}")) for i in range(jobs)]
    start, cpu_before, polls_before = time.perf_counter(), time.process_time(), counted[0]
    tasks = [asyncio.create_task(runner.drive(j.id)) for j in created]
    await asyncio.gather(*tasks, return_exceptions=True)
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu_before
    window_polls = counted[0] - polls_before
    rows = [engine.history.get(j.id) for j in created]
    late = [r.finished_at - (r.submitted_at + TASK_S) for r in rows if r and r.finished_at]
    await engine.aclose()
    return {
        "polls": window_polls,
        "polls_per_s": window_polls / wall,
        "cpu": cpu,
        "wall": wall,
        "late_max": max(late),
        "late_median": statistics.median(late),
    }


@pytest.mark.timeout(1800)
def test_fixed_against_adaptive_polling_over_the_tasks_life(isolated_home, tmp_path, monkeypatch):
    results = {}
    for jobs in LIFE_JOBS:
        for adaptive in (False, True):
            # a sandbox of its own each time: one holding the earlier runs' tasks answers
            # slower (it keeps every task), which would favour whichever ran first
            port = free_port()
            sandbox = start_sandbox_process(port, generate_seconds=TASK_S - 1)
            try:
                monkeypatch.setenv("JIMENG_TUI_HOME", str(tmp_path / f"{jobs}-{adaptive}"))
                results[jobs, adaptive] = asyncio.run(
                    polls_over_a_life(f"http://127.0.0.1:{port}", jobs, adaptive)
                )
            finally:
                sandbox.terminate()
                sandbox.wait(10)
            print(jobs, adaptive, results[jobs, adaptive], flush=True)
    print(
        f"\ntasks of {TASK_S:.0f} s polled every {INTERVAL_S:.0f} s, from the first submit until "
        f"every job saw its task done (load {os.getloadavg()[0]:.1f}):"
    )
    for (jobs, adaptive), r in results.items():
        print(
            f"  {jobs} jobs, {'adaptive' if adaptive else 'fixed'}: {r['polls']:.0f} polls "
            f"({r['polls'] / jobs:.1f} a job), {r['polls_per_s']:.0f} polls/s over "
            f"{r['wall']:.1f} s, CPU {r['cpu']:.2f} s; done seen {r['late_median']:.2f} s "
            f"(median), {r['late_max']:.2f} s (max) after the task finished"
        )
    for jobs in LIFE_JOBS:
        assert results[jobs, True]["polls"] < results[jobs, False]["polls"]
