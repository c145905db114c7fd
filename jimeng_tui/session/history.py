"""What the store's history tools need to know of the service (the store imports none)."""

from __future__ import annotations

from jimeng_tui.services.jimeng import catalog
from jimeng_tui.store.salvage import KnownModes


def known_modes() -> KnownModes:
    """Jimeng 3.0's modes, for ``jimeng-tui doctor`` rebuilding a damaged history."""
    # TODO(issue 14): from services.registry's capabilities once the job stores its service.
    return KnownModes(
        {name: mode.req_key for name, mode in catalog.MODES.items()}, catalog.DEFAULT_MODE
    )
