"""Quitting the studio: asked first when jobs run; then the jobs still polling or queued stop at
once (the journal keeps them), downloads and conversions under way finish on a small screen that
shows how far each is, and Ctrl+Q again leaves at once (they resume next time)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from jimeng_tui.domain.job import JobState

S = JobState
FINISHING = frozenset({S.DONE, S.DOWNLOADING, S.CONFORMING})  # worth the wait: nearly saved
TICK_S = 0.2


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f}"


class QuittingMixin:
    """JimengApp's quit (Ctrl+Q): mixed in, so app.py stays short."""

    _quitting: Any = None  # the QuittingScreen once quitting began
    _leave_now = False

    async def action_quit(self: Any) -> None:
        if self._quitting is not None:  # Ctrl+Q again while downloads finish
            self.leave_now()
            return
        active = self.main.board.active_count() if self.screen_stack else 0
        if not active:
            self.exit(0)
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.begin_quitting()

        from jimeng_tui.tui.screens.confirm import ConfirmScreen  # loaded on first use

        self.push_screen(
            ConfirmScreen(
                "Quit?",
                f"{active} job{'s are' if active != 1 else ' is'} still running. "
                "They stay in the history and resume the next time you open jimeng-tui.",
                yes="Quit",
            ),
            confirmed,
        )

    def _drives(self: Any) -> dict[int, Any]:
        """The engine's running jobs: job id → its drive (``cancel()`` stops it)."""
        host = self.host
        return host.drives() if host is not None else {}

    def _shown_jobs(self: Any) -> dict[int, Any]:
        return self.main.jobs if self.screen_stack else {}

    def _finishing_rows(self: Any) -> list[tuple[int, str]]:
        rows = []
        for job_id in sorted(self._drives()):
            job = self._shown_jobs().get(job_id)
            if job is None or job.state not in FINISHING:
                continue
            if job.state is S.CONFORMING:
                doing = "converting to the length and frame rate asked for"
            else:
                got, total = self.main.progress.get(job_id, (0, None))
                if not got:
                    doing = "downloading (waiting for the first bytes)"
                else:
                    doing = f"downloading {_mb(got)} MB" + (
                        f" of {_mb(total)} MB ({got * 100 // total}%)" if total else ""
                    )
            rows.append((job_id, doing))
        return rows

    def begin_quitting(self: Any) -> None:
        """Stop what can stop at once; let downloads finish while the screen says so."""
        from jimeng_tui.tui.screens.quitting import QuittingScreen

        for job_id, task in self._drives().items():
            job = self._shown_jobs().get(job_id)
            if job is None or job.state not in FINISHING:
                task.cancel()  # stays in the journal as it is: resumed next time
        rows = self._finishing_rows()
        if not rows:  # nothing worth waiting for: the stopped jobs end as the app closes
            self.exit(0)
            return
        self._quitting = QuittingScreen(rows)
        self.push_screen(self._quitting)
        self.set_interval(TICK_S, self._quit_tick, name="quitting")

    def _quit_tick(self: Any) -> None:
        for job_id, task in self._drives().items():  # only those finishing when asked may end
            job = self._shown_jobs().get(job_id)
            if job is not None and job.state not in FINISHING:
                task.cancel()
        rows = self._finishing_rows()
        if not rows and not self._drives():
            self.exit(0)
            return
        self._quitting.show_rows(rows)

    def leave_now(self: Any) -> None:
        """Ctrl+Q again: stop everything now; the unfinished jobs resume next time."""
        self._leave_now = True
        for task in self._drives().values():
            task.cancel()
        self.exit(0)

    async def run_async(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = await super().run_async(*args, **kwargs)  # type: ignore[misc]
        if self._leave_now:
            # The terminal is restored by now. A conversion running in a thread would hold the
            # process until it ends: leave without waiting for it (every job's state is
            # committed in the journal; its part file stays for the next start), removing the
            # half-written conversions this process leaves (the next start makes them again).
            for job in self._shown_jobs().values():
                if job.state is S.CONFORMING and job.path:
                    dest = Path(job.path)
                    for temp in dest.parent.glob(f".{dest.name}.{os.getpid()}-*.tmp"):
                        temp.unlink(missing_ok=True)
            logging.shutdown()
            os._exit(result if isinstance(result, int) else 0)
        return result
