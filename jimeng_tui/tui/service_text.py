"""What the widgets show about the services, read here (not in the widgets, which do no I/O and
import no service): the models' names and labels from the registry, and the error tables'
advice per code."""

from __future__ import annotations

from jimeng_tui.tui.widgets.job_details import ErrorAdvice


def mode_names() -> tuple[tuple[str, str], ...]:
    """Every registered model as (its short name, its id): Jimeng 3.0's modes, then Seedance's."""
    from jimeng_tui.services import registry
    from jimeng_tui.tui.model_names import short_model_name

    return tuple(
        (short_model_name(model.id), model.id)
        for caps in registry.all_capabilities()
        for model in caps.models
    )


def mode_labels() -> dict[str, str]:
    """Model id → its label ("Text to video 720P", "Seedance 2.0")."""
    from jimeng_tui.services import registry

    return {m.id: m.label for caps in registry.all_capabilities() for m in caps.models}


def error_advice(code: int | str) -> ErrorAdvice | None:
    """The service's error table entry for ``code`` (None when it has none): Jimeng 3.0's
    numbered codes with their titles; another service's word codes (Ark's
    ``InputTextSensitiveContentDetected``) with the hint its capabilities give."""
    if isinstance(code, str):
        from jimeng_tui.services import registry

        for caps in registry.all_capabilities():
            hint = caps.error_hint(code)
            if hint:
                return ErrorAdvice("Failed", hint)
        return None
    from jimeng_tui.services.jimeng.errors import BUSINESS_ERRORS, Retry

    info = BUSINESS_ERRORS.get(code)
    if info is None:
        return None
    return ErrorAdvice(info.message, info.hint, retry_helps=info.retry is not Retry.NO)
