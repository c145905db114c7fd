"""Command-palette providers built from a table of (action, title, help) rows."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

PaletteRow = tuple[str, str, str]  # action, title, help


class ActionCommands(Provider):
    """Offers every row of ``PALETTE`` whose action the target allows right now."""

    PALETTE: tuple[PaletteRow, ...] = ()

    def target(self) -> DOMNode | None:
        """The node whose actions the rows name (None: nothing to offer)."""
        raise NotImplementedError

    def _available(self) -> Iterable[tuple[Any, PaletteRow]]:
        node = self.target()
        if node is None:
            return
        for row in self.PALETTE:
            if node.check_action(row[0], ()) is True:  # None: shown disabled; not offered
                yield node, row

    async def discover(self) -> Hits:
        for node, (action, title, help_text) in self._available():
            yield DiscoveryHit(title, partial(node.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for node, (action, title, help_text) in self._available():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(node.run_action, action),
                    help=help_text,
                )
