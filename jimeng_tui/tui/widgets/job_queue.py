"""The job queue: one row per job of this run (and resumed ones), newest first.

Pure presentation: the app hands it Job copies, progress figures and ETA estimates.
"""

from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey

from jimeng_tui.domain.job import FINAL_STATES, Job, JobState
from jimeng_tui.jobs.display import STATE_ICONS as ICONS
from jimeng_tui.jobs.display import clock as fmt_seconds
from jimeng_tui.jobs.display import excerpt, state_word
from jimeng_tui.jobs.display import size as fmt_size
from jimeng_tui.tui.typing_guard import TypingGuard

ModelName = Callable[[str], str]  # model id → the name shown (the screen's, from the services)

S = JobState

ACTIVE_REMOTE = frozenset({S.SUBMITTING, S.IN_QUEUE, S.GENERATING})
COLUMNS = (  # key, label, least width (the prompt takes what the others leave)
    ("id", "#", 1),
    ("status", "Status", 19),  # "◌ queued at service"
    ("time", "Time", 5),
    ("mode", "Model", 12),  # a Jimeng mode or a Seedance model; "5 s · 24 fps" under it
    ("prompt", "Prompt · result", 20),
)
PROMPT_MIN = 20
ROW_HEIGHT = 2


def elapsed(job: Job, now: float) -> float:
    """The generation time: submitted → the service finished (so far, while it works).

    Before the submit, the time waiting here. Never the download: a re-download days later
    must not make a 0:25 generation read 2:11."""
    final = job.state in FINAL_STATES
    if job.submitted_at is None:
        end = (job.updated_at or now) if final else now
        return max(0.0, end - job.created_at)
    end = job.finished_at or ((job.updated_at or now) if final else now)
    return max(0.0, end - job.submitted_at)


def eta_seconds(job: Job, now: float, typical: float | None) -> float | None:
    """Seconds left until the service finishes, from the typical duration of the mode."""
    if typical is None or job.state not in ACTIVE_REMOTE:
        return None
    started = job.submitted_at or now
    return max(0.0, typical - (now - started))


def typical_seconds(samples: Iterable[float]) -> float | None:
    values = [s for s in samples if s and s > 0]
    return statistics.median(values) if values else None


def progress_bar(received: int, total: int | None, width: int = 8) -> Text:
    if not total:
        return Text(f"↓ {fmt_size(received)}", style="green")
    fraction = min(1.0, received / total)
    filled = int(fraction * width)
    text = Text()
    text.append("▇" * filled, style="green")
    text.append("▁" * (width - filled), style="dim green")
    text.append(f" {fraction * 100:3.0f}%")
    return text


def _same_cell(shown: Any, new: Any) -> bool:
    """The cell would look the same (Rich's Text compares its text and spans, not its base
    style or justification)."""
    return (
        type(shown) is type(new)
        and shown == new
        and getattr(shown, "style", None) == getattr(new, "style", None)
        and getattr(shown, "justify", None) == getattr(new, "justify", None)
    )


def status_text(job: Job, progress: tuple[int, int | None] | None = None) -> Text:
    """Icon and state; a download bar under it while downloading."""
    icon, style = ICONS.get(job.state, ("·", ""))
    label = state_word(job.state)
    if job.state is S.FAILED and job.error_code:
        label = f"failed {job.error_code}"
    text = Text.assemble((icon, style), " ", (label, style if job.is_final else ""))
    if job.state is S.DOWNLOADING and progress is not None:
        text.append("\n")
        text.append_text(progress_bar(*progress, width=8))
    return text


def time_text(job: Job, now: float, typical: float | None) -> Text:
    """Elapsed time; the ETA under it while the service works."""
    text = Text(fmt_seconds(elapsed(job, now)))
    eta = eta_seconds(job, now, typical)
    if eta is not None:
        text.append("\n~" + fmt_seconds(eta), style="dim")
    return text


def column_widths(
    room: int, jobs: Iterable[Job], padding: int = 1, model_name: ModelName = str
) -> dict[str, int]:
    """Each column as wide as its content needs (the model's whole short name, the largest job
    number); the prompt takes the rest of ``room`` (the table's inner width) and never less
    than PROMPT_MIN (the table scrolls sideways below that)."""
    widths = {key: least for key, _, least in COLUMNS}
    for job in jobs:
        widths["id"] = max(widths["id"], len(str(job.id)))
        widest = max(len(line) for line in mode_text(job, model_name).plain.split("\n"))
        widths["mode"] = max(widths["mode"], widest)
    fixed = sum(w for key, w in widths.items() if key != "prompt")
    widths["prompt"] = max(PROMPT_MIN, room - fixed - 2 * padding * len(COLUMNS))
    return widths


