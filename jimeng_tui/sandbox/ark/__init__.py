"""The sandbox's Volcengine Ark (Seedance) face, under ``/api/v3`` on the same port.

Strict per ``ark-contract.md``: Bearer key, ``null`` = absent, per-model ranges, the 120-queued-task
limit, cancel/delete per status, 24 h links, last frames, token usage, real MP4s (with sound when
asked). The same fault knobs as the Jimeng emulator apply (``SandboxOptions``).

Files: ``models.py`` (the per-model table, output sizes, the token formula), ``checks.py`` (the
create body's rules), ``state.py`` (tasks, lifecycle, queue limit, cancel/delete, list),
``routes.py`` (HTTP), ``errors.py`` (the error body).
"""

from __future__ import annotations

from jimeng_tui.sandbox.ark_settings import (
    DEFAULT_ARK_API_KEY,
    DENY_CODES,
    LINK_LIFETIME_S,
    QUEUE_LIMIT,
    TASK_LIFETIME_S,
)

__all__ = [
    "DEFAULT_ARK_API_KEY",
    "DENY_CODES",
    "LINK_LIFETIME_S",
    "QUEUE_LIMIT",
    "TASK_LIFETIME_S",
]

API_PREFIX = "/api/v3"
TASKS_PATH = f"{API_PREFIX}/contents/generations/tasks"

# Request-log actions (``SandboxServer.requests_for(ACTION_CREATE)`` counts creates).
ACTION_CREATE = "CreateContentGenerationTask"
ACTION_GET = "GetContentGenerationTask"
ACTION_LIST = "ListContentGenerationTasks"
ACTION_DELETE = "DeleteContentGenerationTask"
ACTION_FRAME = "GetLastFrame"

CANCELLED_LIFETIME_S = 24 * 3600  # cancelled tasks are deleted after 24 h (section 3)

# Prompt triggers (like the Jimeng emulator's): words in the text item.
TEXT_RISK_WORD = "sandbox-reject"  # 400 InputTextSensitiveContentDetected at create
COPYRIGHT_WORD = "sandbox-copyright"  # 400 InputTextSensitiveContentDetected.PolicyViolation
VIDEO_RISK_WORD = "sandbox-video-reject"  # the task fails: OutputVideoSensitiveContentDetected
VIDEO_COPYRIGHT_WORD = "sandbox-video-copyright"  # fails: ….PolicyViolation
MODERATION_DOWN_WORD = "sandbox-moderation-down"  # 400 ContentSecurityDetectionError
