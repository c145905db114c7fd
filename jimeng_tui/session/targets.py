"""Which services this session can reach, and as whom: one ``Target`` per service with
credentials (the sandbox has both), what to say for the others, and the default model.

The composition root's one place that knows each built-in service's settings: Jimeng 3.0's key
pair and ``[network] api_url``, Ark's API key and ``[network] ark_url``. A service registered
with its own target (``registry.register(..., target=...)``: a local or test-only service) is
reached there and needs no settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jimeng_tui.services import registry
from jimeng_tui.services.base import Target
from jimeng_tui.session.services import register_builtin

if TYPE_CHECKING:
    from jimeng_tui.sandbox.server import SandboxServer
    from jimeng_tui.store.config import LoadedConfig

JIMENG = "jimeng3"
ARK = "ark"

# {config}: the config file's path
NO_JIMENG_KEYS = (
    "no credentials: set VOLC_ACCESSKEY and VOLC_SECRETKEY (Jimeng 3.0's key pair), or add "
    "them to {config} (or open `jimeng-tui` to enter them); `--sandbox` runs without an account"
)
NO_ARK_KEY = (
    "no Ark API key for the Seedance models: set ARK_API_KEY, or add ark_api_key under "
    "[credentials] in {config} (or enter it in the app's Settings); `--sandbox` runs without "
    "an account"
)


def _sandbox_targets(loaded: LoadedConfig, sandbox: SandboxServer) -> dict[str, Target]:
    from jimeng_tui.session.sandbox import SANDBOX_POLL_INTERVAL, sandbox_time_scale

    network = loaded.config.network
    creds = sandbox.credentials

    def at(base_url: str, credentials: dict[str, str]) -> Target:
        return Target(
            base_url=base_url,
            credentials=credentials,
            timeout_s=network.timeout,
            poll_interval_s=min(network.poll_interval, SANDBOX_POLL_INTERVAL),
            retries=network.retries,
            time_scale=sandbox_time_scale(sandbox),
        )

    targets = {
        JIMENG: at(
            sandbox.base_url, {"access_key": creds.access_key, "secret_key": creds.secret_key}
        )
    }
    if ARK in registry.names():
        targets[ARK] = at(sandbox.ark_base_url, {"api_key": sandbox.ark_api_key})
    return targets


def _live_targets(loaded: LoadedConfig) -> dict[str, Target]:
    network = loaded.config.network
    credentials = loaded.config.credentials

    def at(base_url: str, keys: dict[str, str]) -> Target:
        return Target(
            base_url=base_url,
            credentials=keys,
            timeout_s=network.timeout,
            poll_interval_s=network.poll_interval,
            retries=network.retries,
        )

    # Jimeng 3.0's target is always there, first: without its keys it only refuses to create
    # (the jobs already in the history can still be listed; the refusal says what to add)
    targets = {
        JIMENG: at(
            network.api_url,
            {"access_key": credentials.access_key, "secret_key": credentials.secret_key},
        )
    }
    if credentials.has_ark and ARK in registry.names():
        targets[ARK] = at(network.ark_url, {"api_key": credentials.ark_api_key.strip()})
    return targets


def service_targets(loaded: LoadedConfig, sandbox: SandboxServer | None) -> dict[str, Target]:
    """The services to reach, by registry name, the default (Jimeng 3.0) first."""
    register_builtin()
    targets = _sandbox_targets(loaded, sandbox) if sandbox else _live_targets(loaded)
    for name in registry.names():
        own = registry.own_target(name)
        if own is not None and name not in targets:
            targets[name] = own
    return targets


def available_services(loaded: LoadedConfig, *, sandbox: bool) -> tuple[str, ...]:
    """The services a job can be sent to: those with credentials (every built-in one in the
    sandbox, which needs none), and those registered with their own target."""
    register_builtin()
    credentials = loaded.config.credentials
    keys = {JIMENG: credentials.complete, ARK: credentials.has_ark}
    return tuple(
        name
        for name in registry.names()
        if (sandbox and name in keys) or keys.get(name) or registry.own_target(name)
    )


def missing_credentials(loaded: LoadedConfig, *, sandbox: bool) -> dict[str, str]:
    """For each registered service that cannot be sent to: how to add its credentials."""
    available = available_services(loaded, sandbox=sandbox)
    said = {JIMENG: NO_JIMENG_KEYS, ARK: NO_ARK_KEY}
    config = loaded.path
    return {
        name: said.get(name, "no credentials for {label} in {config}").format(
            config=config, label=registry.capabilities(name).label
        )
        for name in registry.names()
        if name not in available
    }


def default_model(loaded: LoadedConfig, *, sandbox: bool) -> str:
    """``[defaults] model`` if set; else Jimeng's ``[defaults] mode`` when its keys are set (or
    in the sandbox, or when no service has credentials); else the first model of the first
    service that has credentials (Ark's ``seedance-2.0`` with only an Ark key)."""
    defaults = loaded.config.defaults
    if defaults.model:
        return defaults.model
    available = available_services(loaded, sandbox=sandbox)
    if JIMENG in available or not available:
        return defaults.mode
    first = registry.capabilities(available[0]).models[0]
    return first.aliases[0] if first.aliases else first.id


__all__ = [
    "available_services",
    "default_model",
    "missing_credentials",
    "service_targets",
]
