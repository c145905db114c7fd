"""The selected job's details: the original skill's output block, or what went wrong and what to do.

Pure presentation: the app passes the job, its download progress and a poster image (PIL) that it
made in a thread; nothing here reads files or the network.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.containers import Container, Horizontal, VerticalScroll
from textual.widgets import Static

from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.jobs.display import state_word
from jimeng_tui.jobs.report_text import success_block
from jimeng_tui.tui.widgets.halfblock import halfblock_text as halfblock_text

S = JobState


@dataclass(frozen=True)
class ErrorAdvice:
    """What the service's error table says about an error code (the screen looks it up)."""

    title: str
    hint: str = ""
    retry_helps: bool = False  # a new attempt may succeed


ErrorLookup = Callable[[int | str], "ErrorAdvice | None"]  # Jimeng's numbers, Ark's words


def no_advice(code: int | str) -> ErrorAdvice | None:
    return None


EMPTY = "Select a job in the queue to see its details."


ModelLabel = Callable[[str], str]  # model id → "Seedance 2.0" (the screen's, from the services)


def _model_line(job: Job, model_label: ModelLabel) -> str:
    """Jimeng 3.0's mode by its name (as the original skill says it); another service's model
    by its label and id."""
    if job.meta.service_name == "jimeng3":
        return f"- Mode: {job.mode}"
    label = model_label(job.mode)
    return f"- Model: {label} ({job.mode})" if label != job.mode else f"- Model: {job.mode}"


def _sound_text(job: Job) -> str | None:
    asked = bool(job.params.get("generate_audio"))
    if job.meta.has_audio is True:
        return "♪ in the file"
    if job.meta.has_audio is False and asked:
        return "asked for, but the file has none"
    return "♪ asked for" if asked else None


def _ark_lines(job: Job, model_label: ModelLabel) -> list[str]:
    """What a Seedance job has beyond Jimeng 3.0's block: its model, tokens, sound, last
    frame (nothing for a Jimeng 3.0 job)."""
    # the block's Mode line gives the id: here its label
    label = model_label(job.mode)
    lines = [] if job.meta.service_name == "jimeng3" or label == job.mode else [f"- Model: {label}"]
    if job.meta.usage_tokens is not None:
        lines.append(f"- Tokens: {job.meta.usage_tokens:,}")
    sound = _sound_text(job)
    if sound:
        lines.append(f"- Sound: {sound}")
    if job.meta.last_frame_path:
        lines.append(f"- Last frame saved: {job.meta.last_frame_path}")
    return lines


def _params_lines(job: Job, model_label: ModelLabel = str) -> list[str]:
    p = job.params
    lines = [f"- Prompt: {job.prompt or '(none)'}", _model_line(job, model_label)]
    if p.get("duration"):
        lines.append(f"- Duration: {p['duration']} s at {p.get('fps', 24)} fps")
    if p.get("resolution"):
        lines.append(f"- Resolution: {p['resolution']}")
    if p.get("aspect_ratio") or p.get("ratio"):
        lines.append(f"- Ratio: {p.get('aspect_ratio') or p.get('ratio')}")
    if p.get("reference_images"):
        lines.append(f"- Reference images: {len(p['reference_images'])}")
    for key, label in (("first_image", "First frame"), ("last_image", "Last frame")):
        if p.get(key):
            lines.append(f"- {label}: {p[key]}")
    if p.get("camera_template"):
        lines.append(f"- Camera: {p['camera_template']} ({p.get('camera_strength')})")
    sound = _sound_text(job)
    if sound:
        lines.append(f"- Sound: {sound}")
    seed = p.get("seed", -1)
    lines.append(f"- Seed: {'random' if seed in (-1, None) else seed}")
    if job.task_id:
        lines.append(f"- Task id: {job.task_id}")
    return lines


def _time(ts: float | None) -> str:
    return datetime.fromtimestamp(ts).strftime("%H:%M:%S") if ts else ""


# a job that ended without a video (not a failure with an error code): the heading, a
# sentence before the job's own message, what to say when it has none, and what to do
_ENDED_TEXT: dict[JobState, tuple[str, str, str, str]] = {
    S.SUBMIT_UNKNOWN: (
        "## ? Submit outcome unknown",
        "",
        "The submit was sent but no answer came, so a task may exist.",
        "it was not sent again (a duplicate would be charged). Check the Volcengine console; "
        "re-run (r) only if no task was created.",
    ),
    S.SAVE_FAILED: (
        "## ⚠ Generated, not saved",
        "",
        "",
        "fix the cause, then retry (t): the video is fetched again from the same task, nothing "
        "is submitted again.",
    ),
    S.EXPIRED: (
        "## ⌛ Expired",
        "The service no longer holds this task (tasks live 12 hours).",
        "",
        "re-run it (r) with the same parameters.",
    ),
}


