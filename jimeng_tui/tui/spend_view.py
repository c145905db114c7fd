"""Opens the Spend screen and fills it from the ledger (store/spend.py), read in a thread."""

from __future__ import annotations

import time
from typing import Any

DAYS = 30


def spend_text(path: Any, currency: str, now: float | None = None) -> str:
    """The ledger per day (the last 30), per month and per model, as the screen shows it."""
    from jimeng_tui.store.spend import spend_report, start_of_day
    from jimeng_tui.store.spend_chart import render

    now = time.time() if now is None else now
    since = start_of_day(now - (DAYS - 1) * 86400)
    parts = [f"Spend ({currency}): billed, and what may still be billed\n"]
    for title, by, start in (
        (f"Per day, the last {DAYS} days", "day", since),
        ("Per month", "month", None),
        ("Per model", "model", None),
    ):
        report = spend_report(path, currency=currency, since=start, by=by)
        parts.append(f"{title}\n" + "\n".join(render(report)) + "\n")
    return "\n".join(parts)


def open_spend(app: Any) -> None:
    from jimeng_tui.tui.screens.spend import SpendScreen

    engine = getattr(app, "engine", None)
    if engine is None:
        app.notify("Still connecting — try again in a moment.", severity="warning")
        return
    if isinstance(app.screen, SpendScreen):
        return
    screen = SpendScreen()
    app.push_screen(screen)
    path, currency = engine.history.path, engine.loaded.config.prices.currency

    def read() -> None:
        try:
            text = spend_text(path, currency)
        except Exception as exc:  # a damaged or locked history: said, never a traceback
            text = f"Could not read the spend ledger: {exc}"
        app.call_from_thread(screen.show, text)

    app.run_worker(read, thread=True, group="spend", exit_on_error=False)
