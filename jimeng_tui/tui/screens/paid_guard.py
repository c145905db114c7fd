"""Asking before a key press spends money.

Re-run, retry and History's re-run submit a new generation, which the service bills. Each
names what it will send (mode, length, frame rate; a count when several) and waits for a yes,
unless the user turned this off (``[defaults] confirm_paid = false``, or Settings). Generate
(Ctrl+G from the form) is not guarded: it is already a deliberate act on what the form shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from textual.binding import Binding

from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.services import registry
from jimeng_tui.services.base import BuiltRequest
from jimeng_tui.tui.cost_line import cost_line
from jimeng_tui.tui.model_names import short_model_name
from jimeng_tui.tui.screens.confirm import ConfirmScreen


def describe_request(request: BuiltRequest) -> str:
    """``t2v_720p · 5 s at 24 fps`` (``seedance-2.0 · 8 s at 24 fps, 720p, with sound``) plus
    what the service really renders when it differs."""
    summary = request.summary
    seconds, fps = summary.duration_s, summary.fps
    text = f"{short_model_name(summary.model)} · {seconds} s at {fps} fps"
    if summary.params.get("resolution"):
        text += f", {summary.params['resolution']}"
    if summary.params.get("generate_audio"):
        text += ", with sound"
    try:
        model = registry.find_model(summary.model)[1]
    except ValidationError:
        return text
    if model.needs_conform(seconds, fps):
        native = model.native_duration_for(seconds)
        text += f" (the service renders {native} s at {model.native_fps} fps)"
    return text


def paid_summary(requests: Sequence[BuiltRequest]) -> str:
    """One line per kind of generation, with a count when there are several."""
    counts = Counter(describe_request(r) for r in requests)
    if len(requests) == 1:
        return f"1 new generation: {next(iter(counts))}"
    lines = [f"{len(requests)} new generations:"]
    lines += [f"  {n} × {what}" for what, n in counts.items()]
    return "\n".join(lines)


def confirmations_on(app: Any) -> bool:
    """The user's choice from the config (on when there is no engine or config yet)."""
    engine = getattr(app, "engine", None)
    config = getattr(getattr(engine, "loaded", None), "config", None)
    return bool(getattr(getattr(config, "defaults", None), "confirm_paid", True))


class PaidConfirmScreen(ConfirmScreen):
    """The yes/no dialog for a paid action. Enter on Send (focused) sends; Esc or n does not.
    No letter sends: a slow typist's next letter must not answer it."""

    BINDINGS = [Binding("escape,n", "no", "Don't send", id="paid.cancel")]


def confirm_paid(
    app: Any,
    *,
    title: str,
    what: str,
    requests: Sequence[BuiltRequest],
    proceed: Callable[[], None],
    warning: str = "",
) -> None:
    """Run ``proceed`` once the user agrees to ``requests`` being sent (at once when
    confirmations are off). ``what`` says which action it is; ``warning`` adds a risk."""
    if not requests:
        return
    if not confirmations_on(app):
        proceed()
        return
    text = f"{what}\n\n{paid_summary(requests)}{cost_line(app, requests)}"
    if getattr(getattr(app, "engine", None), "is_sandbox", False):
        text += "\n\nThis is the sandbox: nothing is billed."
    else:
        text += "\n\nThe service bills each generation."
    if warning:
        text += f"\n\n{warning}"
    text += "\n(Settings → Paid actions can turn this question off.)"

    def answered(yes: bool | None) -> None:
        if yes:
            proceed()
        else:
            app.notify("Nothing was sent.", title=title, timeout=3)

    count = len(requests)
    yes = "Send" if count == 1 else f"Send {count}"
    app.push_screen(PaidConfirmScreen(title, text, yes=yes, no="Don't send"), answered)