def details_markdown(
    job: Job,
    notices: list[str] | None = None,
    advice: ErrorLookup = no_advice,
    model_label: ModelLabel = str,
) -> str:
    """Markdown for one job in any state; ``advice`` explains a failed job's error code,
    ``model_label`` names a model."""
    notices = notices or []
    if job.state is S.SAVED:
        text = success_block(job)
        # Markdown joins lines of one paragraph; keep the block's line breaks visible.
        text = text.replace(":**\n[", ":**\n\n[").replace(")\n**", ")\n\n**")
        text = text.replace("Info:**\n-", "Info:**\n\n-")
        extra = _ark_lines(job, model_label)
        if extra:
            text += "\n" + "\n".join(extra)
        if job.task_id:
            text += f"\n\nTask id {job.task_id}"
        if job.source_path:
            text += f"\n\nService's own file: {job.source_path}"
    elif job.state is S.FAILED:
        info = advice(job.error_code) if job.error_code is not None else None
        title = info.title if info else "Failed"
        head = f"## ✗ {job.error_code} · {title}" if job.error_code else f"## ✗ {title}"
        parts = [head]
        message = (job.error_message or "").strip()
        if message and message != title:
            parts.append(message)
        if job.task_id:
            parts.append(f"Task id {job.task_id}")
        text = _with_params(job, model_label, *parts, f"What to do: {_what_to_do(job, info)}")
    elif job.state in _ENDED_TEXT:
        heading, before, no_message, what = _ENDED_TEXT[job.state]
        message = job.error_message or no_message
        paragraphs = [heading, before, message] if before else [heading, message]
        text = _with_params(job, model_label, *paragraphs, f"What to do: {what}")
    elif job.state is S.CANCELLED:
        text = _with_params(job, model_label, "## ⊘ Cancelled")
    else:
        head = f"## {state_word(job.state).capitalize()}…"
        since = _time(job.submitted_at)
        text = "\n".join(
            [head, "", *_params_lines(job, model_label)]
            + ([f"- Submitted at {since}"] if since else [])
        )
    if notices:
        text += "\n\n" + "\n".join(f"> {n}" for n in notices[-4:])
    return text


def _with_params(job: Job, model_label: ModelLabel, *paragraphs: str) -> str:
    """The paragraphs (a heading first), a blank line between each, then the job's parameters."""
    return "\n".join(["\n\n".join(paragraphs), "", *_params_lines(job, model_label)])


def _what_to_do(job: Job, info: ErrorAdvice | None) -> str:
    if info and info.hint:
        advice = info.hint
        if info.retry_helps:
            advice += " Retry it (t) as a new job."
        else:
            advice += " Load it into the form (l), change it, and generate again."
        return advice
    if isinstance(job.error_code, int) and job.error_code >= 100000:
        return "Check the access key and secret key in Settings (F2)."
    return "Retry it (t), or load it into the form (l) to change it."


