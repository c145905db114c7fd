"""Adaptive polling against the sandbox over loopback: far fewer polls, never one faster than
the configured interval, and a finished task never left waiting more than one interval."""

from __future__ import annotations

import asyncio
import itertools
import os
from collections import defaultdict
from datetime import datetime

from jimeng_tui.domain.job import JobState
from jimeng_tui.services.jimeng.catalog import ACTION_RESULT
from jimeng_tui.services.jimeng.request import GenerationRequest

INTERVAL = 0.3
# speed 20: a task is in_queue 0.05 s and generating 3.55 s, done 3.6 s after its submit
SLOW_TASKS = {"speed": 20.0, "queue_seconds": 1.0, "generate_seconds": 71.0}
JOBS = 12


def polls_by_task(sandbox) -> dict[str, list[tuple[float, str]]]:
    """Each task's status queries as the sandbox logged them: (time, status answered)."""
    polls: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for entry in sandbox.requests_for(ACTION_RESULT):
        at = datetime.fromisoformat(entry["time"]).timestamp()
        polls[entry["task_id"]].append((at, entry.get("task_status", "")))
    return polls


async def run_jobs(engine, count: int, prefix: str) -> list:
    runner = engine.runner
    runner.throttle.max_concurrency = runner.throttle.limit = count
    requests = [GenerationRequest(prompt=f"{prefix} {i}", seed=i) for i in range(count)]
    return await asyncio.gather(*(runner.run(r) for r in requests))


async def test_adaptive_polling_needs_far_fewer_polls_and_keeps_both_bounds(
    sandbox_factory, engine_for
):
    env = {"JIMENG_VIDEO_POLL_INTERVAL": str(INTERVAL)}
    # fixed interval: every task polled from its submit until it is done
    fixed_sandbox = sandbox_factory(**SLOW_TASKS)
    fixed = engine_for(fixed_sandbox, env=env)
    fixed.runner.settings.adaptive_polling = False
    jobs = await run_jobs(fixed, JOBS, "fixed")
    assert [j.state for j in jobs] == [JobState.SAVED] * JOBS
    fixed_polls = len(fixed_sandbox.requests_for(ACTION_RESULT))

    # adaptive, on a sandbox of its own (its own endpoint: nothing learned from the other);
    # one job first, as a user's earlier job: it is polled at the fixed interval and teaches
    sandbox = sandbox_factory(**SLOW_TASKS)
    engine = engine_for(sandbox, env=env)
    assert engine.runner.settings.poll_interval == INTERVAL
    (teacher,) = await run_jobs(engine, 1, "first")
    assert teacher.state is JobState.SAVED
    sandbox.clear_requests()
    jobs = await run_jobs(engine, JOBS, "adaptive")

    # the same outcome: every job saved, one task each
    assert [j.state for j in jobs] == [JobState.SAVED] * JOBS, [j.error_message for j in jobs]
    polls = polls_by_task(sandbox)
    assert sorted(polls) == sorted(j.task_id for j in jobs)
    adaptive_polls = sum(len(p) for p in polls.values())
    print(f"\n{JOBS} jobs: {fixed_polls} polls at the fixed interval, {adaptive_polls} adaptive")
    assert adaptive_polls * 2 <= fixed_polls, (adaptive_polls, fixed_polls)
    for task_id, seen in polls.items():
        times = [at for at, _ in seen]
        statuses = [status for _, status in seen]
        # never faster than the configured interval: a lower bound a loaded machine can only
        # widen (each later poll waits an interval after the previous answer; the log keeps
        # milliseconds)
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert all(gap >= INTERVAL - 0.002 for gap in gaps), (task_id, gaps)
        # the first poll found the task unfinished (by the sandbox's own clock): the schedule
        # never put it off past the finish; every later poll is an interval after the one
        # before, so the poll that saw it done came one of its intervals after one that found
        # it unfinished, and nothing was sent after that one
        assert statuses[0] in ("in_queue", "generating"), (task_id, statuses)
        assert statuses[-1] == "done" and "done" not in statuses[:-1], (task_id, statuses)
        print(f"  {len(seen)} polls: {' '.join(statuses)}")


