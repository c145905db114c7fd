"""The services this program knows, registered by name (the composition root's one list).

Adding a service is one more ``register`` line here; nothing else names a concrete service.
Registering is cheap (the capability tables only): a service's request codec is imported when
the first request is built (``registry.CodecLoader``), its client when the first one is made.
"""

from __future__ import annotations

from jimeng_tui.services import registry
from jimeng_tui.services.base import RequestCodec, Service, Target


def _jimeng(target: Target) -> Service:
    from jimeng_tui.services.jimeng.service import JimengService

    return JimengService(target)


def _ark(target: Target) -> Service:
    from jimeng_tui.services.ark.service import ArkService

    return ArkService(target)


def _jimeng_codec() -> RequestCodec:
    from jimeng_tui.services.jimeng.codec import JIMENG_CODEC

    return JIMENG_CODEC


def _ark_codec() -> RequestCodec:
    from jimeng_tui.services.ark.codec import ARK_CODEC

    return ARK_CODEC


def register_builtin() -> None:
    """Register every built-in service (again: harmless)."""
    from jimeng_tui.services.ark.models import ARK_CAPS
    from jimeng_tui.services.jimeng.capabilities import JIMENG_CAPS

    registry.register("jimeng3", _jimeng, JIMENG_CAPS, registry.CodecLoader(_jimeng_codec))
    registry.register("ark", _ark, ARK_CAPS, registry.CodecLoader(_ark_codec))


def ensure_builtin() -> None:
    """Register the built-in services unless the registry holds some already (the studio
    registers them after its first frame, where its form or help first reads them)."""
    if not registry.names():
        register_builtin()
