"""The services this program knows, registered by name (the composition root's one list).

Adding a service is one more ``register`` line here; nothing else names a concrete service.
"""

from __future__ import annotations

from jimeng_tui.services import registry


def register_builtin() -> None:
    """Register every built-in service (again: harmless)."""
    from jimeng_tui.services.jimeng.capabilities import JIMENG_CAPS
    from jimeng_tui.services.jimeng.service import JimengService

    registry.register("jimeng3", JimengService, JIMENG_CAPS)
