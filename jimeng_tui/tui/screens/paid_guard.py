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

from jimeng_tui.services.jimeng import catalog
from jimeng_tui.tui.cost_line import cost_line
from jimeng_tui.tui.screens.confirm import ConfirmScreen


def describe_request(request: Any) -> str:
    """``t2v_720p · 5 s at 24 fps`` plus what the service really renders when it differs."""
    text = f"{request.mode} · {request.duration} s at {request.fps} fps"
    try:
        native = catalog.native_seconds(catalog.native_frames_for(int(request.duration)))
    except (TypeError, ValueError):
        return text
    if native != request.duration or request.fps != catalog.NATIVE_FPS:
        text += f" (the service renders {native} s at {catalog.NATIVE_FPS} fps)"
    return text


def paid_summary(requests: Sequence[Any]) -> str:
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
    requests: Sequence[Any],
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
