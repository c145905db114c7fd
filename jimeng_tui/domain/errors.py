"""Errors every layer may raise or catch: stdlib only. ``str()`` is a user-facing sentence."""

from __future__ import annotations

from typing import Any


class JimengError(Exception):
    """Base of every error this package raises on purpose; ``str()`` is a user-facing sentence."""


class ValidationError(JimengError):
    """Bad user input, found before anything is sent. ``field`` names what to fix."""

    def __init__(self, field: str, message: str, allowed: tuple[Any, ...] | None = None):
        self.field = field
        self.allowed = allowed
        if allowed:
            message = f"{message} (allowed: {', '.join(str(a) for a in allowed)})"
        super().__init__(f"{field}: {message}")
        self.reason = message
