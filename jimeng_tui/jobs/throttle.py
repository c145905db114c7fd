"""One admission controller per process: how many tasks may run and how fast requests may go.

Tasks in flight follow AIMD: a 50430 halves the window, each task that ends widens it by one,
never past the configured ``max_concurrency``. Requests pass a token bucket that only exists after
a 50429: the rate halves on each 50429 and grows back by half again after a quiet spell.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

from jimeng_tui.domain.events import ThrottleState
from jimeng_tui.services.base import Outcome

RATE_FLOOR = 0.2  # requests per second, the slowest we ever go
RATE_CEILING = 50.0  # above this the bucket is dropped: no limit
FIRST_RATE = 10.0  # assumed rate when the first 50429 arrives and nothing was measured
QUIET_SPELL_S = 10.0  # time without a 50429 before the rate grows again
BACKOFF_S = 2.0  # pause after a 50429 before the next request


class Throttle:
    def __init__(
        self,
        max_concurrency: int,
        *,
        on_change: Callable[[ThrottleState], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.max_concurrency = max(1, max_concurrency)
        self.limit = self.max_concurrency
        self.running = 0
        self.rate: float | None = None
        self.on_change = on_change
        self._clock = clock
        self._tokens = 0.0
        self._refilled_at = clock()
        self._paused_until = 0.0
        self._last_429 = 0.0
        self._changed = asyncio.Event()
        self._task_ended = asyncio.Event()

    @property
    def state(self) -> ThrottleState:
        return ThrottleState(
            running=self.running,
            limit=self.limit,
            max_concurrency=self.max_concurrency,
            rate=self.rate,
            rate_limited_for=max(0.0, self._paused_until - self._clock()),
        )

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()
        if self.on_change:
            self.on_change(self.state)

    # --- tasks in flight -------------------------------------------------------------------
    async def acquire_task(self) -> None:
        """Wait for room for one more task on the service, then take it."""
        while self.running >= self.limit:
            await self._changed.wait()
        self.running += 1
        self._notify()

    def adopt_task(self) -> None:
        """Count a task that is already on the service (a resumed job), even past the limit."""
        self.running += 1
        self._notify()

    def release_task(self, *, ended: bool) -> None:
        """A task left the service (``ended``) or never got there (a refused submit)."""
        self.running = max(0, self.running - 1)
        if ended:
            self.limit = min(self.max_concurrency, self.limit + 1)
            self._task_ended.set()
            self._task_ended = asyncio.Event()
        self._notify()

    def concurrency_limited(self) -> None:
        """The service answered 50430: too many tasks of this account are running."""
        self.limit = max(1, self.limit // 2)
        self._notify()

    async def wait_for_task_end(self, timeout: float) -> None:
        """After a 50430: wait until one of our tasks ends, or ``timeout`` (others may hold
        the account's quota)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._task_ended.wait(), timeout)

    # --- request rate ----------------------------------------------------------------------
    async def acquire_request(self) -> None:
        while True:
            now = self._clock()
            if now < self._paused_until:
                await asyncio.sleep(self._paused_until - now)
                continue
            if self.rate is None:
                return
            if now - self._last_429 > QUIET_SPELL_S:
                self._grow_rate(now)
                if self.rate is None:
                    return
            self._tokens = min(self.rate, self._tokens + (now - self._refilled_at) * self.rate)
            self._refilled_at = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return
            await asyncio.sleep((1.0 - self._tokens) / self.rate)

    def _grow_rate(self, now: float) -> None:
        assert self.rate is not None
        self.rate *= 1.5
        self._last_429 = now - QUIET_SPELL_S + QUIET_SPELL_S / 2  # grow again after half a spell
        if self.rate > RATE_CEILING:
            self.rate = None
        self._notify()

    def rate_limited(self) -> None:
        """The service answered 50429: slow every request of this process down."""
        now = self._clock()
        self.rate = max(RATE_FLOOR, (self.rate or FIRST_RATE) / 2)
        self._tokens = 0.0
        self._refilled_at = now
        self._last_429 = now
        self._paused_until = max(self._paused_until, now + BACKOFF_S)
        self._notify()

    def on_limit(self, outcome: Outcome) -> None:
        """The service's limit listener: SLOWER (a request-rate limit, Jimeng's 50429) slows
        every request; WHEN_TASK_ENDS (a concurrency limit, 50430) lowers the task limit."""
        if outcome is Outcome.SLOWER:
            self.rate_limited()
        elif outcome is Outcome.WHEN_TASK_ENDS:
            self.concurrency_limited()
