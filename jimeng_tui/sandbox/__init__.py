"""A strict local emulator of the Jimeng Video 3.0 service (like moto for AWS).

``from jimeng_tui.sandbox import SandboxServer, SandboxOptions`` — imported lazily so that
``jimeng_tui.sandbox.options`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jimeng_tui.sandbox.app import create_app
    from jimeng_tui.sandbox.options import SandboxOptions
    from jimeng_tui.sandbox.server import SandboxServer

__all__ = ["SandboxOptions", "SandboxServer", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "SandboxServer":
        from jimeng_tui.sandbox.server import SandboxServer

        return SandboxServer
    if name == "SandboxOptions":
        from jimeng_tui.sandbox.options import SandboxOptions

        return SandboxOptions
    if name == "create_app":
        from jimeng_tui.sandbox.app import create_app

        return create_app
    raise AttributeError(name)
