"""The day's spend in the header (issue 16): "today 5.50 of 50.00 CNY".

Read from the history in a worker thread when a job first appears or ends (the screen never waits
on the history); the header widget only shows the text it is given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the first screen does not import the config store and the spend ledger
    from jimeng_tui.store.config import Config
    from jimeng_tui.store.spend import PeriodSpend


def day_spend_text(spent: PeriodSpend, config: Config) -> str:
    """ "" when there is nothing to say (no spend today and no daily cap)."""
    today = spent.today
    cap = config.budget.daily
    currency = config.prices.currency
    if not cap and not today.committed and not today.unknown:
        return ""
    text = f"today {today.committed:.2f}"
    text += f" of {cap:.2f} {currency}" if cap else f" {currency}"
    if today.unknown:
        text += f" +{today.unknown} unknown"
    return text


def refresh_day_spend(app: Any) -> None:
    """Recompute the header's day spend off the UI thread (no engine yet: nothing to show)."""
    engine = getattr(app, "engine", None)
    if engine is None:
        return

    def compute() -> None:
        from jimeng_tui.store.spend import period_spend

        config = engine.loaded.config
        try:
            spent = period_spend(engine.history.path, currency=config.prices.currency)
        except Exception:  # a busy or damaged history: the header just says nothing new
            return
        text = day_spend_text(spent, config)
        app.call_from_thread(setattr, app.main.header, "spend", text)

    app.run_worker(compute, thread=True, exclusive=True, group="day-spend", exit_on_error=False)
