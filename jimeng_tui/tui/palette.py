"""Every action of the studio in the command palette (Ctrl+P), from one table.

One line per action: ``PaletteEntry(action, title, help, when=…, key=…)``. ``action`` is the
main screen's when the palette was opened on it and it has it (``cancel_job`` →
``MainScreen.action_cancel_job``), else the app's (``history`` → ``JimengApp.action_history``);
``when`` says when it is offered (default: that node's ``check_action``, which knows the
selected job); the key shown is read from the bindings. Add an action by adding its line here.
"""

from __future__ import annotations

from typing import Any

from jimeng_tui.tui.commands import ActionCommands, PaletteEntry


def _has(action: str) -> Any:
    """Offered only when the app (or the screen) has the action (added by another module)."""

    def when(app: Any) -> bool:
        return callable(getattr(app, f"action_{action}", None))

    return when


APP_PALETTE: tuple[PaletteEntry, ...] = (
    PaletteEntry("generate", "Generate", "Send the prompt in the form"),
    PaletteEntry("job_details", "Job details", "The selected job's full details and error"),
    PaletteEntry("cancel_job", "Cancel job", "Stop tracking the selected job"),
    PaletteEntry("retry_job", "Retry failed job", "Send the failed job again as a new job (paid)"),
    PaletteEntry("rerun_job", "Re-run job", "Same parameters and seed, as a new job (paid)"),
    PaletteEntry("load_job", "Load job into form", "Put the selected job's parameters in the form"),
    PaletteEntry("open_file", "Open video", "Play the selected job's file"),
    PaletteEntry("open_folder", "Open folder", "Open the folder holding the selected job's file"),
    PaletteEntry("copy_url", "Copy video URL", "Copy the selected job's download link"),
    PaletteEntry("copy_path", "Copy file path", "Copy the selected job's saved path"),
    PaletteEntry(
        "dismiss_job", "Dismiss job", "Remove a finished job from the list (history keeps it)"
    ),
    PaletteEntry("focus_jobs", "Go to job list", "Move the focus to the job list", key="f4"),
    PaletteEntry("focus_form", "Go to prompt", "Move the focus to the prompt", key="f4"),
    PaletteEntry("history", "History", "Search, re-run, re-download and export past generations"),
    PaletteEntry(
        "service_tasks",
        "Service tasks",
        "The account's Seedance tasks of the last 7 days; adopt one the history does not know",
    ),
    PaletteEntry("spend", "Spend", "What generations cost: per day (bars), month and model"),
    PaletteEntry("storyboard", "Storyboard", "Chain shots from a storyboard file into one film"),
    PaletteEntry("export_history", "Export history", "Write past generations to CSV or JSON"),
    PaletteEntry("settings", "Settings", "Credentials, defaults, output folder, network"),
    PaletteEntry("help", "Help", "Keys, modes and where files go", when=_has("help")),
    PaletteEntry(
        "screenshot", "Save screenshot", "An SVG of the screen, in the screenshots folder"
    ),
    PaletteEntry("quit", "Quit", "Leave; running jobs resume next time"),
)


class JimengCommands(ActionCommands):
    """Every action of the app in the command palette."""

    PALETTE = APP_PALETTE

    def target(self) -> Any:
        # the studio app says so (importing it here would make palette <-> app a cycle)
        return self.app if getattr(self.app, "IS_STUDIO", False) else None

    def target_for(self, entry: PaletteEntry) -> Any:
        """The main screen's own actions (the job list's, Generate) run on it, the rest on
        the app; an action neither has here (a job action over History) is not offered."""
        app = self.target()
        if app is None:
            return None
        name = f"action_{entry.action}"
        screen = self.screen  # the one the palette was opened on
        if getattr(screen, "STUDIO_ACTIONS", False) and callable(getattr(screen, name, None)):
            return screen
        return app if callable(getattr(app, name, None)) else None
