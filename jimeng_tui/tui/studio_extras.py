"""What the studio app does app-wide beyond booting and the engine's lifetime (app.py): the help
(F1 / ?), quitting, the browser's focus, and opening the screens of the palette (Storyboard,
Service tasks, Spend). What the main screen does with jobs is the screen's
(``screens/main_jobs.py``)."""

from __future__ import annotations

from typing import Any

from textual.app import App

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


class StudioExtras(StudioHelpMixin, QuittingMixin, WebFocusMixin):
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
            self.main.show_job(job)
            self.main.drive(job.id)

        self.push_screen(ServiceTasksScreen(self.engine, adopted=adopted))

    def action_spend(self: Any) -> None:
        """The Spend screen: a bar per day, totals per month and per model."""
        from jimeng_tui.tui.spend_view import open_spend

        open_spend(self)


def help_content(app: App[Any]) -> Any:
    """What the help screen shows for ``app``'s current screen (reads the history for the
    typical waits: the app's side of the help, not the screen's)."""
    from jimeng_tui.services import registry
    from jimeng_tui.session.services import ensure_builtin
    from jimeng_tui.tui.screens.help import HelpContent, screen_keys

    ensure_builtin()  # F1 pressed as the studio starts: its models table reads them

    screen = app.screen
    title = getattr(screen, "HELP_TITLE", None) or type(screen).__name__.removesuffix("Screen")
    content = HelpContent(title=title, keys=screen_keys(app, screen))
    more_keys = getattr(screen, "help_more_keys", None)  # the main screen's job list keys
    if more_keys is not None:
        content.more_keys.update(more_keys())
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
