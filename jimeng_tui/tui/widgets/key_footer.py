"""Textual's Footer, rebuilt only when the keys it would show change, and fitted to its width:
when the keys do not fit, the least important ones are left out (never cut in the middle)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

Keys = tuple[tuple[str, str, str, bool, bool, str], ...]

# Binding ids, most important first: what stays when the footer is short of room. Keys not
# listed come after these, the rightmost first to go. (Every key stays in the palette, Ctrl+P.)
IMPORTANCE = (
    "quit",
    "generate",
    "focus_jobs",
    "job_details",
    "rerun_job",
    "retry_job",
    "history",
    "settings",
    "help",
    "open_file",
    "dismiss_job",
    "cancel_job",
    "load_job",
    "copy_url",
)
KEY_PADDING = 3  # " key" + " description " around the two texts


def shown_keys(screen: Screen[Any]) -> Keys:
    """Everything the footer's keys are built from (hidden bindings too: the command palette
    key is one)."""
    return tuple(
        (binding.key, binding.action, binding.description, binding.show, enabled, tooltip)
        for _node, binding, enabled, tooltip in screen.active_bindings.values()
    )


def fit_keys(entries: list[tuple[str, int, bool]], room: int) -> set[str]:
    """The ids of ``entries`` ((id, width, enabled) in footer order) to show within ``room``
    cells: enabled keys before disabled ones, then by IMPORTANCE, then leftmost first."""
    rank = {name: i for i, name in enumerate(IMPORTANCE)}
    order = sorted(entries, key=lambda e: (not e[2], rank.get(e[0], len(rank)), entries.index(e)))
    kept: set[str] = set()
    used = 0
    for name, width, _enabled in order:
        if used + width <= room:
            kept.add(name)
            used += width
    return kept


class KeyFooter(Footer):
    """The stock Footer recomposes every key on each bindings update (every focus change);
    at start-up that was two extra rebuilds, ~60 ms of the first screen. This one skips the
    rebuild when the keys, labels and enabled states it would show are the same, and leaves
    out the least important keys when they do not all fit (the stock one cut the last one to
    ``^q Qu``)."""

    _shown: Keys | None = None
    _fitted_width: int | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        keys = shown_keys(screen)
        if keys == self._shown:
            return
        self._shown = keys
        super().bindings_changed(screen)

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and event.size.width != self._fitted_width:
            self.call_after_refresh(self.recompose)

    def _key(self, binding: Binding, enabled: bool, tooltip: str, **kwargs: Any) -> FooterKey:
        return FooterKey(
            binding.key,
            self.app.get_key_display(binding),
            binding.description,
            binding.action,
            disabled=not enabled,
            tooltip=tooltip or binding.tooltip or binding.description,
            **kwargs,
        )

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        width = self.size.width or self.app.size.width
        self._fitted_width = width
        active = self.screen.active_bindings
        by_action: defaultdict[str, list[tuple[Binding, bool, str]]] = defaultdict(list)
        for _node, binding, enabled, tooltip in active.values():
            if binding.show:
                by_action[binding.action].append((binding, enabled, tooltip))
        palette = None
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        room = width - 1
        if palette is not None:
            key = self.app.get_key_display(palette.binding)
            room -= cell_len(key) + cell_len(palette.binding.description) + KEY_PADDING + 1
        firsts = [items[0] for items in by_action.values()]
        entries = [
            (
                b.id or b.action,
                cell_len(self.app.get_key_display(b)) + cell_len(b.description) + KEY_PADDING,
                enabled,
            )
            for b, enabled, _ in firsts
        ]
        kept = fit_keys(entries, room)
        shown = [(b, e, t) for b, e, t in firsts if (b.id or b.action) in kept]
        self.styles.grid_size_columns = len(shown)
        for binding, enabled, tooltip in shown:
            footer_key = self._key(binding, enabled, tooltip)
            # A key is born compact and the binding turns that off just after it mounts,
            # which restyled every key once more (~40 ms over the first screen's rebuilds):
            # it starts with the footer's value instead.
            footer_key.set_reactive(FooterKey.compact, self.compact)
            yield footer_key.data_bind(compact=Footer.compact)
        if palette is not None:
            yield self._key(
                palette.binding, palette.enabled, palette.tooltip, classes="-command-palette"
            )
