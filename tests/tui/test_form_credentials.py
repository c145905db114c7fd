"""Either credential, or both: the first run and Settings take the Jimeng 3.0 key pair and the
Ark API key (saved 0600, never on screen in full), and the form offers only the models of the
services the credentials allow, with one line saying how to add the other."""

from __future__ import annotations

import os
import stat
import tomllib

from textual.widgets import Input, Select
from tui_support import open_settings, wait_engine, wait_for

from jimeng_tui.store.config import Config, save_config
from jimeng_tui.store.paths import app_paths
from jimeng_tui.tui.app import JimengApp

ARK_KEY = "ark-7c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f"
ARK_HINT = "Seedance models: add an Ark API key in Settings (F2)."
JIMENG_HINT = "Jimeng 3.0: add your AccessKey and SecretKey in Settings (F2)."


def saved_file() -> tuple[dict, int]:
    path = app_paths(os.environ).config_file
    return tomllib.loads(path.read_text()), stat.S_IMODE(path.stat().st_mode)


def model_labels(app) -> list[str]:
    return [str(label) for label, _ in app.main.form.query_one("#model", Select)._options]


def hint(app) -> str:
    note = app.main.form.query_one("#service-hint")
    return str(note.render()) if note.has_class("-shown") else ""


def live_config(sandbox, *, jimeng: bool, ark: bool) -> None:
    config = Config()
    config.network.api_url = sandbox.base_url
    if jimeng:
        config.credentials.access_key = sandbox.credentials.access_key
        config.credentials.secret_key = sandbox.credentials.secret_key
    if ark:
        config.credentials.ark_api_key = ARK_KEY
    save_config(config, app_paths(os.environ))


async def test_an_ark_key_entered_in_settings_is_saved_0600_and_never_shown(sandbox_app):
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await open_settings(pilot)
        field = screen.query_one("#set-credentials-ark_api_key", Input)
        assert field.password and field.placeholder == "not set"
        field.focus()
        await pilot.press(*ARK_KEY)
        assert ARK_KEY not in app.export_screenshot()
        await pilot.press("f10")
        await wait_for(pilot, lambda: app.screen is app.main, 5, "settings saved")
        values, mode = saved_file()
        assert values["credentials"]["ark_api_key"] == ARK_KEY and mode == 0o600
        await wait_engine(pilot)
        screen = await open_settings(pilot)
        field = screen.query_one("#set-credentials-ark_api_key", Input)
        assert field.value == "" and field.placeholder == "saved (ar…4e5f) — leave blank to keep"
        assert ARK_KEY not in app.export_screenshot()
        await pilot.press("f10")  # saved again with the field blank: the key is kept
        await wait_for(pilot, lambda: app.screen is app.main, 5, "settings saved")
    assert saved_file()[0]["credentials"]["ark_api_key"] == ARK_KEY


async def test_only_an_ark_key_offers_only_the_seedance_models(sandbox, seedance_like):
    live_config(sandbox, jimeng=False, ark=True)
    app = JimengApp(bell_on_finish=False)  # live: the real engine factory
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        await wait_for(pilot, lambda: hint(app) == JIMENG_HINT, 5, "the hint line")
        assert not app.screen.query("#fr-access")  # no first-run dialog: a key is set
        assert model_labels(app) == ["Seedance 2.0", "Seedance 1.0 lite t2v (retiring)"]
        assert app.main.form.model.id == "doubao-seedance-2-0-260128"
        assert ARK_KEY not in app.export_screenshot()


async def test_only_the_jimeng_keys_offer_only_jimeng(sandbox, seedance_like):
    live_config(sandbox, jimeng=True, ark=False)
    app = JimengApp(bell_on_finish=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        await wait_for(pilot, lambda: hint(app) == ARK_HINT, 5, "the hint line")
        assert model_labels(app) == ["Jimeng 3.0"]


async def test_both_credentials_offer_every_model_and_no_hint(sandbox, seedance_like):
    live_config(sandbox, jimeng=True, ark=True)
    app = JimengApp(bell_on_finish=False)
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_engine(pilot)
        await pilot.pause()
        assert len(model_labels(app)) == 3 and hint(app) == ""


async def test_the_first_run_takes_only_an_ark_key(sandbox, seedance_like):
    live_config(sandbox, jimeng=False, ark=False)
    app = JimengApp(bell_on_finish=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#fr-ark")), 10, "the dialog")
        app.screen.query_one("#fr-save").press()  # nothing entered
        await pilot.pause()
        error = str(app.screen.query_one("#fr-error").render())
        assert "access key and secret key, or an Ark API key" in error
        app.screen.query_one("#fr-ark", Input).focus()
        await pilot.press(*ARK_KEY)
        assert ARK_KEY not in app.export_screenshot()
        await pilot.press("f6")  # Test keys: for the Jimeng pair only, and it says so
        assert "the Ark API key is not tested here" in str(
            app.screen.query_one("#fr-error").render()
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: hint(app) == JIMENG_HINT, 10, "the form, Seedance only")
        values, mode = saved_file()
        assert values["credentials"]["ark_api_key"] == ARK_KEY and mode == 0o600
        assert "access_key" not in values["credentials"] or not values["credentials"]["access_key"]
        assert model_labels(app) == ["Seedance 2.0", "Seedance 1.0 lite t2v (retiring)"]
