"""Asked when a re-download finds the files whole: keep them (the default, Enter or Esc), or
download a second copy on purpose."""

from __future__ import annotations

from textual.binding import Binding

from jimeng_tui.tui.screens.confirm import ConfirmScreen


class AlreadySavedScreen(ConfirmScreen):
    """True: keep what is on disk; False: download a second copy (only that button)."""

    BINDINGS = [Binding("escape", "keep", "OK", id="already_saved.keep")]

    def __init__(self, job_id: int, text: str) -> None:
        super().__init__(
            f"Job {job_id} is already saved", text, yes="OK", no="Download a second copy"
        )

    def action_keep(self) -> None:
        self.dismiss(True)
