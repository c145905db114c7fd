"""Tab and Shift+Tab that move the focus before the next key is handled.

Textual's own Tab binding (on Screen) runs only after the key has gone to the focused field
and bubbled back up to the screen; keys that arrive in the same burst (a password manager
typing KEY, Tab, SECRET; a paste; tmux send-keys) reach the old field first. As priority
bindings they are handled in order with the other keys. Screens with text fields add these.
"""

from __future__ import annotations

from textual.binding import Binding

FOCUS_KEYS = [
    Binding("tab", "app.focus_next", "Next field", show=False, priority=True, id="focus_next"),
    Binding(
        "shift+tab",
        "app.focus_previous",
        "Previous field",
        show=False,
        priority=True,
        id="focus_previous",
    ),
]