def has_sound(job: Job) -> bool:
    """The saved file has a sound track (or, before it is measured, sound was asked for)."""
    if job.meta.has_audio is not None:
        return job.meta.has_audio
    return bool(job.params.get("generate_audio"))


def mode_text(job: Job, model_name: ModelName = str) -> Text:
    """The model's short name (``t2v_720p``, ``seedance-2.0``: whole, a cut name no longer
    says which model it is); its length, frame rate and ♪ (sound) under it."""
    duration, fps = job.params.get("duration"), job.params.get("fps")
    text = Text(model_name(job.mode))
    if duration:
        text.append(f"\n{duration} s · {fps or 24} fps", style="dim")
    if has_sound(job):
        text.append(" ♪" if duration else "\n♪")
    return text


def prompt_text(job: Job, progress: tuple[int, int | None] | None) -> Text:
    """The prompt on the first line; the file, the error or a note on the second."""
    text = Text(excerpt(job.prompt or "(no prompt)", 120), no_wrap=True, overflow="ellipsis")
    second = result_text(job, progress)
    if second.plain:
        text.append("\n")
        text.append_text(second)
    return text


def result_text(job: Job, progress: tuple[int, int | None] | None) -> Text:
    """The saved path when done, the error when failed, the download size while downloading."""
    if job.state is S.SAVED and job.path:
        return Text("→ " + Path(job.path).name, style="green")
    if job.state in (S.FAILED, S.EXPIRED, S.SUBMIT_UNKNOWN, S.SAVE_FAILED) and job.error_message:
        return Text(excerpt(job.error_message, 120), style="red")
    if job.state is S.DOWNLOADING and progress:
        received, total = progress
        size = fmt_size(received) + (f" of {fmt_size(total)}" if total else "")
        return Text(f"downloading {size}", style="dim green")
    if job.state is S.CONFORMING:
        return Text("conforming the file to the asked duration/fps…", style="dim green")
    return Text("")


