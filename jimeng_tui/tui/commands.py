"""Command-palette providers built from a table of actions, each shown with its key.

A row is ``PaletteEntry(action, title, help, when=…, key=…)`` (or the older ``(action, title,
help)`` tuple). It is offered while it applies: ``when(target)`` if given, else the target's
``check_action``. Its key is looked up in the bindings of the screen the palette was opened
from (remapped keys included), so the palette never shows a key that does not work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

PaletteRow = tuple[str, str, str]  # action, title, help


@dataclass(frozen=True)
class PaletteEntry:
    action: str  # run on the provider's target: "generate" → target.action_generate()
    title: str
    help: str
    when: Callable[[Any], bool] | None = None  # given the target; None: its check_action
    key: str = ""  # shown when no binding runs the action (e.g. a key Textual handles)


def _entry(row: PaletteEntry | PaletteRow) -> PaletteEntry:
    return row if isinstance(row, PaletteEntry) else PaletteEntry(*row)


def key_name(key: str) -> str:
    """``ctrl+g`` → ``Ctrl+G``, ``f5`` → ``F5``, ``r`` → ``r``."""
    if len(key) == 1:
        return key
    return "+".join(p.upper() if len(p) == 1 else p.capitalize() for p in key.split("+"))


def action_keys(screen: Any, action: str) -> list[str]:
    """The keys that run ``action`` on ``screen`` (the focused widget's first, then any other
    widget's, such as the job list's letters while the prompt has the focus)."""
    names = {action, f"app.{action}", f"screen.{action}"}
    keymap: dict[str, str] = getattr(screen.app, "_keymap", {}) or {}
    found: list[str] = []
    for key, active in screen.active_bindings.items():
        if active.binding.action in names:
            found.append(key)
    if found:
        return found
    for node in [screen, *screen.query("*")]:
        bindings = getattr(node, "_bindings", None)
        for key, items in getattr(bindings, "key_to_bindings", {}).items():
            for binding in items:
                if binding.action in names:
                    remapped = keymap.get(binding.id or "")
                    found.extend(remapped.split(",") if remapped else [key])
        if found:
            return list(dict.fromkeys(found))
    return []


class ActionCommands(Provider):
    """Offers every entry of ``PALETTE`` that applies right now, with its key."""

    PALETTE: tuple[PaletteEntry | PaletteRow, ...] = ()

    def target(self) -> DOMNode | None:
        """The node whose actions the rows name (None: nothing to offer)."""
        raise NotImplementedError

    def target_for(self, entry: PaletteEntry) -> DOMNode | None:
        """The node that runs ``entry`` (default: ``target()`` for every row)."""
        return self.target()

    def _available(self) -> Iterable[tuple[Any, PaletteEntry, str]]:
        for entry in map(_entry, self.PALETTE):
            node = self.target_for(entry)
            if node is None:
                continue
            if entry.when is not None:
                if not entry.when(node):
                    continue
            elif node.check_action(entry.action, ()) is not True:  # None: disabled, not offered
                continue
            keys = action_keys(self.screen, entry.action) or ([entry.key] if entry.key else [])
            shown = " / ".join(key_name(k) for k in keys[:2])
            help_text = f"{shown} · {entry.help}" if shown else entry.help
            yield node, entry, help_text

    async def discover(self) -> Hits:
        for node, entry, help_text in self._available():
            yield DiscoveryHit(entry.title, partial(node.run_action, entry.action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for node, entry, help_text in self._available():
            score = matcher.match(entry.title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(entry.title),
                    partial(node.run_action, entry.action),
                    help=help_text,
                )