class JobDetails(VerticalScroll):
    """The block, a download progress bar, and the poster frame."""

    BORDER_TITLE = "Details"

    def __init__(
        self, *, advice: ErrorLookup = no_advice, model_label: ModelLabel = str, **kwargs: Any
    ) -> None:
        """``advice``: error code → what the service's error table says; ``model_label``: a
        model id → its label (both from the screen)."""
        super().__init__(**kwargs)
        self.advice = advice
        self.model_label = model_label
        self.job_id: int | None = None
        self._markdown_text = ""
        self._flush_pending = False
        self._markdown: Any = None  # the block (Markdown), beside the poster, once shown
        self._poster: Container | None = None
        self._poster_image: Any = None  # the newest image asked for (None: no poster)
        self._last_frame_image: Any = None  # the service's last frame (Seedance), under it
        self._poster_shown: Any = (None, None)
        self._poster_waiting = False

    def compose(self) -> ComposeResult:
        # The block (Markdown), the poster and the progress bar are mounted on first use:
        # Markdown's imports (markdown-it, pygments) and three more widgets would otherwise
        # delay the first screen, where no job is selected yet.
        yield Static(EMPTY, id="details-empty")

    def _body(self, text: str, pictures: Sequence[Any] = ()) -> None:
        """Mount the block showing ``text``, and beside it the poster holder with
        ``pictures`` (hidden when there are none)."""
        from textual.widgets import Markdown

        self._markdown = Markdown(text, id="details-md", open_links=True)
        self._poster = Container(*pictures, id="poster")
        self._poster.display = bool(pictures)
        self.mount(Horizontal(self._markdown, self._poster, id="details-body"))
        self.query_one("#details-empty").display = False

    def _flush_markdown(self) -> None:
        self._flush_pending = False
        self._set_markdown(self._markdown_text)

    def _set_markdown(self, text: str) -> None:
        if self._markdown is None:
            self._body(text)
        else:
            self._markdown.update(text)

    def _bar(self, create: bool) -> Any:
        from textual.widgets import ProgressBar

        found = self.query(ProgressBar)
        if found:
            return found.first()
        if not create:
            return None
        bar = ProgressBar(total=100, show_eta=False, id="download-progress")
        self.mount(bar, before=0)
        return bar

    @property
    def markdown_text(self) -> str:
        return self._markdown_text

    def show_job(
        self,
        job: Job | None,
        *,
        progress: tuple[int, int | None] | None = None,
        notices: list[str] | None = None,
    ) -> None:
        changed_job = (job.id if job else None) != self.job_id
        self.job_id = job.id if job else None
        text = details_markdown(job, notices, self.advice, self.model_label) if job else EMPTY
        if text != self._markdown_text:
            self._markdown_text = text
            # Coalesce bursts (many jobs created at once): render the latest text once.
            if not self._flush_pending:
                self._flush_pending = True
                self.set_timer(0.03, self._flush_markdown)
        downloading = job is not None and job.state is S.DOWNLOADING
        bar = self._bar(create=downloading)
        if bar is not None:
            bar.display = downloading
        if downloading:
            self.set_progress(*(progress or (0, None)))
        if changed_job:
            self._last_frame_image = None
            self.set_poster(None)
            self.set_filmstrip(None)
        self.border_subtitle = f"job {job.id} · {state_word(job.state)}" if job is not None else ""

    def set_progress(self, received: int, total: int | None) -> None:
        bar = self._bar(create=True)
        if total:
            bar.update(total=total, progress=received)
        else:
            bar.update(total=None)

    def set_poster(self, image: Any) -> None:
        """Show a PIL image (the poster frame), or hide the preview with None. The newest call
        wins, also when calls arrive while the block is still mounting."""
        self._poster_image = image
        self._apply_poster()

    def set_last_frame(self, image: Any) -> None:
        """Show the service's last frame (a PIL image) under the poster, captioned; None
        hides it."""
        self._last_frame_image = image
        self._apply_poster()

    def _apply_poster(self) -> None:
        holder = self._poster
        if holder is not None and not holder.is_mounted:  # the block was created this frame
            if not self._poster_waiting:
                self._poster_waiting = True
                self.call_after_refresh(self._poster_holder_mounted)
            return
        wanted = (self._poster_image, self._last_frame_image)
        if wanted[0] is self._poster_shown[0] and wanted[1] is self._poster_shown[1]:
            return
        self._poster_shown = wanted
        widgets = []
        if wanted[0] is not None:
            widgets.append(_image_widget(wanted[0]))
        if wanted[1] is not None:
            widgets += [Static("last frame", classes="caption"), _image_widget(wanted[1])]
        if holder is None:
            if widgets:
                self._body(self._markdown_text, widgets)
            return
        holder.remove_children()
        holder.display = bool(widgets)
        if widgets:
            holder.mount(*widgets)

    def set_filmstrip(self, images: list[Any] | None) -> None:
        """Show evenly spaced frames of the saved video under the block (None: hide them)."""
        from jimeng_tui.tui.widgets.filmstrip import place_filmstrip

        place_filmstrip(self, images, widget_id="filmstrip")

    def _poster_holder_mounted(self) -> None:
        self._poster_waiting = False
        self._apply_poster()


POSTER_COLS = 24


def _image_widget(image: Any) -> Any:
    """The terminal's own image where it draws them, else coloured half blocks."""
    widget = poster_widget(image)
    if widget is None:
        widget = Static(halfblock_text(image, width=POSTER_COLS), classes="halfblock")
    return widget


def poster_widget(image: Any) -> Any:
    """textual-image's widget for ``image`` (None when the terminal draws no images)."""
    from jimeng_tui.tui.terminal_probe import image_widget_class

    image_widget = image_widget_class()
    if image_widget is None:
        return None
    widget = image_widget(image)
    width, height = image.size
    widget.styles.width = POSTER_COLS
    widget.styles.height = max(2, round(POSTER_COLS * height / width / 2))
    return widget


def poster_path_for(cache_dir: Path, job: Job) -> Path:
    return cache_dir / "posters" / f"job-{job.id}.png"
