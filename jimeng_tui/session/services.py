"""The services this program knows, registered by name (the composition root's one list).

Adding a service is one more ``register`` line here; nothing else names a concrete service.
Registering is cheap (the capability tables only); a service's client is imported when the
first one is made.
"""

from __future__ import annotations

from jimeng_tui.services import registry
from jimeng_tui.services.base import Service, Target


def _jimeng(target: Target) -> Service:
    from jimeng_tui.services.jimeng.service import JimengService

    return JimengService(target)


def _ark(target: Target) -> Service:
    from jimeng_tui.services.ark.service import ArkService

    return ArkService(target)


def register_builtin() -> None:
    """Register every built-in service (again: harmless)."""
    from jimeng_tui.services.ark.codec import ARK_CODEC
    from jimeng_tui.services.ark.models import ARK_CAPS
    from jimeng_tui.services.jimeng.capabilities import JIMENG_CAPS
    from jimeng_tui.services.jimeng.codec import JIMENG_CODEC

    registry.register("jimeng3", _jimeng, JIMENG_CAPS, JIMENG_CODEC)
    registry.register("ark", _ark, ARK_CAPS, ARK_CODEC)
