"""What JimengApp gains beyond app.py (kept out of it: it is long enough): the help action
(F1 / ?), the form remembered across runs, the key test and quitting."""

from __future__ import annotations

from typing import Any

from textual.app import App

from jimeng_tui.tui.form_memory import FormMemoryMixin
from jimeng_tui.tui.previews import PreviewMixin
from jimeng_tui.tui.quitting import QuittingMixin
from jimeng_tui.tui.web_delivery import WebFocusMixin


class StudioHelpMixin:
    """``action_help``: the help screen for whatever screen is showing."""

    def action_help(self: Any) -> None:
        from jimeng_tui.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
            return
        self.push_screen(HelpScreen(help_content(self)))


class StudioExtras(StudioHelpMixin, FormMemoryMixin, QuittingMixin, PreviewMixin, WebFocusMixin):
    """Every mixin of the app, in one base."""

    def action_storyboard(self: Any) -> None:
        """The Storyboard screen (a storyboard file's shots, run into one film)."""
        from jimeng_tui.tui.screens.storyboard import StoryboardScreen

        if self.engine is None:
            self.notify("Still connecting — try again in a moment.", severity="warning")
            return
        if not isinstance(self.screen, StoryboardScreen):
            self.push_screen(StoryboardScreen(self.engine))

    def action_service_tasks(self: Any) -> None:
        """The Service tasks screen: the account's recent tasks; adopt one (never a submit)."""
        from jimeng_tui.tui.screens.service_tasks import ServiceTasksScreen

        if self.engine is None:
            self.notify("Still connecting — try again in a moment.", severity="warning")
            return
        if isinstance(self.screen, ServiceTasksScreen):
            return

        def adopted(job: Any) -> None:
            self._show_job(job)
            self._drive(job.id)

        self.push_screen(ServiceTasksScreen(self.engine, adopted=adopted))

    def action_spend(self: Any) -> None:
        """The Spend screen: a bar per day, totals per month and per model."""
        from jimeng_tui.tui.spend_view import open_spend

        open_spend(self)

    def connection_tester(self: Any) -> Any:
        """For the first-run dialog: (access, secret) → a ConnectionCheck against the live
        service of the config (one status query for a made-up task: nothing is created)."""
        network = self.engine.loaded.config.network if self.engine else None

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


def help_content(app: App[Any]) -> Any:
    """What the help screen shows for ``app``'s current screen (reads the history for the
    typical waits: the app's side of the help, not the screen's)."""
    from jimeng_tui.services import registry
    from jimeng_tui.tui.screens.help import HelpContent, class_keys, screen_keys
    from jimeng_tui.tui.screens.main import MainScreen

    screen = app.screen
    title = getattr(screen, "HELP_TITLE", None) or type(screen).__name__.removesuffix("Screen")
    content = HelpContent(title=title, keys=screen_keys(app, screen))
    if isinstance(screen, MainScreen):
        content.title = "Studio"
        if screen.panels_ready and not screen.queue.has_focus:
            from jimeng_tui.tui.widgets.job_queue import JobQueue

            keymap = getattr(app, "_keymap", {})
            content.more_keys["Job list (F4 moves there)"] = class_keys(
                app, JobQueue.BINDINGS, keymap
            )
    engine = getattr(app, "engine", None)
    if engine is not None:
        from jimeng_tui.tui.widgets.job_queue import typical_seconds

        for name in (m.id for caps in registry.all_capabilities() for m in caps.models):
            try:
                samples = engine.history.recent_generation_seconds(name)
            except Exception:  # the help shows without the figures
                samples = []
            content.typical[name] = typical_seconds(samples)
        content.locations = engine.paths.as_dict()
        content.locations["videos_dir"] = str(engine.runner.settings.output_dir)
    else:  # still starting: the default places (the config may move the videos)
        import os

        from jimeng_tui.store.paths import app_paths

        content.locations = app_paths(os.environ).as_dict()
    return content
