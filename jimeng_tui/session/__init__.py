"""The one place that wires things (issue 14): live or sandbox, which service, which paths.

The CLI and the TUI open an engine through here: ``open_session(spec).open_engine(on_event)``.
The session starts the embedded sandbox when asked (and stops it on ``close``), loads and checks
the settings, and hands the engine a :class:`Target` (base URL, credentials, timeouts, poll
interval, retries, time scale), the history's path and the output folder. The engine never
imports the sandbox.

Kept light to import: the engine, the service and the sandbox load when a session opens one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jimeng_tui.domain.events import Event
    from jimeng_tui.jobs.engine import Engine, EnginePlace
    from jimeng_tui.sandbox.options import SandboxOptions
    from jimeng_tui.sandbox.server import SandboxServer
    from jimeng_tui.services.base import Target
    from jimeng_tui.store.config import LoadedConfig
    from jimeng_tui.store.paths import AppPaths


@dataclass(frozen=True)
class SessionSpec:
    """What to open: ``sandbox`` is False (live), True or SandboxOptions (start an embedded
    sandbox, stopped by ``Session.close``), or a running SandboxServer (used, left running)."""

    sandbox: bool | SandboxOptions | SandboxServer = False
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)


@dataclass
class Session:
    paths: AppPaths
    env: Mapping[str, str]
    sandbox: SandboxServer | None = None
    owns_sandbox: bool = False  # started here, so stopped here

    @property
    def is_sandbox(self) -> bool:
        return self.sandbox is not None

    def load_config(self) -> LoadedConfig:
        """Raises ConfigError for an invalid config value or environment variable."""
        from jimeng_tui.session.config import load_config

        return load_config(self.paths, self.env)

    def targets(self, loaded: LoadedConfig | None = None) -> dict[str, Target]:
        """One target per service this session reaches, by registry name, the default first."""
        from jimeng_tui.session.targets import service_targets

        return service_targets(loaded or self.load_config(), self.sandbox)

    def target(self, loaded: LoadedConfig | None = None) -> Target:
        """The default service's target (Jimeng 3.0's)."""
        return next(iter(self.targets(loaded).values()))

    def available_services(self, loaded: LoadedConfig | None = None) -> tuple[str, ...]:
        """The registry names of the services a job can be sent to (those with credentials)."""
        from jimeng_tui.session.targets import available_services

        return available_services(loaded or self.load_config(), sandbox=self.is_sandbox)

    def default_model(self, loaded: LoadedConfig | None = None) -> str:
        """The model a request without one gets (see ``session.targets.default_model``)."""
        from jimeng_tui.session.targets import default_model

        return default_model(loaded or self.load_config(), sandbox=self.is_sandbox)

    def place(self, loaded: LoadedConfig) -> EnginePlace:
        from jimeng_tui.jobs.engine import EnginePlace

        defaults = loaded.config.defaults
        output_dir = Path(defaults.output_dir).expanduser() if defaults.output_dir else None
        source = f"output_dir in {self.paths.config_file}" if output_dir else ""
        output_dir = output_dir or self.paths.videos_dir
        if self.sandbox is None:
            return EnginePlace(self.paths.history_db, output_dir, source)
        return EnginePlace(
            self.paths.sandbox_history_db,
            output_dir / "sandbox",
            source,
            finish_flags=" --sandbox",
            is_sandbox=True,
        )

    def open_engine(
        self,
        on_event: Callable[[Event], None] | None = None,
        *,
        loaded: LoadedConfig | None = None,
    ) -> Engine:
        """Raises ConfigError for an invalid config value or environment variable."""
        from jimeng_tui.jobs.engine import Engine
        from jimeng_tui.session.clients import make_service
        from jimeng_tui.session.sandbox import adopt_sandbox_tasks
        from jimeng_tui.session.targets import missing_credentials

        loaded = loaded or self.load_config()
        targets = self.targets(loaded)
        engine = Engine.open(
            paths=self.paths,
            loaded=loaded,
            targets=targets,
            place=self.place(loaded),
            make_service=make_service,
            on_event=on_event,
            missing_credentials=missing_credentials(loaded, sandbox=self.is_sandbox),
        )
        if self.sandbox is not None:
            engine.sandbox = self.sandbox
            endpoints = {name: target.base_url for name, target in targets.items()}
            adopt_sandbox_tasks(engine.runner, self.sandbox, endpoints)
        return engine

    def close(self) -> None:
        """Stops the embedded sandbox this session started."""
        if self.sandbox is not None and self.owns_sandbox:
            self.sandbox.stop()


def open_session(spec: SessionSpec | None = None) -> Session:
    from jimeng_tui.store.paths import app_paths

    spec = spec or SessionSpec()
    session = Session(paths=app_paths(spec.env), env=spec.env)
    if spec.sandbox is False:
        return session
    from jimeng_tui.sandbox.server import SandboxServer

    if isinstance(spec.sandbox, SandboxServer):
        session.sandbox = spec.sandbox
        return session
    from jimeng_tui.session.sandbox import start_embedded_sandbox

    options = None if spec.sandbox is True else spec.sandbox
    session.sandbox = start_embedded_sandbox(options, spec.env)
    session.owns_sandbox = True
    return session


def open_engine(
    *,
    sandbox: SandboxServer | None = None,
    env: Mapping[str, str] = os.environ,
    on_event: Callable[[Event], None] | None = None,
    loaded: LoadedConfig | None = None,
) -> Engine:
    """An engine on a running ``sandbox`` (left running) or live: what ``Engine.open(...)`` was."""
    spec = SessionSpec(sandbox=sandbox if sandbox is not None else False, env=env)
    return open_session(spec).open_engine(on_event, loaded=loaded)


def start_embedded_sandbox(
    options: SandboxOptions | None = None, env: Mapping[str, str] = os.environ
) -> SandboxServer:
    """See :func:`jimeng_tui.session.sandbox.start_embedded_sandbox` (imported on use)."""
    from jimeng_tui.session.sandbox import start_embedded_sandbox as start

    return start(options, env)
