"""One process's engine: history, client, throttle and runner, on a target the session chose.

The engine does not decide live or sandbox, nor which service: ``jimeng_tui.session`` does and
hands it a :class:`~jimeng_tui.services.base.Target` (where, as whom, how fast), the history's
path and the output folder. Open one with ``open_session(spec).open_engine(on_event)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jimeng_tui.domain.events import Event
from jimeng_tui.jobs.runner import Runner, RunnerSettings
from jimeng_tui.jobs.throttle import Throttle
from jimeng_tui.pricing import SpendGuard
from jimeng_tui.services.base import Service, Target
from jimeng_tui.store.config import LoadedConfig
from jimeng_tui.store.history import History
from jimeng_tui.store.logs import start_file_log
from jimeng_tui.store.paths import AppPaths, ensure_private_dir

# Makes the service for a target (the session's choice, e.g. ``services.registry.create``).
ServiceFactory = Callable[[Target], Service]


@dataclass(frozen=True)
class EnginePlace:
    """Where the engine keeps things, chosen by the session."""

    history_path: Path
    output_dir: Path
    output_dir_source: str = ""  # where output_dir was set, for messages
    finish_flags: str = ""  # what `jimeng-tui wait TASK` needs besides (" --sandbox")
    is_sandbox: bool = False  # shown in the header; the engine itself does not branch on it


@dataclass
class Engine:
    paths: AppPaths
    loaded: LoadedConfig
    history: History
    service: Service
    runner: Runner
    target: Target
    is_sandbox: bool = False
    # The session's sandbox this engine runs on, carried for the app (which keeps one it was
    # given across reopens); opaque here: the engine never looks inside.
    sandbox: object | None = None

    @property
    def client(self) -> Any:
        """The service's own client, where it has one (tests and the sandbox adoption)."""
        return getattr(self.service, "client", None)

    @property
    def access_key(self) -> str:
        return self.target.credentials.get("access_key", "")

    @classmethod
    def open(
        cls,
        *,
        paths: AppPaths,
        loaded: LoadedConfig,
        target: Target,
        place: EnginePlace,
        make_service: ServiceFactory,
        on_event: Callable[[Event], None] | None = None,
    ) -> Engine:
        start_file_log(paths)
        config = loaded.config
        network = config.network
        ensure_private_dir(place.history_path.parent)
        history = History(place.history_path)
        try:  # the rows every start reads: damage there is said now, not as a crash later
            history.unfinished()
        except BaseException:
            history.close()
            raise
        throttle = Throttle(network.max_concurrency)
        service = make_service(target)
        settings = RunnerSettings(
            poll_interval=target.poll_interval_s,
            max_poll_attempts=network.max_poll_attempts,
            max_concurrency=network.max_concurrency,
            output_dir=place.output_dir,
            output_dir_source=place.output_dir_source,
            filename_template=config.defaults.filename_template,
            finish_flags=place.finish_flags,
            spend=SpendGuard.from_config(config),  # [prices] and [budget] (issue 16)
        )
        settings.link_lifetime_s /= target.time_scale
        settings.task_lifetime_s /= target.time_scale
        credentials = target.credentials
        runner = Runner(
            service=service,
            history=history,
            settings=settings,
            on_event=on_event,
            throttle=throttle,
            has_credentials=bool(credentials.get("access_key") and credentials.get("secret_key")),
        )
        return cls(
            paths=paths,
            loaded=loaded,
            history=history,
            service=service,
            runner=runner,
            target=target,
            is_sandbox=place.is_sandbox,
        )

    async def aclose(self) -> None:
        await self.runner.aclose()
        await self.service.aclose()
        self.history.close()
