"""Past a budget cap in the studio (issue 16): the refusal with its numbers, and a deliberate
"Send anyway" that is recorded on the job (``meta.over_budget``). Escape sends nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape

from jimeng_tui.domain.meta import JobMeta
from jimeng_tui.pricing import BudgetExceeded

if TYPE_CHECKING:
    from jimeng_tui.services.base import BuiltRequest


def show_refusal(app: Any, exc: Any, request: BuiltRequest, *, from_form: bool) -> None:
    """A create refused before anything was sent: past a budget cap, the question (Send
    anyway); else the reason by the form's field (from the form) or in a toast."""
    if ask_over_budget(app, exc, request):
        return
    if from_form:
        app.main.form.show_error(exc.field, getattr(exc, "reason", str(exc)))
    else:
        app.notify(str(exc), title="Cannot run", severity="error")


def ask_over_budget(app: Any, exc: Exception, request: BuiltRequest) -> bool:
    """When ``exc`` is a budget refusal: ask whether to send ``request`` anyway (on yes, create
    and drive it) and return True; False for any other error."""
    from jimeng_tui.tui.screens.paid_guard import PaidConfirmScreen

    if not isinstance(exc, BudgetExceeded):
        return False
    refusal = exc.refusal
    setting = "--max-cost" if refusal.cap == "max-cost" else f"[budget] {refusal.cap}"
    text = (
        f"This generation is {escape(refusal.numbers)}.\n\nNothing was sent. Send it anyway? "
        f"The job is marked as sent over budget. (Raise {escape(setting)} in config.toml to "
        "stop this question.)"
    )

    def answered(yes: bool | None) -> None:
        if yes:
            app.main.start_job(request, from_form=False, meta=JobMeta(over_budget=True))
        else:
            app.notify("Nothing was sent.", title="Over budget", timeout=3)

    screen = PaidConfirmScreen("Over budget", text, yes="Send anyway", no="Don't send")
    app.push_screen(screen, answered)
    return True
