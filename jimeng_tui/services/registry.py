"""Services by name. Registration happens in the composition root (``session``), not here, so
importing the registry never drags a concrete service into the engine.

A service's request codec may be registered as a :class:`CodecLoader`: its module (the request
checks, image reading) is imported the first time a request is built, not when the service is
registered (the studio's first screen reads only the capability tables)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from jimeng_tui.domain.capabilities import Capabilities, ModelCaps, Option
from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.services.base import RequestCodec, Service, Target

ServiceFactory = Callable[[Target], Service]


@dataclass(frozen=True)
class CodecLoader:
    """A codec imported on first use: ``load`` returns it (``codec()`` keeps what it returned)."""

    load: Callable[[], RequestCodec]


@dataclass(frozen=True)
class Registered:
    capabilities: Capabilities
    factory: ServiceFactory
    # None only for services that build no requests here; a CodecLoader until first used
    codec: RequestCodec | CodecLoader | None = None
    # where a service that needs no configured credentials is reached (a local or test-only
    # service): the session sets it up like any other; None = the session knows its settings
    target: Target | None = None


_SERVICES: dict[str, Registered] = {}


def register(
    name: str,
    factory: ServiceFactory,
    caps: Capabilities,
    codec: RequestCodec | CodecLoader | None = None,
    *,
    target: Target | None = None,
) -> None:
    _SERVICES[name] = Registered(caps, factory, codec, target)


def own_target(name: str) -> Target | None:
    """The target a service was registered with (see ``Registered.target``), else None."""
    registered = _SERVICES.get(name)
    return registered.target if registered is not None else None


def codec(name: str) -> RequestCodec:
    """The request builder of service ``name`` (ValidationError if it has none)."""
    capabilities(name)  # the error names the known ones
    registered = _SERVICES[name]
    found = registered.codec
    if found is None:
        raise ValidationError("service", f"the service {name!r} builds no requests")
    if isinstance(found, CodecLoader):
        loaded = found.load()
        _SERVICES[name] = dataclasses.replace(registered, codec=loaded)
        return loaded
    return found


def unregister(name: str) -> None:
    _SERVICES.pop(name, None)


def names() -> tuple[str, ...]:
    return tuple(_SERVICES)


def capabilities(name: str) -> Capabilities:
    try:
        return _SERVICES[name].capabilities
    except KeyError:
        known = ", ".join(_SERVICES) or "none"
        raise ValidationError("service", f"no service {name!r} (known: {known})") from None


def all_capabilities() -> tuple[Capabilities, ...]:
    return tuple(r.capabilities for r in _SERVICES.values())


def all_options() -> tuple[Option, ...]:
    """Every registered model's options, one per name (the first service's wins a shared one):
    the fields the faces offer besides the common ones."""
    found: dict[str, Option] = {}
    for registered in _SERVICES.values():
        for model in registered.capabilities.models:
            for option in model.options:
                found.setdefault(option.name, option)
    return tuple(found.values())


def find_model(name: str) -> tuple[Capabilities, ModelCaps]:
    """A model by id or alias across every registered service."""
    for registered in _SERVICES.values():
        caps = registered.capabilities
        for model in caps.models:
            if name == model.id or name in model.aliases:
                return caps, model
    known = ", ".join(m.id for r in _SERVICES.values() for m in r.capabilities.models)
    raise ValidationError("model", f"{name!r} is not a known model (allowed: {known})")


def create(name: str, target: Target) -> Service:
    capabilities(name)  # the error names the known ones
    return _SERVICES[name].factory(target)
