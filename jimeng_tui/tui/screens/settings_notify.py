"""The Settings rows for ``[notify]`` (issue 18): how the end of a job is signalled."""

from __future__ import annotations

from typing import Any

NOTIFY_NOTE = (
    "auto: OSC 9 (iTerm2, WezTerm, Ghostty), OSC 99 (kitty), OSC 777 (foot, urxvt), else a "
    "desktop notification (notify-send) or the bell. In tmux: set -g allow-passthrough on."
)
NOTIFY_LABELS = {"notify.method": "Notify by", "notify.after_seconds": "CLI, after"}
_METHODS: list[tuple[str, Any]] = [
    ("auto (from the terminal)", "auto"),
    ("OSC 9: iTerm2, WezTerm, Ghostty", "osc9"),
    ("OSC 99: kitty", "osc99"),
    ("OSC 777: foot, urxvt", "osc777"),
    ("desktop (notify-send)", "desktop"),
    ("the bell", "bell"),
    ("none", "none"),
]
_AFTER = (0.0, 10.0, 30.0, 60.0, 120.0, 300.0)


def notify_fields(config: Any) -> dict[str, list[tuple[str, Any]]]:
    """The choices of each ``[notify]`` setting (a value set in the file is kept as a choice)."""
    after = sorted({*_AFTER, float(config.notify.after_seconds)})
    return {
        "notify.method": _METHODS,
        "notify.after_seconds": [
            ("always" if s == 0 else f"runs over {s:g} s (generate, batch)", s) for s in after
        ],
    }
