"""What the widgets show about the service, read here (not in the widgets, which do no I/O and
import no service): mode names and labels, and the error table's advice per code."""

from __future__ import annotations

from jimeng_tui.tui.widgets.job_details import ErrorAdvice


def mode_names() -> tuple[str, ...]:
    from jimeng_tui.services.jimeng.catalog import MODE_NAMES

    return tuple(MODE_NAMES)


def mode_labels() -> dict[str, str]:
    from jimeng_tui.services.jimeng.catalog import MODES

    return {name: mode.label for name, mode in MODES.items()}


def error_advice(code: int) -> ErrorAdvice | None:
    """The service's error table entry for ``code`` (None when it has none)."""
    from jimeng_tui.services.jimeng.errors import BUSINESS_ERRORS, Retry

    info = BUSINESS_ERRORS.get(code)
    if info is None:
        return None
    return ErrorAdvice(info.message, info.hint, retry_helps=info.retry is not Retry.NO)
