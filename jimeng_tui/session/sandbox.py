"""The embedded sandbox (``--sandbox``): starting it, and adopting the jobs of an earlier one."""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from jimeng_tui.domain.job import JobState
from jimeng_tui.jobs import links
from jimeng_tui.jobs.runner import Runner
from jimeng_tui.sandbox.options import SandboxOptions
from jimeng_tui.store.paths import app_paths, ensure_private_dir

if TYPE_CHECKING:  # the server (uvicorn, PyAV, Pillow) loads when a sandbox starts
    from jimeng_tui.sandbox.server import SandboxServer

SANDBOX_POLL_INTERVAL = 0.5


def start_embedded_sandbox(
    options: SandboxOptions | None = None, env: Mapping[str, str] = os.environ
) -> SandboxServer:
    """The sandbox ``--sandbox`` runs inside jimeng-tui, on a free loopback port, with quick
    lifecycles. Its tasks are kept in the data folder, so jobs left running when the program
    quits finish on the next start, as they would against the service."""
    options = options or SandboxOptions(queue_seconds=1.0, generate_seconds=2.0)
    if options.task_file is None:
        tasks_file = app_paths(env).sandbox_tasks_file
        ensure_private_dir(tasks_file.parent)
        options = dataclasses.replace(options, task_file=tasks_file)
    from jimeng_tui.sandbox.server import SandboxServer

    return SandboxServer(options).start()


def sandbox_time_scale(sandbox: SandboxServer) -> float:
    """How much faster than the service the sandbox runs (lifetimes shrink by it)."""
    return max(1.0, float(getattr(sandbox.options, "speed", 1.0)))


def adopt_sandbox_tasks(runner: Runner, sandbox: SandboxServer, here: Mapping[str, str]) -> None:
    """Jobs left on an earlier sandbox: those whose task this one keeps (its task file) carry
    on here (``here``: its base URL for each service, by registry name), their old link
    (another port) dropped so a fresh one is asked for; the others can never finish and end
    now with the reason. Queued jobs, which never reached a sandbox, still run."""
    for job in runner.resumable():
        reached_service = job.task_id or job.state is JobState.SUBMITTING
        endpoint = here.get(job.meta.service_name)
        if not reached_service or endpoint is None or job.meta.endpoint == endpoint:
            continue
        if job.task_id and sandbox.knows(job.task_id):
            before = job.meta.endpoint or "another port"
            job.meta.endpoint = endpoint
            links.drop_link(job, f"the sandbox restarted on a new port ({before} → {endpoint})")
        else:
            job.transition(
                JobState.FAILED,
                updated_at=time.time(),
                error_message="the sandbox that ran this task has stopped and did not keep it "
                "(only the sandbox that --sandbox starts keeps its tasks across runs)",
            )
        runner.history.save(job)
