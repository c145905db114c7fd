"""The service for a target: every built-in service is registered, then made by name."""

from __future__ import annotations

from jimeng_tui.services import registry
from jimeng_tui.services.base import Service, Target
from jimeng_tui.session.services import register_builtin


def make_service(name: str, target: Target) -> Service:
    register_builtin()
    return registry.create(name, target)
