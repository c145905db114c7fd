"""Following a task the history may not know (``wait TASK``, ``tasks adopt``) and one status
query (``status TASK``): a mixin of :class:`~jimeng_tui.jobs.runner.Runner`. Nothing here submits.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.domain.meta import JobMeta
from jimeng_tui.jobs.remote import request_of, status_word

if TYPE_CHECKING:
    from jimeng_tui.jobs.throttle import Throttle
    from jimeng_tui.services.base import Service
    from jimeng_tui.store.history import History

S = JobState


class AttachStage:
    """``attach`` and ``query`` for Runner."""

    if TYPE_CHECKING:  # provided by Runner
        history: History
        services: dict[str, Service]
        _pid: int
        _created: set[int]

        def service_for(self, job: Job) -> Service: ...
        def throttle_for(self, job: Job) -> Throttle: ...
        def _ensure_heartbeat(self) -> None: ...

    async def attach(self, task_id: str, mode: str, params: Mapping[str, Any] | None = None) -> Job:
        """Track a task by id: its job, or a new row (``params``: as the service tells)."""
        existing = await asyncio.to_thread(self.history.find_task, task_id)
        if existing is not None and (not existing.is_final or existing.state is S.SAVED):
            return existing
        found = [
            (name, service)
            for name, service in self.services.items()
            if any(m.id == mode for m in service.capabilities().models)
        ]
        if not found:
            models = [m.id for s in self.services.values() for m in s.capabilities().models]
            raise JimengError(
                f"task {task_id} is not in the history: give its mode with --mode "
                f"({', '.join(models)})"
            )
        name, service = found[0]
        request = service.request_from_params(params or {"mode": mode, "model": mode})
        fresh = service.summary(request)  # as the service told, else of that model
        now = time.time()
        source = existing
        job = Job(
            id=None,
            created_at=now,
            updated_at=now,
            prompt=source.prompt if source else "",
            mode=mode,
            req_key=fresh.wire_model,
            params=dict(source.params) if source else dict(fresh.params),
            meta=source.meta.copy() if source else JobMeta(service=name),
            state=S.IN_QUEUE,
            task_id=task_id,
            submitted_at=now,
            owner_pid=self._pid,
            heartbeat_at=now,
        )
        job = await asyncio.to_thread(self.history.add, job)
        assert job.id is not None
        self._created.add(job.id)
        self._ensure_heartbeat()
        return job

    async def query(self, job: Job) -> str:
        """One status query for ``status TASK_ID``; returns the service's status word."""
        assert job.task_id is not None
        service = self.service_for(job)
        await self.throttle_for(job).acquire_request()
        view = await service.query(job.task_id, request_of(service, job))
        return status_word(view)
