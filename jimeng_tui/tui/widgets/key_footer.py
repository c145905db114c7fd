"""Textual's Footer, rebuilt only when the keys it would show change."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer

Keys = tuple[tuple[str, str, str, bool, bool, str], ...]


def shown_keys(screen: Screen[Any]) -> Keys:
    """Everything the footer's keys are built from (hidden bindings too: the command palette
    key is one)."""
    return tuple(
        (binding.key, binding.action, binding.description, binding.show, enabled, tooltip)
        for _node, binding, enabled, tooltip in screen.active_bindings.values()
    )


class KeyFooter(Footer):
    """The stock Footer recomposes every key on each bindings update (every focus change);
    at start-up that was two extra rebuilds, ~60 ms of the first screen. This one skips the
    rebuild when the keys, labels and enabled states it would show are the same."""

    _shown: Keys | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        keys = shown_keys(screen)
        if keys == self._shown:
            return
        self._shown = keys
        super().bindings_changed(screen)