async def test_a_task_this_runner_did_not_submit_is_polled_at_once(sandbox_factory, engine_for):
    """`wait TASK` and restarts: the row's submit time may not be when the task began, so
    its first poll is not put off (a task that is already done is saved at once)."""
    sandbox = sandbox_factory(**SLOW_TASKS)
    env = {"JIMENG_VIDEO_POLL_INTERVAL": str(INTERVAL)}
    engine = engine_for(sandbox, env=env)
    (teacher,) = await run_jobs(engine, 1, "first")
    assert teacher.state is JobState.SAVED
    # a task made elsewhere, already done, then followed by a new engine (`wait TASK`)
    other = engine_for(sandbox, env=env)
    made = await other.service.submit(
        await other.service.build_body(GenerationRequest(prompt="made elsewhere"))
    )
    sandbox.advance(5.0)
    sandbox.clear_requests()
    follower = engine_for(sandbox, env=env)
    job = await follower.runner.attach(made.task_id, mode=teacher.mode)
    job = await follower.runner.drive(job.id)
    assert job.state is JobState.SAVED, job.error_message
    assert [s for _, s in polls_by_task(sandbox)[made.task_id]] == ["done"]


def test_the_first_poll_waits_for_the_earliest_finish_less_one_interval():
    from pathlib import Path

    from jimeng_tui.domain.job import Job
    from jimeng_tui.domain.meta import JobMeta
    from jimeng_tui.jobs.poll_schedule import PollSchedule

    schedule = PollSchedule(Path(os.devnull))
    job = Job(id=3, created_at=100.0, updated_at=100.0, prompt="p", mode="t2v_720p",
              req_key="k", params={}, state=JobState.IN_QUEUE, submitted_at=100.0,
              meta=JobMeta(endpoint="http://here"))  # fmt: skip
    schedule.submitted(job)
    job.finished_at = 160.0  # a job of that model was still running 55 s after its submit
    schedule.finished(job, unfinished_at=155.0, interval=5.0)
    job.id = 4
    schedule.submitted(job)

    async def delay(in_flight: int, now: float) -> float:
        return await schedule.first_poll_delay(job, interval=5.0, in_flight=in_flight, now=now)

    assert asyncio.run(delay(1, now=100.0)) == 50.0  # 55 s, less an interval
    spread = asyncio.run(delay(2, now=100.0))
    assert 45.0 < spread <= 50.0  # a share of one interval earlier, never later
    assert asyncio.run(delay(1, now=170.0)) == 0.0  # already due: at once
    job.id = 5  # not submitted here
    assert asyncio.run(delay(1, now=100.0)) == 0.0


def test_what_the_history_knows_is_used_after_a_restart(tmp_path):
    """A new process learns from the history's finished rows of that model at that endpoint
    (their submit → finish time, less the interval each may have been noticed late)."""
    from jimeng_tui.domain.job import Job
    from jimeng_tui.domain.meta import JobMeta
    from jimeng_tui.jobs.poll_schedule import PollSchedule
    from jimeng_tui.store.history import History

    def job(endpoint: str, took: float | None) -> Job:
        return Job(id=None, created_at=1.0, updated_at=1.0, prompt="p", mode="t2v_720p",
                   req_key="k", params={}, state=JobState.SAVED, submitted_at=1.0,
                   finished_at=None if took is None else 1.0 + took,
                   meta=JobMeta(endpoint=endpoint))  # fmt: skip

    with History(tmp_path / "h.sqlite3") as history:
        history.add_many([job("http://here", 70.0), job("http://here", 64.0),
                          job("http://elsewhere", 20.0), job("http://here", None)])  # fmt: skip
        new = history.add(job("http://here", None))
    new.state, new.submitted_at = JobState.IN_QUEUE, 1000.0
    schedule = PollSchedule(tmp_path / "h.sqlite3")
    schedule.submitted(new)
    delay = schedule.first_poll_delay(new, interval=5.0, in_flight=1, now=1000.0)
    assert asyncio.run(delay) == 54.0  # 64 s, less two intervals
