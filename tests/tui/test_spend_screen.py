"""The Spend screen (issue 16 item 3): the ledger per day with bars, per month and per model,
read in a worker from the real history after a real job."""

from __future__ import annotations

from test_day_spend import saved_job
from tui_support import wait_engine, wait_for

from jimeng_tui.services.jimeng.request import GenerationRequest
from jimeng_tui.store.spend_chart import bar
from jimeng_tui.tui.screens.spend import SpendScreen


async def test_the_spend_screen_shows_a_saved_jobs_cost_per_day_month_and_model(
    sandbox_app, write_config
):
    write_config("[prices]\nt2v_720p = 1.5\n")
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        await saved_job(pilot, GenerationRequest(prompt="a kite"))
        await app.run_action("command_palette")
        await pilot.press(*"Spend")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, SpendScreen), 5, "the screen")
        screen = app.screen
        await wait_for(pilot, lambda: "Per model" in screen.text, 10, "the ledger")
        text = screen.text
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SpendScreen), 5, "closed")
    day, month, model = text.split("Per ")[1:]
    assert "1.50" in day and bar(1.5, 1.5) in day  # one day: a full bar
    assert "1.50" in month and "t2v_720p" in model and "1.50" in model


async def test_dollar_on_the_history_screen_opens_the_spend_screen(sandbox_app):
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        await pilot.press("f3")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HistoryScreen", 5, "history")
        await pilot.press("dollar_sign")
        await wait_for(pilot, lambda: isinstance(app.screen, SpendScreen), 5, "the Spend screen")
        await wait_for(pilot, lambda: "Per model" in app.screen.text, 10, "the ledger")
        assert "no jobs in this period: nothing spent" in app.screen.text
