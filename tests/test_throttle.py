"""The admission controller: AIMD on tasks in flight, a token bucket after 50429."""

from __future__ import annotations

import asyncio

import pytest

from jimeng_tui.jobs.throttle import BACKOFF_S, Throttle
from jimeng_tui.services.base import Outcome


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_the_hard_cap_holds_and_a_finished_task_lets_the_next_in():
    throttle = Throttle(2)
    await throttle.acquire_task()
    await throttle.acquire_task()
    third = asyncio.create_task(throttle.acquire_task())
    await asyncio.sleep(0.01)
    assert not third.done()
    assert throttle.state.describe() == "2/2 running · rate ok"
    throttle.release_task(ended=True)
    await asyncio.wait_for(third, 1)
    assert throttle.running == 2


async def test_50430_halves_the_window_and_each_ended_task_widens_it_by_one():
    throttle = Throttle(8)
    throttle.on_limit(Outcome.WHEN_TASK_ENDS)
    assert throttle.limit == 4
    throttle.on_limit(Outcome.WHEN_TASK_ENDS)
    assert throttle.limit == 2
    for _ in range(3):
        await throttle.acquire_task()  # adopt/acquire are counted against the window
        throttle.release_task(ended=True)
    assert throttle.limit == 5
    for _ in range(10):
        await throttle.acquire_task()
        throttle.release_task(ended=True)
    assert throttle.limit == 8  # never past max_concurrency
    assert "max" not in throttle.state.describe()


async def test_a_refused_submit_does_not_widen_the_window():
    throttle = Throttle(4)
    throttle.on_limit(Outcome.WHEN_TASK_ENDS)
    await throttle.acquire_task()
    throttle.release_task(ended=False)
    assert throttle.limit == 2
    assert throttle.state.describe() == "0/2 running (max 4) · rate ok"


def test_50429_pauses_and_halves_the_rate():
    clock = FakeClock()
    throttle = Throttle(5, clock=clock)
    throttle.on_limit(Outcome.SLOWER)
    assert throttle.rate == pytest.approx(5.0)
    assert throttle.state.rate_limited_for == pytest.approx(BACKOFF_S)
    assert "rate-limited 2 s" in throttle.state.describe()
    throttle.on_limit(Outcome.SLOWER)
    assert throttle.rate == pytest.approx(2.5)
    clock.now += 100
    assert throttle.state.rate_limited_for == 0
    assert throttle.state.describe().endswith("2.5 req/s")


async def test_the_rate_recovers_after_a_quiet_spell():
    throttle = Throttle(5)
    throttle.on_limit(Outcome.SLOWER)
    throttle._paused_until = 0  # skip the pause for the test
    throttle._last_429 -= 60  # long quiet spell
    for _ in range(12):
        throttle._last_429 -= 60
        await throttle.acquire_request()
    assert throttle.rate is None


async def test_change_listener_sees_every_change():
    seen = []
    throttle = Throttle(3, on_change=seen.append)
    await throttle.acquire_task()
    throttle.on_limit(Outcome.WHEN_TASK_ENDS)
    throttle.release_task(ended=True)
    assert [(s.running, s.limit) for s in seen] == [(1, 3), (1, 1), (0, 2)]
