"""The highlighted history job in full: prompt, every parameter, ids, timings, the error or the
original skill's output block, the file, the link's life and a poster frame.

Pure presentation: the History screen passes the job, whether its file exists (checked in a
thread), the link sentence (``link_status``) and a PIL poster image made in a thread.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from rich.markdown import Markdown as RichMarkdown
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical, VerticalScroll
from textual.widgets import Markdown, Static

from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.domain.prices import cost_text, job_cost
from jimeng_tui.jobs.display import number as fmt_number
from jimeng_tui.jobs.display import size as fmt_size
from jimeng_tui.jobs.report_text import failure_lines, success_block
from jimeng_tui.tui.widgets.history_cells import ICONS
from jimeng_tui.tui.widgets.job_details import halfblock_text, poster_widget

S = JobState
NO_LABELS: Mapping[str, str] = MappingProxyType({})
HintLookup = Callable[[Job], str]  # what to do about a job that ended unsaved (the screen's)


def no_hint(job: Job) -> str:
    return "See the message above; re-run the job when the cause is fixed."


EMPTY = "No job selected. Type to search; clear the filters to see every job."
PARAM_LABELS: dict[str, str] = {
    "prompt": "",  # shown on its own
    "mode": "",  # shown with its label
    "duration": "Duration",
    "fps": "FPS",
    "aspect_ratio": "Ratio",
    "ratio": "Ratio",
    "generate_audio": "Sound asked",
    "first_image": "First frame",
    "last_image": "Last frame",
    "camera_template": "Camera move",
    "camera_strength": "Camera strength",
    "seed": "Seed",
    "frames": "Frames",
    "output": "Output file",
}


def fmt_time(ts: float | None) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S") if ts else ""


def fmt_span(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds} s"


def link_status(job: Job, now: float, link_lifetime_s: float, task_lifetime_s: float) -> str:
    """How long the video link still works, or until when a fresh one can be fetched."""
    if not job.task_id:
        return ""
    task_deadline = (job.submitted_at or job.created_at) + task_lifetime_s
    if job.video_url and job.url_fetched_at:
        left = job.url_fetched_at + link_lifetime_s - now
        if left > 0:
            minutes = int(left // 60)
            return f"Link valid for {minutes} min" if minutes else f"Link valid for {int(left)} s"
    elif job.state not in (S.SAVED, S.DONE, S.DOWNLOADING, S.CONFORMING, S.EXPIRED):
        return ""  # no link was ever handed out (failed, still running…)
    if now < task_deadline:
        when = datetime.fromtimestamp(task_deadline)
        same_day = when.date() == datetime.fromtimestamp(now).date()
        stamp = when.strftime("%H:%M" if same_day else "%b %d %H:%M")
        return f"Link expired — re-fetch available until {stamp}"
    return "Task too old to re-fetch (the service keeps tasks 12 h)"


def headline(job: Job) -> Text:
    icon, style = ICONS.get(job.state, ("·", ""))
    text = Text.assemble((f"{icon} {job.state.value.replace('_', ' ')}", f"bold {style}"))
    text.append(f" · job {job.id}")
    if job.favourite:
        text.append(" · ★ favourite", style="bold yellow")
    return text


def _md_escape(text: str) -> str:
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in text)


def _block_markdown(job: Job) -> str:
    # One paragraph with hard line breaks for the three head lines, then the list: compact.
    lines = success_block(job).split("\n")
    head = [line for line in lines if not line.startswith("- ")]
    items = [line for line in lines if line.startswith("- ")]
    return "  \n".join(head) + "\n\n" + "\n".join(items)


def _params(job: Job, mode_labels: Mapping[str, str]) -> list[str]:
    params = job.params or {}
    label = mode_labels.get(job.mode)
    word = "Mode" if job.meta.service_name == "jimeng3" else "Model"  # Seedance: a model
    lines = [f"- {word}: `{job.mode}`" + (f" — {label}" if label else "")]
    if job.meta.usage_tokens is not None:
        lines.append(f"- Tokens: {job.meta.usage_tokens:,}")
    cost = job_cost(
        str(job.state),
        job.meta.to_json(),
        service=job.meta.service_name,
        has_task=job.task_id is not None,
    )
    lines.append(f"- Cost: {cost_text(cost)}")  # the ledger's figure for this job (issue 16)
    if job.meta.has_audio is not None:
        lines.append(f"- Sound: {'♪ in the file' if job.meta.has_audio else 'none'}")
    for key, value in {**params, "output": job.meta.output}.items():
        if key in ("prompt", "mode", "model") or key.startswith("_"):
            continue  # "_request_body" and the like: internal copies of the above
        if value is None or value == "" or isinstance(value, dict | list):
            continue
        label = PARAM_LABELS.get(key) or key.replace("_", " ").capitalize()
        if key == "seed":
            value = "random" if value in (-1, None) else value
        elif key == "duration":
            value = f"{value} s"
        elif isinstance(value, bool):  # a model's yes/no option (Seedance's sound, watermark)
            value = "yes" if value else "no"
        lines.append(f"- {label}: {_md_escape(str(value))}")
    return lines


def _timings(job: Job) -> list[str]:
    lines = [f"- Created: {fmt_time(job.created_at)}"]
    if job.submitted_at:
        lines.append(f"- Submitted: {fmt_time(job.submitted_at)}")
    if job.finished_at:
        took = ""
        if job.submitted_at and job.finished_at >= job.submitted_at:
            took = f" (generated in {fmt_span(job.finished_at - job.submitted_at)})"
        lines.append(f"- Finished by the service: {fmt_time(job.finished_at)}{took}")
    if job.saved_at:
        lines.append(f"- Saved: {fmt_time(job.saved_at)}")
    if job.updated_at and not job.saved_at:
        lines.append(f"- Last change: {fmt_time(job.updated_at)}")
    if job.poll_count:
        lines.append(f"- Status queries: {job.poll_count}")
    return lines


def _files(job: Job, on_disk: bool | None) -> list[str]:
    if not job.path:
        return ["- No file (the job never saved one)."]
    where = {None: "checking…", True: "on disk", False: "missing"}[on_disk]
    lines = [f"- Path: {_md_escape(job.path)} ({where})"]
    facts = []
    if job.size_bytes:
        facts.append(fmt_size(job.size_bytes))
    if job.width and job.height:
        facts.append(f"{job.width}×{job.height}")
    if job.duration_s is not None and job.fps is not None:
        facts.append(f"{fmt_number(job.duration_s)} s at {fmt_number(job.fps)} fps")
    if facts:
        lines.append("- " + " · ".join(facts))
    if job.source_path:
        lines.append(f"- Service's own file: {_md_escape(job.source_path)}")
    if job.sidecar_path:
        lines.append(f"- Sidecar: {_md_escape(job.sidecar_path)}")
    return lines


def detail_parts(
    job: Job,
    on_disk: bool | None = None,
    mode_labels: Mapping[str, str] = NO_LABELS,
    hint: HintLookup = no_hint,
) -> tuple[str, str]:
    """(the original skill's block — saved jobs only, else "" —, everything else) as Markdown.
    ``mode_labels``: mode name → its label, from the services; ``hint``: what to do about a
    failed job, from the services' error tables (the screen hands both over)."""
    block = _block_markdown(job) if job.state is S.SAVED else ""
    parts: list[str] = []
    if job.state in (S.FAILED, S.EXPIRED, S.CANCELLED, S.SUBMIT_UNKNOWN, S.SAVE_FAILED):
        lines = [line for line in failure_lines(job, hint(job)) if not line.startswith("Task ID:")]
        parts += ["  \n".join(_md_escape(line) for line in lines), ""]
    parts += ["**Prompt**", "", _md_escape(job.prompt) if job.prompt else "*(none)*", ""]
    parts += ["**Parameters**", "", *_params(job, mode_labels), ""]
    ids = [f"- Task id: `{job.task_id}`" if job.task_id else "- Task id: (none — never sent)"]
    if job.request_id:
        ids.append(f"- Request id: `{job.request_id}`")
    ids.append(f"- Request key: `{job.req_key}`")
    parts += ["**Service**", "", *ids, ""]
    parts += ["**Timings**", "", *_timings(job), ""]
    parts += ["**File**", "", *_files(job, on_disk)]
    return block, "\n".join(parts)


def detail_markdown(
    job: Job,
    on_disk: bool | None = None,
    mode_labels: Mapping[str, str] = NO_LABELS,
    hint: HintLookup = no_hint,
) -> str:
    """Everything known about one job, as one Markdown text."""
    block, body = detail_parts(job, on_disk, mode_labels, hint)
    return f"{block}\n\n{body}" if block else body


class HistoryDetail(VerticalScroll):
    """The detail pane of the History screen."""

    DEFAULT_CSS = """
    HistoryDetail {
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    HistoryDetail #hd-top { height: auto; }
    HistoryDetail #hd-top { margin-bottom: 1; }
    HistoryDetail #hd-head { width: 1fr; height: auto; }
    HistoryDetail #hd-state { height: auto; }
    HistoryDetail #hd-link { height: auto; color: $text-muted; }
    HistoryDetail #hd-link.-valid { color: $success; }
    HistoryDetail #hd-link.-expired { color: $warning; }
    HistoryDetail #hd-poster { width: 26; height: auto; padding-left: 2; }
    HistoryDetail #hd-block { margin: 0; padding: 0; }
    HistoryDetail #hd-block MarkdownParagraph { margin: 0 0 1 0; }
    HistoryDetail #hd-block MarkdownBulletList { margin: 0 0 1 0; }
    HistoryDetail #hd-block MarkdownBulletList MarkdownParagraph { margin: 0; }
    HistoryDetail #hd-body { height: auto; }
    """

    def __init__(
        self,
        *,
        mode_labels: Mapping[str, str] = NO_LABELS,
        hint: HintLookup = no_hint,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.mode_labels = mode_labels
        self.hint = hint
        self.job_id: int | None = None
        self.markdown_text = ""
        self._block = ""
        self.link_text = ""

    def compose(self) -> ComposeResult:
        with Horizontal(id="hd-top"):
            with Vertical(id="hd-head"):
                yield Static("", id="hd-state")
                yield Static("", id="hd-link")
            yield Container(id="hd-poster")
        # The skill's block in a Markdown widget (its link is clickable); the rest, which changes
        # on every highlighted row, in one Static: cheap to replace while the cursor moves.
        yield Markdown("", id="hd-block", open_links=True)
        yield Static(EMPTY, id="hd-body")

    def on_mount(self) -> None:
        self.query_one("#hd-block").display = False
        self.query_one("#hd-poster").display = False
        self.query_one("#hd-top").display = False

    def _set_head(self, job: Job | None) -> None:
        self.query_one("#hd-state", Static).update(headline(job) if job else "")

    def show_job(self, job: Job | None, *, on_disk: bool | None = None, link: str = "") -> None:
        changed = (job.id if job else None) != self.job_id
        self.job_id = job.id if job else None
        block, body = (
            detail_parts(job, on_disk, self.mode_labels, self.hint) if job else ("", EMPTY)
        )
        text = f"{block}\n\n{body}" if block else body
        if text != self.markdown_text:
            self.markdown_text = text
            markdown = self.query_one("#hd-block", Markdown)
            if block != self._block:
                self._block = block
                markdown.display = bool(block)
                if block:
                    markdown.update(block)
            self.query_one("#hd-body", Static).update(RichMarkdown(body) if job else body)
        if changed:
            self.set_poster(None)
            self.set_filmstrip(None)
            self.scroll_home(animate=False)
        self._set_head(job)
        self.set_link(link)
        self.border_subtitle = f"job {job.id}" if job else ""

    def set_link(self, text: str) -> None:
        if text == self.link_text:
            return
        self.link_text = text
        label = self.query_one("#hd-link", Static)
        label.update(text)
        label.display = bool(text)
        label.set_class(text.startswith("Link valid"), "-valid")
        label.set_class(text.startswith("Link expired"), "-expired")
        self._update_top()

    def set_poster(self, image: Any) -> None:
        """Show a PIL image (the poster frame), or hide the preview with None."""
        holder = self.query_one("#hd-poster", Container)
        if image is None and not holder.children:
            return
        holder.remove_children()
        if image is None:
            holder.display = False
        else:
            holder.display = True
            widget = poster_widget(image)
            if widget is None:
                widget = Static(halfblock_text(image, width=24), classes="halfblock")
            holder.mount(widget)
        self._update_top()

    def set_filmstrip(self, images: list[Any] | None) -> None:
        """Evenly spaced frames of the saved video under the head (None: hide them)."""
        from jimeng_tui.tui.widgets.filmstrip import place_filmstrip

        place_filmstrip(self, images, widget_id="hd-filmstrip", after="#hd-top")

    def _update_top(self) -> None:
        self.query_one("#hd-top").display = self.job_id is not None
