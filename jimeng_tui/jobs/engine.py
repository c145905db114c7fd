"""Wires one process's engine: paths, config, history, client, throttle and runner."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jimeng_tui.domain.events import Event
from jimeng_tui.domain.job import JobState
from jimeng_tui.jobs import links
from jimeng_tui.jobs.runner import Runner, RunnerSettings
from jimeng_tui.jobs.throttle import Throttle
from jimeng_tui.services.jimeng.client import JimengClient, RetrySettings
from jimeng_tui.services.jimeng.signing import Credentials
from jimeng_tui.store.config import LoadedConfig, load_config
from jimeng_tui.store.history import History
from jimeng_tui.store.logs import start_file_log
from jimeng_tui.store.paths import AppPaths, app_paths, ensure_private_dir

if TYPE_CHECKING:
    from jimeng_tui.sandbox.options import SandboxOptions
    from jimeng_tui.sandbox.server import SandboxServer

SANDBOX_POLL_INTERVAL = 0.5


def start_embedded_sandbox(
    options: SandboxOptions | None = None, env: Mapping[str, str] = os.environ
) -> SandboxServer:
    """The sandbox ``--sandbox`` runs inside jimeng-tui, on a free loopback port, with quick
    lifecycles. Its tasks are kept in the data folder, so jobs left running when the program
    quits finish on the next start, as they would against the service."""
    import dataclasses

    from jimeng_tui.sandbox.options import SandboxOptions
    from jimeng_tui.sandbox.server import SandboxServer

    options = options or SandboxOptions(queue_seconds=1.0, generate_seconds=2.0)
    if options.task_file is None:
        tasks_file = app_paths(env).sandbox_tasks_file
        ensure_private_dir(tasks_file.parent)
        options = dataclasses.replace(options, task_file=tasks_file)
    return SandboxServer(options).start()


@dataclass
class Engine:
    paths: AppPaths
    loaded: LoadedConfig
    history: History
    client: JimengClient
    runner: Runner
    credentials: Credentials
    sandbox: SandboxServer | None = None

    @property
    def is_sandbox(self) -> bool:
        return self.sandbox is not None

    @property
    def access_key(self) -> str:
        return self.credentials.access_key

    @classmethod
    def open(
        cls,
        *,
        sandbox: SandboxServer | None = None,
        env: Mapping[str, str] = os.environ,
        on_event: Callable[[Event], None] | None = None,
        loaded: LoadedConfig | None = None,
    ) -> Engine:
        """Raises ConfigError for an invalid config value or environment variable."""
        paths = app_paths(env)
        loaded = loaded or load_config(paths, env)
        start_file_log(paths)
        config = loaded.config
        network = config.network
        if sandbox is not None:
            credentials = sandbox.credentials
            base_url = sandbox.base_url
            poll_interval = min(network.poll_interval, SANDBOX_POLL_INTERVAL)
            history_path = paths.sandbox_history_db
        else:
            credentials = Credentials(config.credentials.access_key, config.credentials.secret_key)
            base_url = network.api_url
            poll_interval = network.poll_interval
            history_path = paths.history_db
        ensure_private_dir(history_path.parent)
        history = History(history_path)
        try:  # the rows every start reads: damage there is said now, not as a crash later
            history.unfinished()
        except BaseException:
            history.close()
            raise
        output_dir = (
            Path(config.defaults.output_dir).expanduser()
            if config.defaults.output_dir
            else paths.videos_dir
        )
        source = f"output_dir in {paths.config_file}" if config.defaults.output_dir else ""
        if sandbox is not None:
            output_dir = output_dir / "sandbox"
        throttle = Throttle(network.max_concurrency)
        client = JimengClient(
            credentials,
            base_url=base_url,
            timeout=network.timeout,
            retry=RetrySettings(attempts=max(1, network.retries)),
            on_limit=throttle.on_limit,
        )
        settings = RunnerSettings(
            poll_interval=poll_interval,
            max_poll_attempts=network.max_poll_attempts,
            max_concurrency=network.max_concurrency,
            output_dir=output_dir,
            output_dir_source=source,
            filename_template=config.defaults.filename_template,
        )
        if sandbox is not None:
            speed = max(1.0, float(getattr(sandbox.options, "speed", 1.0)))
            settings.link_lifetime_s /= speed
            settings.task_lifetime_s /= speed
            settings.finish_flags = " --sandbox"
        runner = Runner(
            client=client,
            history=history,
            settings=settings,
            on_event=on_event,
            throttle=throttle,
            has_credentials=bool(credentials.access_key and credentials.secret_key),
        )
        if sandbox is not None:
            _adopt_sandbox_tasks(runner, sandbox)
        engine = cls(
            paths=paths,
            loaded=loaded,
            history=history,
            client=client,
            runner=runner,
            credentials=credentials,
            sandbox=sandbox,
        )
        return engine

    async def aclose(self) -> None:
        await self.runner.aclose()
        await self.client.aclose()
        self.history.close()


def _adopt_sandbox_tasks(runner: Runner, sandbox: SandboxServer) -> None:
    """Jobs left on an earlier sandbox: those whose task this one keeps (its task file) carry
    on here, their old link (another port) dropped so a fresh one is asked for; the others can
    never finish and end now with the reason. Queued jobs, which never reached a sandbox,
    still run."""
    here = runner.client.base_url
    for job in runner.resumable():
        reached_service = job.task_id or job.state is JobState.SUBMITTING
        if not reached_service or job.meta.endpoint == here:
            continue
        if job.task_id and sandbox.knows(job.task_id):
            before = job.meta.endpoint or "another port"
            job.meta.endpoint = here
            links.drop_link(job, f"the sandbox restarted on a new port ({before} → {here})")
        else:
            job.transition(
                JobState.FAILED,
                updated_at=time.time(),
                error_message="the sandbox that ran this task has stopped and did not keep it "
                "(only the sandbox that --sandbox starts keeps its tasks across runs)",
            )
        runner.history.save(job)
