"""The first-run dialog checks the keys' shape as they are entered and tests them against the
service (here the sandbox as the configured API URL) without creating a task; the secret never
shows."""

from __future__ import annotations

import os

from textual.widgets import Input
from tui_support import wait_for

from jimeng_tui.store.config import Config, save_config
from jimeng_tui.store.paths import app_paths
from jimeng_tui.tui.app import JimengApp


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def screen_text(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query("Static, Input"))


async def test_first_run_checks_key_shapes_and_tests_the_connection(sandbox):
    config = Config()
    config.network.api_url = sandbox.base_url  # "the service" for this test
    save_config(config, app_paths(os.environ))
    app = JimengApp(bell_on_finish=False)  # the real factory: live, no credentials
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#fr-test")), 10, "the dialog")
        await pilot.press(*"sandbox-secret-key", "enter")  # the secret, in the wrong box
        assert "An access key ID starts with AK" in text_of(app, "#fr-error")
        assert app.focused is app.screen.query_one("#fr-secret", Input)  # on, masked
        app.screen.query_one("#fr-access", Input).value = sandbox.credentials.access_key
        await pilot.press(*"wrong-secret-value-1")
        await pilot.press("f6")  # test connection
        await wait_for(pilot, lambda: "✗" in text_of(app, "#fr-test-result"), 10, "the test")
        assert "secret key does not belong to this access key" in text_of(app, "#fr-test-result")
        secret = app.screen.query_one("#fr-secret", Input)
        secret.value = sandbox.credentials.secret_key
        app.screen.query_one("#fr-test").press()
        await wait_for(pilot, lambda: "✓" in text_of(app, "#fr-test-result"), 10, "the test")
        assert "The keys work" in text_of(app, "#fr-test-result")
        assert "wrong-secret" not in screen_text(app)
        assert sandbox.credentials.secret_key not in screen_text(app)
        assert sandbox.requests_for("CVSync2AsyncSubmitTask") == []
        assert len(sandbox.requests_for("CVSync2AsyncGetResult")) == 2


async def test_settings_check_the_shape_of_new_keys(sandbox_app):
    from tui_support import open_settings

    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        screen = await open_settings(pilot)

        async def save_with(field: str, value: str) -> str:
            screen.query_one(f"#set-credentials-{field}", Input).value = value
            screen.query_one("#settings-save").press()
            await pilot.pause()
            assert app.screen is screen  # not saved
            return str(screen.query_one(f"#set-credentials-{field}-err").render())

        assert "space or line break inside" in await save_with("access_key", "my key")
        screen.query_one("#set-credentials-access_key", Input).value = "AKLTSETTINGS00000001"
        assert "the secret key is 4 characters" in await save_with("secret_key", "tiny")


async def test_key_enter_secret_in_one_burst_puts_the_secret_in_the_masked_field(isolated_home):
    """A password manager types KEY⏎SECRET at once: the secret must never land in plain sight
    in the access key's field (Enter used to move the focus only after the burst)."""
    from textual import events

    app = JimengApp(bell_on_finish=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot, lambda: getattr(app.focused, "id", "") == "fr-access", 10, "the dialog"
        )
        for key in [*"AKLT", "enter", *"s3cret"]:  # all queued before the first is handled
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one("#fr-access", Input).value == "AKLT"
        assert app.screen.query_one("#fr-secret", Input).value == "s3cret"
        app.screen.query_one("#fr-save").press()  # the access key is checked, not saved
        await wait_for(
            pilot,
            lambda: "The access key is 4 characters" in text_of(app, "#fr-error"),
            5,
            "the access key checked",
        )
        assert app.screen.query("#fr-access")
