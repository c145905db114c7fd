"""The form's live cost line (issue 16 item 2): the estimate of the request on the form, under
its fields, updated as the model, length, resolution or sound change."""

from __future__ import annotations

from textual.widgets import Select, Static
from tui_support import wait_engine, wait_for

SEEDANCE_2 = "doubao-seedance-2-0-260128"


def estimate_line(form) -> str:
    return str(form.query_one("#estimate-note", Static).render())


async def ready_form(pilot):
    await wait_engine(pilot)
    form = pilot.app.main.form
    await wait_for(pilot, lambda: form.fields_ready, what="the form's rows")
    return form


async def test_a_jimeng_mode_with_a_configured_price_shows_its_estimate(sandbox_app, write_config):
    write_config('[prices]\n"t2v_720p" = 1.5\n')
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        form = await ready_form(pilot)
        form.query_one("#model", Select).value = "service:jimeng3"
        form.query_one("#mode", Select).value = "t2v_720p"
        await wait_for(pilot, lambda: estimate_line(form) != "", 5, "the estimate")
        assert estimate_line(form).startswith("≈ 1.50 CNY · renders 5 s")
        form.query_one("#duration", Select).value = 8
        await wait_for(pilot, lambda: "renders 10 s" in estimate_line(form), 5, "10 s")


async def test_seedance_at_two_lengths_shows_two_estimates(sandbox_app, write_config):
    write_config(f'[prices]\n"{SEEDANCE_2}" = 46\n')
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        form = await ready_form(pilot)
        form.query_one("#model", Select).value = SEEDANCE_2
        await wait_for(pilot, lambda: "tokens" in estimate_line(form), 5, "the estimate")
        form.query_one("#duration", Select).value = 5
        await wait_for(pilot, lambda: "(5 s)" in estimate_line(form), 5, "the 5 s estimate")
        five = estimate_line(form)
        form.query_one("#duration", Select).value = 10
        await wait_for(pilot, lambda: "(10 s)" in estimate_line(form), 5, "the 10 s estimate")
        ten = estimate_line(form)
    assert five.startswith("≈ ") and ten.startswith("≈ ")
    assert five.split(" · ")[0] != ten.split(" · ")[0]  # the amount changed with the length
    assert "46.00 CNY/1M tokens" in ten


async def test_a_mode_without_a_price_says_unknown_and_how_to_set_it(sandbox_app, write_config):
    write_config('[prices]\n"t2v_720p" = 1.5\n')  # 1080p has no source and no config price
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        form = await ready_form(pilot)
        form.query_one("#model", Select).value = "service:jimeng3"
        form.query_one("#mode", Select).value = "t2v_1080p"
        await wait_for(pilot, lambda: "t2v_1080p" in estimate_line(form), 5, "the estimate")
        line = estimate_line(form)
    assert line.startswith("cost unknown: ")
    assert '[prices] "t2v_1080p" in config.toml' in line
