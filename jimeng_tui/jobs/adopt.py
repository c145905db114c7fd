"""The account's recent tasks and adopting one the history does not know (issue 15 item 8).

A service that can list its tasks (``Capabilities.can_list_tasks``: Ark keeps 7 days) shows
tasks made in its web console, or by a ``submit_unknown`` create that did make one. Adopting
one writes a job row from what the service says about the task (model, length, resolution,
ratio, seed, sound) and follows it like any other (polled, downloaded, verified, saved): it is
never submitted, so nothing is paid again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.domain.job import JobState
from jimeng_tui.jobs.remote import status_word
from jimeng_tui.services.base import RemoteStatus

if TYPE_CHECKING:
    from jimeng_tui.domain.job import Job
    from jimeng_tui.jobs.runner import Runner
    from jimeng_tui.services.base import Service, TaskView

LIST_DAYS = 7  # what Ark's list covers (contract section 4)


@dataclass(frozen=True)
class AccountTask:
    service: str  # registry name
    view: TaskView
    job: Job | None  # the history's job for it, None when the history does not know it

    @property
    def status(self) -> str:
        return status_word(self.view)

    @property
    def model(self) -> str:
        model = self.view.extra.get("model")
        return model if isinstance(model, str) else ""


def listing_services(runner: Runner) -> dict[str, Service]:
    return {
        name: service
        for name, service in runner.services.items()
        if service.capabilities().can_list_tasks
    }


async def account_tasks(runner: Runner, *, days: float = LIST_DAYS) -> list[AccountTask]:
    """Every task of the last ``days`` on each service that lists tasks, newest first, each
    with the history's job for it."""
    since = time.time() - days * 86400
    found = []
    for name, service in listing_services(runner).items():
        for view in await service.list_tasks(since):
            found.append(AccountTask(name, view, runner.history.find_task(view.task_id)))
    return sorted(found, key=lambda t: t.view.created_at or 0.0, reverse=True)


async def adopt_task(runner: Runner, task_id: str, *, into: int | None = None) -> Job:
    """A job row for ``task_id`` (a task of a service that lists tasks), ready to be driven;
    the history's own job when it knows the task already. ``into``: a ``submit_unknown`` job
    whose create made this task takes it (its prompt and request kept). JimengError when no
    service here holds it, or its model is not in the table (an endpoint: the model it serves
    is unknown), or ``into`` cannot take it."""
    known = runner.history.find_task(task_id)
    if known is not None and into not in (None, known.id):
        raise JimengError(f"task {task_id} is job {known.id}'s already ({known.state})")
    if known is not None:
        return await runner.attach(task_id, known.mode)
    if into is not None:
        return await _adopt_into(runner, task_id, into)
    services = listing_services(runner)
    if not services:
        raise JimengError("no service set up here lists its tasks (Seedance/Ark does)")
    said: list[str] = []
    for service in services.values():
        view = await service.query(task_id, None)  # JimengError: it could not be asked
        if view.status is RemoteStatus.EXPIRED:  # this service does not know the task
            said.append(service.capabilities().label)
            continue
        model = _model_of(service, view)
        return await runner.attach(task_id, model, _params_of(view, model))
    raise JimengError(
        f"{' / '.join(said)} does not know task {task_id}: it is not this account's, or "
        f"older than {LIST_DAYS} days, or was deleted (`jimeng-tui tasks` lists what there is)"
    )


async def _adopt_into(runner: Runner, task_id: str, job_id: int) -> Job:
    job = runner.history.get(job_id)
    if job is None:
        raise JimengError(f"no job {job_id} in the history")
    if job.state is not JobState.SUBMIT_UNKNOWN:
        raise JimengError(
            f"job {job_id} is {job.state}, not submit_unknown: only a job whose submit got no "
            "answer can take a task"
        )
    service = runner.service_for(job)
    view = await service.query(task_id, None)
    if view.status is RemoteStatus.EXPIRED:
        raise JimengError(f"{service.capabilities().label} does not know task {task_id}")
    if _model_of(service, view) != job.mode:
        raise JimengError(
            f"task {task_id} was made with {view.extra.get('model')}, job {job_id} asked for "
            f"{job.mode}: it is not that job's task"
        )
    now = time.time()
    job.transition(
        JobState.IN_QUEUE,
        updated_at=now,
        task_id=task_id,
        submitted_at=view.created_at or now,
        error_code=None,
        error_message=None,
    )
    runner.history.save(job)
    return job


def _model_of(service: Service, view: TaskView) -> str:
    model = view.extra.get("model")
    for caps in service.capabilities().models:
        if model == caps.id or model in caps.aliases:
            return caps.id
    raise JimengError(
        f"task {view.task_id} was made with {model!r}, which is not a model of the table "
        "(an endpoint id?): it cannot be adopted here"
    )


def _params_of(view: TaskView, model: str) -> dict[str, Any]:
    """The request the task was made with, as far as the service tells (no prompt: Ark's task
    does not return it)."""
    extra = view.extra
    params: dict[str, Any] = {"prompt": "", "model": model, "fps": 24}
    for key in ("duration", "resolution", "ratio", "seed"):
        if extra.get(key) is not None:
            params[key] = extra[key]
    if isinstance(extra.get("framespersecond"), int):
        params["fps"] = extra["framespersecond"]
    if extra.get("generate_audio") is True:
        params["generate_audio"] = True
    return params
