"""Re-takes on the Storyboard screen: how many alternatives to make, and the takes side by side.

``TakeCountScreen`` asks how many (the paid confirmation comes after it, with the estimate);
``TakesScreen`` is History's compare view for one shot's videos (its keeper first), where the
user chooses the keeper. No I/O here: the screen's callback writes the choice.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from jimeng_tui.domain.job import Job
from jimeng_tui.tui.screens.compare import MAX_TAKES, CompareScreen, TakeColumn, take_facts
from jimeng_tui.tui.widgets.filmstrip import Filmstrip
from jimeng_tui.tui.widgets.key_footer import KeyFooter

DEFAULT_COUNT = 2


class TakeCountScreen(ModalScreen[int | None]):
    """How many alternatives of one shot: a number 1..``most``; Esc: none."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="takes.count.cancel")]

    def __init__(self, shot: int, text: str, most: int) -> None:
        super().__init__()
        self.shot = shot
        self.text = text
        self.most = most

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog confirm") as box:
            box.border_title = f"Re-take shot {self.shot}"
            yield Static(self.text, classes="confirm-text")
            yield Input(
                str(DEFAULT_COUNT),
                restrict=r"[0-9]*",
                max_length=1,
                id="take-count",
                placeholder=f"1 to {self.most}",
            )
            yield Static("", id="take-count-error")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#take-count", Input).focus()

    @on(Input.Submitted, "#take-count")
    def _given(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value.isdigit() or not 1 <= int(value) <= self.most:
            self.query_one("#take-count-error", Static).update(
                f"[b red]Type a number from 1 to {self.most}, then Enter.[/]"
            )
            return
        self.dismiss(int(value))

    def action_cancel(self) -> None:
        self.dismiss(None)


def shot_take_title(job: Job, keeper_id: int | None) -> Text:
    seed = (job.params or {}).get("seed")
    title = Text(f"Job {job.id} · seed {seed if seed not in (None, -1) else 'random'}")
    title.stylize("bold")
    if job.id == keeper_id:
        title.append(" · ★ keeper", style="bold yellow")
    return title


class ShotTakeColumn(TakeColumn):
    """One video of the shot; its title says whether it is the keeper."""

    def __init__(self, job: Job, keeper_id: int | None, **kwargs: Any) -> None:
        super().__init__(job, **kwargs)
        self.keeper_id = keeper_id

    def compose(self) -> ComposeResult:
        yield Static(shot_take_title(self.job, self.keeper_id), classes="take-title")
        yield Filmstrip(frame_cols=12, classes="take-strip")
        yield Static(take_facts(self.job), classes="take-facts")


class TakesScreen(CompareScreen, inherit_bindings=False):
    """One shot's videos side by side (its keeper first); Enter or k keeps the chosen one."""

    BINDINGS = [
        Binding("escape", "close", "Back", id="takes.back"),
        Binding("left", "move(-1)", "◀", id="takes.left"),
        Binding("right", "move(1)", "▶", id="takes.right"),
        Binding("enter,k", "keeper", "Keep this take", id="takes.keep"),
    ]

    def __init__(
        self,
        shot: int,
        jobs: list[Job],
        keeper_id: int | None,
        cache_dir: Path,
        keep: Callable[[int], None],
    ) -> None:
        """``keep(job_id)`` is called with the chosen take (the screen has closed then)."""
        first = sorted(jobs, key=lambda j: (j.id != keeper_id, -(j.id or 0)))[:MAX_TAKES]
        super().__init__(first, cache_dir, lambda _id, _value: None)
        self.shot = shot
        self.keeper_id = keeper_id
        self.keep = keep

    def compose(self) -> ComposeResult:
        with Vertical(id="compare") as box:
            count = len(self.jobs)
            box.border_title = f"Shot {self.shot}: {count} take{'s' if count != 1 else ''}"
            box.border_subtitle = "◀ ▶ choose · Enter keep · Esc back"
            with Horizontal(id="compare-takes"):
                for n, job in enumerate(self.jobs):
                    yield ShotTakeColumn(job, self.keeper_id, id=f"take-{n}")
        yield KeyFooter()

    def action_keeper(self) -> None:
        job = self.jobs[self.chosen]
        self.dismiss(None)
        if job.id is not None and job.id != self.keeper_id:
            self.keep(job.id)
        elif job.id == self.keeper_id:
            self.notify(f"Job {job.id} is already shot {self.shot}'s keeper.")


__all__ = ["TakeCountScreen", "TakesScreen"]
