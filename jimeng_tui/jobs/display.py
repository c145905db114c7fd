"""How a job's facts read on a screen or a terminal line: one place for CLI and TUI alike."""

from __future__ import annotations

from jimeng_tui.jobs.model import JobState

S = JobState

# An icon and a Rich style per state (plain strings: the engine stays free of UI libraries).
STATE_ICONS: dict[JobState, tuple[str, str]] = {
    S.DRAFT: ("·", "dim"),
    S.QUEUED: ("○", "dim"),
    S.SUBMITTING: ("↑", "cyan"),
    S.IN_QUEUE: ("◌", "cyan"),
    S.GENERATING: ("●", "yellow"),
    S.DONE: ("◉", "green"),
    S.DOWNLOADING: ("↓", "green"),
    S.CONFORMING: ("⟳", "green"),
    S.SAVED: ("✓", "bold green"),
    S.FAILED: ("✗", "bold red"),
    S.CANCELLED: ("⊘", "dim"),
    S.EXPIRED: ("⌛", "red"),
    S.SUBMIT_UNKNOWN: ("?", "bold magenta"),
}


def clock(seconds: float | None) -> str:
    """Elapsed time as m:ss, or h:mm:ss past an hour; "" for unknown."""
    if seconds is None:
        return ""
    minutes, secs = divmod(max(0, int(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def size(n: float) -> str:
    """A byte count in binary units, as file managers show it."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"  # pragma: no cover


def excerpt(text: str, width: int = 28) -> str:
    """One line of at most ``width`` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"
