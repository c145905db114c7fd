"""Which service a task id belongs to: the history's job for it, else the id's shape
(``Capabilities.task_id_pattern``, declared by each service). ``status``/``wait TASK`` use it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from jimeng_tui.services import registry

if TYPE_CHECKING:
    from jimeng_tui.domain.job import Job
    from jimeng_tui.store.history import History


def services_by_shape(task_id: str) -> tuple[str, ...]:
    """The registered services whose task ids look like ``task_id``."""
    return tuple(
        caps.service
        for caps in registry.all_capabilities()
        if caps.task_id_pattern and re.fullmatch(caps.task_id_pattern, task_id)
    )


def task_owner(history: History, task_id: str) -> tuple[Job | None, str | None]:
    """The history's job for ``task_id`` and its service; else (None, the one service whose
    ids look like it), or (None, None) when no service's or several services' ids do."""
    job = history.find_task(task_id)
    if job is not None:
        return job, job.meta.service_name
    shaped = services_by_shape(task_id)
    return None, shaped[0] if len(shaped) == 1 else None


def id_shapes() -> str:
    """For a message: each service's label and the shape of its task ids."""
    return "; ".join(
        f"{caps.label}: {caps.task_id_pattern}"
        for caps in registry.all_capabilities()
        if caps.task_id_pattern
    )
