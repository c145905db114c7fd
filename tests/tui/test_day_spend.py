"""The day's spend in the header (issue 16): shown after a job ends, with the daily cap."""

from __future__ import annotations

from tui_support import wait_engine, wait_for

from jimeng_tui.domain.job import JobState
from jimeng_tui.services.jimeng.request import GenerationRequest
from jimeng_tui.store.config import Config
from jimeng_tui.store.spend import PeriodSpend, SpendLine
from jimeng_tui.tui.day_spend import day_spend_text


async def saved_job(pilot, request: GenerationRequest):
    """``request`` run by the app's engine until its job is saved (and shown)."""
    app = pilot.app
    job = await app.host.create(request)
    app.host.drive(job.id)
    await wait_for(
        pilot,
        lambda: (
            app.main.jobs.get(job.id) is not None and app.main.jobs[job.id].state is JobState.SAVED
        ),
        30,
        "the job to be saved",
    )
    return job


def test_the_text_says_the_cap_and_unknown_costs():
    config = Config()
    nothing = PeriodSpend(SpendLine("today"), SpendLine("month"))
    assert day_spend_text(nothing, config) == ""  # nothing spent, no cap: nothing said
    config.budget.daily = 50.0
    assert day_spend_text(nothing, config) == "today 0.00 of 50.00 CNY"
    spent = PeriodSpend(SpendLine("today", billed=4.0, pending=1.5, unknown=2), SpendLine("m"))
    assert day_spend_text(spent, config) == "today 5.50 of 50.00 CNY +2 unknown"


async def test_the_header_shows_the_day_spend_once_a_job_ends(sandbox_app, write_config):
    write_config("[prices]\nt2v_720p = 1.5\n[budget]\ndaily = 20\n")
    app = sandbox_app()
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_engine(pilot)
        await saved_job(pilot, GenerationRequest(prompt="a kite"))
        await wait_for(pilot, lambda: app.main.header.spend != "", 10, "the day's spend")
        assert app.main.header.spend == "today 1.50 of 20.00 CNY"
        assert "today 1.50 of 20.00 CNY" in app.main.header.render().plain


async def test_the_paid_confirmation_says_the_estimated_cost(sandbox_app, sandbox, write_config):
    from jimeng_tui.tui.screens.paid_guard import PaidConfirmScreen

    write_config('[prices]\n"t2v_720p:10s" = 2.5\n')
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        job = await saved_job(pilot, GenerationRequest(prompt="a kite", duration=8))
        app.main.focus_job(job.id)
        await pilot.press("f4", "r")
        await wait_for(pilot, lambda: isinstance(app.screen, PaidConfirmScreen), 5, "the dialog")
        assert "Estimated cost: ≈ 2.50 CNY (renders 10 s, billed as 10 s" in app.screen.text
        await pilot.press("escape")


async def test_past_the_cap_the_studio_asks_and_records_a_send_anyway(
    sandbox_app, sandbox, write_config
):
    from jimeng_tui.tui.screens.paid_guard import PaidConfirmScreen

    write_config("[prices]\nt2v_720p = 2.0\n[budget]\ndaily = 3.0\n")
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        await saved_job(pilot, GenerationRequest(prompt="a kite"))
        app.main.form.focus_prompt()
        await pilot.press(*"a heron", "ctrl+g")
        await wait_for(pilot, lambda: isinstance(app.screen, PaidConfirmScreen), 5, "the question")
        assert "over the daily budget: today 2.00 of 3.00 CNY; this job ~2.00 CNY" in (
            app.screen.text
        )
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert len(sandbox.submitted_bodies()) == 1 and len(app.main.jobs) == 1  # nothing sent
        app.main.form.focus_prompt()
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(app.screen, PaidConfirmScreen), 5, "the question")
        await pilot.press("enter")  # Send anyway
        await wait_for(pilot, lambda: len(sandbox.submitted_bodies()) == 2, 15, "its submit")
        sent = [j for j in app.main.jobs.values() if j.prompt == "a heron"]
        assert len(sent) == 1 and app.engine.history.get(sent[0].id).meta.over_budget
