"""``status``/``wait`` of a task of a service that identifies its tasks by id alone (Seedance/Ark's
``cgt-…``): routed by the history's job for the task, else by the id's shape
(``jobs.task_owner``). Jimeng 3.0 tasks, which need their mode to be asked about, keep the path
in ``follow.py``."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from jimeng_tui.cli.errors import EXIT_FAILED, EXIT_OK, PROG, UsageError, error_line
from jimeng_tui.cli.output import print_json
from jimeng_tui.cli.text import printable
from jimeng_tui.jobs.remote import status_word
from jimeng_tui.jobs.task_owner import id_shapes, task_owner
from jimeng_tui.services.base import RemoteStatus
from jimeng_tui.services.jimeng.capabilities import SERVICE_NAME as ASKED_BY_MODE

if TYPE_CHECKING:
    from jimeng_tui.cli.running import Session
    from jimeng_tui.domain.job import Job
    from jimeng_tui.jobs.engine import Engine


def check_task_id(task_id: str) -> str:
    task_id = task_id.strip()
    from jimeng_tui.jobs.task_owner import services_by_shape

    if not services_by_shape(task_id):
        raise UsageError(
            f"{task_id!r} is not a task id of any service here ({id_shapes()})", field="task_id"
        )
    return task_id


def routed_owner(engine: Engine, task_id: str, mode: str | None) -> tuple[Job | None, str] | None:
    """(history job, service) for a task this module answers; None for the Jimeng 3.0 path."""
    job, owner = task_owner(engine.history, task_id)
    if owner is None or owner == ASKED_BY_MODE:
        return None
    if mode is not None and job is None:
        raise UsageError(
            f"--mode is for Jimeng 3.0 tasks; task {task_id} is a {owner} task (its model "
            "comes from the service)",
            field="mode",
        )
    return job, owner


async def routed_status(
    session: Session, ns: argparse.Namespace, task_id: str, job: Job | None, owner: str
) -> int:
    engine = session.engine
    assert engine is not None
    session.require_credentials(owner)
    service = engine.runner.services[owner]
    view = await service.query(task_id, job)
    word = status_word(view)
    payload: dict[str, Any] = {
        "task_id": task_id,
        "service": owner,
        "model": view.extra.get("model") or (job.mode if job is not None else None),
        "status": word,
        "video_url": view.video_url,
        "request_id": view.request_id,
        "tokens": view.usage_tokens,
    }
    if job is not None:
        payload["job_id"], payload["job_state"], payload["path"] = job.id, str(job.state), job.path
    if ns.json:
        print_json(payload)
    else:
        print(word)
        if view.video_url:
            print(view.video_url)
        if job is not None:
            line = f"{PROG}: history: job {job.id} {job.state}" + (
                f", {job.path}" if job.path else ""
            )
        else:
            line = f"{PROG}: not in the history: `{PROG} tasks adopt {task_id}` saves it"
        print(printable(line), file=sys.stderr)
    if view.status is RemoteStatus.EXPIRED:
        print(
            error_line(
                f"task {task_id}: the service does not know this task (wrong id, another "
                "account's, deleted, or older than 7 days)"
            ),
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK


async def routed_attach(session: Session, task_id: str, owner: str) -> Job:
    """``wait`` of a task the history does not know: adopted (never submitted)."""
    from jimeng_tui.jobs.adopt import adopt_task

    engine = session.engine
    assert engine is not None
    session.require_credentials(owner)
    return await adopt_task(engine.runner, task_id)
