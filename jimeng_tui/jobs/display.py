"""How a job's facts read on a screen or a terminal line: one place for CLI and TUI alike."""

from __future__ import annotations

from jimeng_tui.domain.job import Job, JobState

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
    S.SAVE_FAILED: ("⚠", "bold yellow"),
}

# What a state is called on screen: words read at a glance, ours told apart from the service's
# ("waiting here" for a free slot vs "queued at service"). A state not listed (a newer one)
# shows its own name.
STATE_WORDS: dict[JobState, str] = {
    S.DRAFT: "draft",
    S.QUEUED: "waiting here",
    S.SUBMITTING: "sending",
    S.IN_QUEUE: "queued at service",
    S.GENERATING: "generating",
    S.DONE: "video ready",
    S.DOWNLOADING: "downloading",
    S.CONFORMING: "converting",
    S.SAVED: "saved",
    S.FAILED: "failed",
    S.CANCELLED: "cancelled",
    S.EXPIRED: "expired",
    S.SUBMIT_UNKNOWN: "sent, no reply",
}


def state_word(state: JobState) -> str:
    return STATE_WORDS.get(state) or str(getattr(state, "value", state)).replace("_", " ")


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


def number(value: float) -> str:
    """5 for 5.0 and 5.02, 5.5 for 5.5: a measured duration or frame rate."""
    rounded = round(value)
    return str(rounded) if abs(value - rounded) < 0.05 else f"{value:.1f}"


def length(job: Job, missing: str = "–") -> str:
    """``5s/24`` from the saved file, else from the request (what was asked)."""
    if job.duration_s is not None and job.fps is not None:
        return f"{number(job.duration_s)}s/{number(job.fps)}"
    duration = job.params.get("duration")
    fps = job.params.get("fps")
    if duration is None:
        return missing
    return f"{duration}s/{fps}" if fps else f"{duration}s"


def excerpt(text: str, width: int = 28) -> str:
    """One line of at most ``width`` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"
