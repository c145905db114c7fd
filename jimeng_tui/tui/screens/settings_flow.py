"""First run (no credentials: enter keys or try the sandbox) and Settings: the screens opened
with what the engine loaded, their results saved to the config, then the engine reopened with
them (``app.reopen_engine``: the app owns the engine's lifetime).

Plain functions of the studio app, not part of it: the app calls ``open_first_run`` when the
engine opens without keys and ``open_settings`` for F2.
"""

from __future__ import annotations

from typing import Any


def open_first_run(app: Any) -> None:
    from jimeng_tui.tui.screens.first_run import FirstRunScreen

    app.main.drop_waiting_requests()
    engine = app.engine
    path = str(engine.loaded.path) if engine else ""
    first_run = FirstRunScreen(path, tester=connection_tester(engine))
    app.push_screen(first_run, callback=lambda result: _first_run_done(app, result))


def _first_run_done(app: Any, result: Any) -> None:
    if result is None or result.choice == "quit":
        app.exit(0)
        return
    if result.choice == "sandbox":
        app.notify("Starting the sandbox: nothing is sent to Volcengine.", title="Sandbox")
        app.reopen_engine(sandbox=True)
        return
    engine = app.engine
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
        app.notify(f"Could not save the config: {exc}", severity="error")
        open_first_run(app)
        return
    app.notify(f"Credentials saved to {path} (only you can read it).", title="Saved")
    app.reopen_engine(sandbox=False)


def connection_tester(engine: Any) -> Any:
    """For the first-run dialog: (access, secret) → a ConnectionCheck against the live
    service of the config (one status query for a made-up task: nothing is created)."""
    network = engine.loaded.config.network if engine else None

    async def test(access: str, secret: str) -> Any:
        # Jimeng 3.0's own keys (the first-run dialog's test): no other service has them
        from jimeng_tui.services.jimeng.catalog import DEFAULT_API_URL
        from jimeng_tui.services.jimeng.credentials_check import check_connection
        from jimeng_tui.services.jimeng.signing import Credentials

        return await check_connection(
            Credentials(access, secret),
            base_url=network.api_url if network else DEFAULT_API_URL,
            timeout=min(network.timeout, 15.0) if network else 15.0,
        )

    return test


def open_settings(app: Any) -> None:
    engine = app.engine
    if engine is None:
        app.notify("Still starting…", severity="warning")
        return
    from jimeng_tui.store.config import mask_key
    from jimeng_tui.tui.screens.settings import SettingsScreen

    loaded = engine.loaded
    app.push_screen(
        SettingsScreen(
            loaded.config,
            env_overrides=loaded.env_overrides,
            config_path=str(loaded.path),
            videos_dir=str(engine.paths.videos_dir),
            masked_key=mask_key(loaded.config.credentials.access_key),
            sandbox=engine.is_sandbox,
        ),
        callback=lambda result: _settings_done(app, result),
    )


def _settings_done(app: Any, result: Any) -> None:
    engine = app.engine
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
        app.notify(f"Could not save the settings: {exc}", severity="error")
        return
    app.main.configure_form(result.config, sandbox=engine.is_sandbox)
    app.notify_settings = result.config.notify  # [notify]: from the next job's end on
    app.set_keymap(dict(result.config.keys))
    if app.main.board.active_count():
        app.notify(
            f"Saved to {path}. Network and output settings apply once the running jobs end "
            "and jimeng-tui starts again.",
            title="Settings",
        )
    else:
        app.notify(f"Saved to {path}.", title="Settings")
        app.reopen_engine(sandbox=engine.is_sandbox)
