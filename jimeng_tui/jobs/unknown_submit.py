"""The way out of a ``submit_unknown`` job on a service that lists its tasks (issue 15 item 8).

A create whose answer was lost may have made (and billed) a task. When the service can list the
account's tasks, the job's message names the tasks made around the time of the submit that the
history does not know (same model), and says how to adopt one or, if none is the job's, how to
send it again as a new paid job. Nothing is ever sent again by itself.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from jimeng_tui.domain.errors import JimengError

if TYPE_CHECKING:
    from jimeng_tui.domain.job import Job
    from jimeng_tui.services.base import Service, TaskView
    from jimeng_tui.store.history import History

AROUND_S = 300.0  # a task made this long before the submit was sent may still be the job's
LIST_TIMEOUT_S = 30.0  # the service may be the reason the answer was lost
SHOWN = 5  # candidates named in the message


async def candidate_tasks(
    service: Service, history: History, job: Job, *, sent_at: float
) -> list[TaskView]:
    """Tasks made since ``sent_at`` minus a few minutes that the history does not know and
    that were made with the job's model (or say no model), newest first."""
    views = await asyncio.wait_for(service.list_tasks(sent_at - AROUND_S), LIST_TIMEOUT_S)
    names = {job.mode}
    for caps in service.capabilities().models:
        if caps.id == job.mode:
            names.update(caps.aliases)
    found = [
        view
        for view in views
        if history.find_task(view.task_id) is None
        and (not isinstance(view.extra.get("model"), str) or view.extra.get("model") in names)
    ]
    return sorted(found, key=lambda view: view.created_at or 0.0, reverse=True)


async def way_out(service: Service, history: History, job: Job, *, sent_at: float) -> str:
    """What to add to a ``submit_unknown`` job's message; "" for a service that cannot list
    its tasks (its console is the only place to look)."""
    if job.id is None or not service.capabilities().can_list_tasks:
        return ""
    again = (
        "or, if none is its task, send it again as a new paid job (the studio's re-run: r in "
        "the job list or History)"
    )
    try:
        views = await candidate_tasks(service, history, job, sent_at=sent_at)
    except (JimengError, OSError, TimeoutError) as exc:
        return (
            f"The account's tasks could not be listed now ({exc or type(exc).__name__}): "
            f"`jimeng-tui tasks` lists them; adopt the job's with `jimeng-tui tasks adopt "
            f"TASK_ID --job {job.id}`, {again}."
        )
    if not views:
        return (
            f"The service lists no task of {job.mode} made around then that the history does "
            f"not know (yet): check again with `jimeng-tui tasks` and adopt the job's with "
            f"`jimeng-tui tasks adopt TASK_ID --job {job.id}`, {again}."
        )
    named = ", ".join(f"{view.task_id} ({_when(view)})" for view in views[:SHOWN])
    more = f" and {len(views) - SHOWN} more (`jimeng-tui tasks`)" if len(views) > SHOWN else ""
    return (
        f"Tasks created around that time that the history does not know: {named}{more}. "
        f"Adopt one: `jimeng-tui tasks adopt {views[0].task_id} --job {job.id}`, {again}."
    )


def _when(view: TaskView) -> str:
    if view.created_at is None:
        return "time unknown"
    return time.strftime("%H:%M:%S", time.localtime(view.created_at))
