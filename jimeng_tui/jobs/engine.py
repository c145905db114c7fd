"""One process's engine: history, client, throttle and runner, on a target the session chose.

The engine does not decide live or sandbox, nor which service: ``jimeng_tui.session`` does and
hands it a :class:`~jimeng_tui.services.base.Target` (where, as whom, how fast), the history's
path and the output folder. Open one with ``open_session(spec).open_engine(on_event)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jimeng_tui.domain.events import Event
from jimeng_tui.jobs.runner import Runner, RunnerSettings
from jimeng_tui.pricing import SpendGuard
from jimeng_tui.services.base import Service, Target
from jimeng_tui.store.config import LoadedConfig
from jimeng_tui.store.history import History
from jimeng_tui.store.logs import start_file_log
from jimeng_tui.store.paths import AppPaths, ensure_private_dir

# Makes the service ``name`` for a target (the session's choice: ``services.registry.create``).
ServiceFactory = Callable[[str, Target], Service]


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
    runner: Runner
    # one per service the session has a target for, by registry name; the default first
    targets: dict[str, Target]
    services: dict[str, Service]
    is_sandbox: bool = False
    # The session's sandbox this engine runs on, carried for the app (which keeps one it was
    # given across reopens); opaque here: the engine never looks inside.
    sandbox: object | None = None
    # how to add the credentials of each registered service without a target (said on refusal)
    missing_credentials: dict[str, str] = field(default_factory=dict)

    @property
    def service(self) -> Service:
        """The default service (the first the session set up)."""
        return next(iter(self.services.values()))

    @property
    def target(self) -> Target:
        return next(iter(self.targets.values()))

    @property
    def client(self) -> Any:
        """The default service's own client, where it has one (tests and the sandbox adoption)."""
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
        targets: Mapping[str, Target],
        place: EnginePlace,
        make_service: ServiceFactory,
        on_event: Callable[[Event], None] | None = None,
        missing_credentials: Mapping[str, str] | None = None,
    ) -> Engine:
        """``targets``: the services to reach, by registry name, the default first (at least
        one); ``missing_credentials``: what to say for a service that has none here."""
        if not targets:
            raise ValueError("the engine needs at least one target")
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
        services = {name: make_service(name, target) for name, target in targets.items()}
        # the lifetimes shrink with the default target's time scale (the sandbox's speed)
        time_scale = next(iter(targets.values())).time_scale
        settings = RunnerSettings(
            poll_interval=min(t.poll_interval_s for t in targets.values()),
            max_poll_attempts=network.max_poll_attempts,
            max_concurrency=network.max_concurrency,
            output_dir=place.output_dir,
            output_dir_source=place.output_dir_source,
            filename_template=config.defaults.filename_template,
            finish_flags=place.finish_flags,
            spend=SpendGuard.from_config(config),  # [prices] and [budget] (issue 16)
        )
        settings.link_lifetime_s /= time_scale
        settings.task_lifetime_s /= time_scale
        for name, service in list(services.items())[1:]:  # the others keep their own
            caps, scale = service.capabilities(), targets[name].time_scale
            settings.lifetimes[name] = (caps.url_ttl_s / scale, caps.task_ttl_s / scale)
        # the runner makes one throttle per service: each has its own limits and slots
        runner = Runner(
            services=services,
            history=history,
            settings=settings,
            on_event=on_event,
            missing_credentials=dict(missing_credentials or {}),
        )
        return cls(
            paths=paths,
            loaded=loaded,
            history=history,
            runner=runner,
            targets=dict(targets),
            services=services,
            is_sandbox=place.is_sandbox,
            missing_credentials=dict(missing_credentials or {}),
        )

    async def aclose(self) -> None:
        await self.runner.aclose()  # closes every service
        self.history.close()
