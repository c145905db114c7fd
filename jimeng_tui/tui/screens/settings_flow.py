"""First run (no credentials: enter keys or try the sandbox) and Settings: the screens' results
saved to the config, then the engine reopened with them.

Mixed into the app, which owns the engine's lifetime.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import work

if TYPE_CHECKING:
    from jimeng_tui.jobs.engine import Engine


class SettingsFlowMixin:
    """``action_settings`` and the first-run flow for JimengApp."""

    engine: Engine | None

    def _first_run(self: Any) -> None:
        from jimeng_tui.tui.screens.first_run import FirstRunScreen

        if self._waiting_requests:  # not sent later, to a service the user has yet to pick
            self._waiting_requests.clear()
            self.notify("The job asked for while connecting was not sent; press Generate again.")

        path = str(self.engine.loaded.path) if self.engine else ""
        first_run = FirstRunScreen(path, tester=self.connection_tester())
        self.push_screen(first_run, callback=self._first_run_done)

    def _first_run_done(self: Any, result: Any) -> None:
        if result is None or result.choice == "quit":
            self.exit(0)
            return
        if result.choice == "sandbox":
            self.notify("Starting the sandbox: nothing is sent to Volcengine.", title="Sandbox")
            self._reopen_engine(sandbox=True)
            return
        engine = self.engine
        assert engine is not None
        from jimeng_tui.session.config import save_config

        config = engine.loaded.file_config.copy()
        if result.access_key:
            config.credentials.access_key = result.access_key
            config.credentials.secret_key = result.secret_key
        if result.ark_api_key:
            config.credentials.ark_api_key = result.ark_api_key
        try:
            path = save_config(config, engine.paths)
        except OSError as exc:
            self.notify(f"Could not save the config: {exc}", severity="error")
            self._first_run()
            return
        self.notify(f"Credentials saved to {path} (only you can read it).", title="Saved")
        self._reopen_engine(sandbox=False)

    @work(exclusive=True, group="engine-reopen", exit_on_error=False)
    async def _reopen_engine(self: Any, *, sandbox: bool) -> None:
        old, self.engine = self.engine, None
        if old is not None:
            if sandbox and old.sandbox is not None and old.sandbox is not self.sandbox_server:
                self._reuse_sandbox = old.sandbox
            await old.aclose()
        self.want_sandbox = sandbox
        self.open_engine(sandbox=sandbox)

    def action_settings(self: Any) -> None:
        engine = self.engine
        if engine is None:
            self.notify("Still starting…", severity="warning")
            return
        from jimeng_tui.store.config import mask_key
        from jimeng_tui.tui.screens.settings import SettingsScreen

        loaded = engine.loaded
        self.push_screen(
            SettingsScreen(
                loaded.config,
                env_overrides=loaded.env_overrides,
                config_path=str(loaded.path),
                videos_dir=str(engine.paths.videos_dir),
                masked_key=mask_key(loaded.config.credentials.access_key),
                sandbox=engine.is_sandbox,
            ),
            callback=self._settings_done,
        )

    def _settings_done(self: Any, result: Any) -> None:
        engine = self.engine
        if result is None or engine is None:
            return
        from jimeng_tui.session.config import save_config

        config = engine.loaded.for_saving(result.config)
        saved = engine.loaded.file_config.credentials
        for name, typed in (
            ("secret_key", result.new_secret),
            ("ark_api_key", result.new_ark_key),
        ):
            if f"credentials.{name}" not in engine.loaded.env_overrides:
                setattr(config.credentials, name, typed or getattr(saved, name))
        try:
            path = save_config(config, engine.paths)
        except OSError as exc:
            self.notify(f"Could not save the settings: {exc}", severity="error")
            return
        self.main.configure_form(result.config, sandbox=engine.is_sandbox)
        self.notify_settings = result.config.notify  # [notify]: from the next job's end on
        self.set_keymap(dict(result.config.keys))
        if self._active_count():
            self.notify(
                f"Saved to {path}. Network and output settings apply once the running jobs end "
                "and jimeng-tui starts again.",
                title="Settings",
            )
        else:
            self.notify(f"Saved to {path}.", title="Settings")
            self._reopen_engine(sandbox=engine.is_sandbox)