class JobQueue(DataTable[Any]):
    """Newest first; the cursor row is the selected job."""

    BORDER_TITLE = "Jobs"

    BINDINGS = [
        Binding("enter", "screen.job_details", "Details", id="job_details"),
        Binding("c", "screen.cancel_job", "Cancel", id="cancel_job"),
        Binding("t", "screen.retry_job", "Retry", id="retry_job"),
        Binding("r", "screen.rerun_job", "Re-run", id="rerun_job"),
        Binding("l", "screen.load_job", "Load", id="load_job"),
        Binding("o", "screen.open_file", "Open", id="open_file"),
        Binding("v", "screen.play_preview", "Play", id="play_preview", show=False),
        Binding("P", "screen.copy_file_link", "Copy file:// link", id="copy_file_link", show=False),
        Binding("f", "screen.open_folder", "Folder", id="open_folder", show=False),
        Binding("u", "screen.copy_url", "Copy URL", id="copy_url"),
        Binding("p", "screen.copy_path", "Copy path", id="copy_path", show=False),
        Binding("d,delete", "screen.dismiss_job", "Dismiss", id="dismiss_job"),
    ]

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        model_name: ModelName = str,
        **kwargs: Any,
    ) -> None:
        """``model_name``: model id → its short name (from the screen: widgets import no
        service)."""
        super().__init__(cursor_type="row", zebra_stripes=False, **kwargs)
        self.clock = clock
        self.model_name = model_name
        self.jobs: dict[int, Job] = {}
        self.progress: dict[int, tuple[int, int | None]] = {}
        self.typical: dict[str, float | None] = {}
        self.typing_guard = TypingGuard(self)

    async def _on_key(self, event: events.Key) -> None:
        # Runs before the key's binding is looked up (when the key reaches the app): a key the
        # guard holds or hands to the prompt never reaches it.
        is_action = event.key in self.screen.active_bindings
        if self.typing_guard.intercept(event, is_action):
            event.stop()
            event.prevent_default()

    def on_mount(self) -> None:
        for key, label, width in COLUMNS:
            # Text, not a str: DataTable parses a str label as markup, which imports rich's
            # emoji table (~2.5 ms of the first screen).
            self.add_column(Text(label), key=key, width=width)
        self._fit_columns()
        self.show_empty()

    def show_empty(self) -> None:
        self.border_subtitle = (
            "no jobs yet — write a prompt and press Generate" if not self.jobs else ""
        )

    # ---------------------------------------------------------------- rows
    def _cells(self, job: Job, now: float) -> dict[str, Any]:
        progress = self.progress.get(job.id or 0)
        return {
            "id": job.id,
            "status": status_text(job, progress),
            "time": time_text(job, now, self.typical.get(job.mode)),
            "mode": mode_text(job, self.model_name),
            "prompt": prompt_text(job, progress),
        }

    def on_resize(self) -> None:
        self._fit_columns()
        # the region is final once laid out: fit again then (a resize by several steps, a
        # scrollbar that came or went)
        self.call_after_refresh(self._fit_columns)

    def _fit_columns(self) -> None:
        """Every column as wide as it needs; the prompt gets the rest of the table."""
        if not self.columns:
            return
        widths = column_widths(
            self.scrollable_content_region.width,
            self.jobs.values(),
            self.cell_padding,
            self.model_name,
        )
        changed = False
        for key, width in widths.items():
            column = self.columns.get(ColumnKey(key))
            if column is not None and (column.width != width or column.auto_width):
                column.width = width
                column.auto_width = False
                changed = True
        if changed:
            self._require_update_dimensions = True
            self._clear_caches()
            self.refresh()

    def upsert(self, job: Job) -> None:
        """Add a job (at the top) or update its row."""
        if job.id is None:
            return
        key = str(job.id)
        now = self.clock()
        cells = self._cells(job, now)
        is_new = job.id not in self.jobs
        self.jobs[job.id] = job
        if is_new:
            selected = self.selected_id
            self.add_row(*(cells[c] for c, _, _ in COLUMNS), key=key, height=ROW_HEIGHT)
            self.sort("id", reverse=True)
            if selected is not None:  # sorting moves rows under the cursor: keep the job
                self.select_job(selected)
            self.show_empty()
            self._fit_columns()  # a longer mode name or job number
            return
        # Only what changed: every update_cell throws away the table's rendered lines, and
        # most polls change nothing on screen (with 200 jobs polling, re-rendering the table
        # for each of them was a tenth of the loop's time, and keys waited behind it).
        for column, value in cells.items():
            if column != "id" and not _same_cell(self.get_cell(key, column), value):
                self.update_cell(key, column, value)

    def set_progress(self, job_id: int, received: int, total: int | None) -> None:
        self.progress[job_id] = (received, total)
        job = self.jobs.get(job_id)
        if job is not None and job.state is S.DOWNLOADING:
            self.update_cell(str(job_id), "status", status_text(job, (received, total)))
            self.update_cell(str(job_id), "prompt", prompt_text(job, (received, total)))

    def set_typical(self, mode: str, seconds: float | None) -> None:
        self.typical[mode] = seconds

    def tick(self) -> None:
        """Refresh the clocks of the unfinished jobs on screen (called once a second).

        Rows out of view keep their last figures until they scroll in (at most a second old).
        """
        now = self.clock()
        rows = self.ordered_rows
        first = int(self.scroll_y) // ROW_HEIGHT
        count = self.scrollable_content_region.height // ROW_HEIGHT + 2
        for row in rows[first : first + count]:
            job = self.jobs.get(int(row.key.value)) if row.key.value else None
            if job is None or job.is_final:
                continue
            self.update_cell(row.key, "time", time_text(job, now, self.typical.get(job.mode)))

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if int(old) // ROW_HEIGHT != int(new) // ROW_HEIGHT:
            self.tick()

    def remove_job(self, job_id: int) -> None:
        if job_id in self.jobs:
            del self.jobs[job_id]
            self.progress.pop(job_id, None)
            self.remove_row(str(job_id))
            self.show_empty()

    @property
    def selected_id(self) -> int | None:
        if not self.jobs or self.row_count == 0:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:
            return None
        return int(key.value) if key.value is not None else None

    def select_job(self, job_id: int) -> None:
        with contextlib.suppress(Exception):
            self.move_cursor(row=self.get_row_index(str(job_id)))
