"""The Ark constants ``sandbox/options.py`` needs, outside the ``ark`` package so that options
does not import it (the package imports options: no cycle). ``jimeng_tui.sandbox.ark``
re-exports them."""

from __future__ import annotations

DEFAULT_ARK_API_KEY = "sandbox-ark-key"
LINK_LIFETIME_S = 24 * 3600  # video_url / last_frame_url stay valid 24 h (contract section 3)
TASK_LIFETIME_S = 7 * 24 * 3600  # tasks are listed and readable for 7 days (section 4)
QUEUE_LIMIT = 120  # queued tasks per account (section 2.7)

# What ``--ark-deny CODE`` can make every Ark call answer (403).
DENY_CODES: tuple[str, ...] = (
    "AccessDenied",
    "OperationDenied.ServiceNotOpen",
    "OperationDenied.ServiceOverdue",
    "AccountOverdueError",
)
