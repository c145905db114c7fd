"""Compare takes (issue 18): several jobs side by side — their frames and their parameters — to
pick the keeper (marked as a favourite). Opened from History: ``m`` marks rows, ``=`` compares."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.tui.widgets.filmstrip import Filmstrip

COMPARE_FRAMES = 4
COMPARE_FRAME_COLS = 12  # the same in every column: the takes line up
MAX_TAKES = 4


def take_facts(job: Job) -> Text:
    """What differs between takes: the model, length, frame rate, ratio, seed, time, prompt."""
    params = job.params or {}
    seconds = (
        f"{job.finished_at - (job.submitted_at or job.created_at):.0f} s"
        if job.finished_at
        else "—"
    )
    rows = [
        ("model", job.mode),
        ("length", f"{params.get('duration', '?')} s at {params.get('fps', '?')} fps"),
        ("ratio", str(params.get("aspect_ratio") or "—")),
        ("seed", str(params.get("seed", "—"))),
        ("took", seconds),
        ("file", Path(job.path).name if job.path else "—"),
    ]
    text = Text()
    for label, value in rows:
        text.append(f"{label:<7}", style="dim")
        text.append(f"{value}\n")
    text.append("\n" + (job.prompt or ""), style="italic")
    return text


def take_title(job: Job) -> Text:
    title = Text(f"Job {job.id} · {job.state.value.replace('_', ' ')}", style="bold")
    if job.favourite:
        title.append("  ★ keeper", style="bold yellow")
    return title


class TakeColumn(Vertical):
    """One take: its title, filmstrip and parameters."""

    DEFAULT_CSS = """
    TakeColumn { width: 1fr; height: auto; border: round $panel; padding: 0 1; }
    TakeColumn.-chosen { border: round $accent; }
    TakeColumn .take-facts { height: auto; margin-top: 1; }
    TakeColumn Filmstrip { margin-top: 0; }
    """

    def __init__(self, job: Job, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.job = job

    def compose(self) -> ComposeResult:
        yield Static(take_title(self.job), classes="take-title")
        yield Filmstrip(frame_cols=COMPARE_FRAME_COLS, classes="take-strip")
        yield Static(take_facts(self.job), classes="take-facts")

    def show_job(self, job: Job) -> None:
        self.job = job
        self.query_one(".take-title", Static).update(take_title(job))


class CompareScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", "Back", id="compare.back"),
        Binding("left", "move(-1)", "◀", id="compare.left"),
        Binding("right", "move(1)", "▶", id="compare.right"),
        Binding("f,k", "keeper", "Keeper ★", id="compare.keeper"),
    ]
    DEFAULT_CSS = """
    CompareScreen { align: center middle; }
    #compare { width: 96%; height: auto; max-height: 96%; border: round $accent;
               background: $surface; padding: 0 1; }
    #compare-takes { height: auto; }
    """

    def __init__(
        self,
        jobs: list[Job],
        cache_dir: Path,
        set_favourite: Callable[[int, bool], Job | None],
    ) -> None:
        """``set_favourite(job_id, value)`` writes the mark (in a thread) and returns the job."""
        super().__init__()
        self.jobs = jobs[:MAX_TAKES]
        self.cache_dir = cache_dir
        self.set_favourite = set_favourite
        self.chosen = 0
        self.frames_loaded = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="compare") as box:
            box.border_title = f"Compare {len(self.jobs)} takes"
            box.border_subtitle = "◀ ▶ choose · f keeper (★) · Esc back"
            with Horizontal(id="compare-takes"):
                for n, job in enumerate(self.jobs):
                    yield TakeColumn(job, id=f"take-{n}")

    def on_mount(self) -> None:
        self._mark_chosen()
        for n, job in enumerate(self.jobs):
            if job.state is JobState.SAVED and job.path:
                self.run_worker(
                    lambda n=n, job=job: self._load(n, job),
                    thread=True,
                    group="compare-frames",
                    exit_on_error=False,
                )

    def _load(self, n: int, job: Job) -> None:
        from jimeng_tui.jobs.filmstrip import filmstrip_images

        try:
            images = filmstrip_images(Path(job.path or ""), self.cache_dir, COMPARE_FRAMES)
        except Exception:  # not decodable (gone, damaged): the parameters still compare
            return
        self.app.call_from_thread(self._show_frames, n, images)

    def _show_frames(self, n: int, images: list[Any]) -> None:
        if self.is_attached:
            self.query_one(f"#take-{n} Filmstrip", Filmstrip).set_frames(images)
            self.query_one("#compare-takes").refresh(layout=True)  # the tallest column grew
            self.frames_loaded += 1

    def columns(self) -> list[TakeColumn]:
        return list(self.query(TakeColumn))

    def _mark_chosen(self) -> None:
        for n, column in enumerate(self.columns()):
            column.set_class(n == self.chosen, "-chosen")

    def action_move(self, step: int) -> None:
        self.chosen = (self.chosen + step) % len(self.jobs)
        self._mark_chosen()

    def action_keeper(self) -> None:
        job = self.jobs[self.chosen]
        if job.id is None:
            return
        self.run_worker(
            lambda: self._write_keeper(self.chosen, job.id or 0, not job.favourite),
            thread=True,
            group="compare-keeper",
            exit_on_error=False,
        )

    def _write_keeper(self, n: int, job_id: int, value: bool) -> None:
        updated = self.set_favourite(job_id, value)
        if updated is not None:
            self.app.call_from_thread(self._kept, n, updated)

    def _kept(self, n: int, job: Job) -> None:
        self.jobs[n] = job
        self.columns()[n].show_job(job)
        word = "kept (★ favourite)" if job.favourite else "no longer the keeper"
        self.notify(f"Job {job.id} {word}.", title="Compare")

    def action_close(self) -> None:
        self.dismiss(None)
