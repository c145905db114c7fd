"""The form remembered across runs (and crashes): ``DATA/last-form.json``, 0600, written
atomically half a second after the last change and on the way out; restored on start. Also
feeds the prompt's recall (Up in an empty prompt) with the prompts of the history."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

FORM_FILE = "last-form.json"
SAVE_AFTER_S = 0.5  # after the last change: typing writes once per pause, not per key
RECALL_SIZE = 100
TEXT_FIELDS = ("first_image", "last_image", "reference_images", "seed")


# ------------------------------------------------------------------ the file (no Textual)
def load_form(path: Path) -> dict[str, Any] | None:
    """The saved form, or None (missing, unreadable or not ours: then the defaults apply)."""
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return values if isinstance(values, dict) else None


def save_form(path: Path, values: dict[str, Any]) -> None:
    """Write ``values`` to ``path`` atomically (a crash leaves the old file or the new one),
    readable by the owner only: the prompt is the user's."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".last-form-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:  # mkstemp: mode 0600
            json.dump(values, handle, ensure_ascii=False, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def recent_prompts(jobs: Iterable[Any], limit: int = RECALL_SIZE) -> list[str]:
    """Distinct prompts of ``jobs`` (newest first), for the recall."""
    seen: dict[str, None] = {}
    for job in jobs:
        prompt = (job.prompt or "").strip()
        if prompt and prompt not in seen:
            seen[prompt] = None
            if len(seen) >= limit:
                break
    return list(seen)


# ------------------------------------------------------------------ the form (no I/O)
def read_form(form: Any) -> dict[str, Any]:
    """The form's values as they are (a draft may not validate yet): the chosen model, the
    values it takes, and what is typed in the text fields."""
    from textual.widgets import Input, TextArea

    from jimeng_tui.domain.errors import ValidationError

    values: dict[str, Any] = {"prompt": form.query_one("#prompt", TextArea).text}
    if not form.fields_ready:
        return values
    try:
        video = form.video_input()
    except ValidationError:
        return values
    values["model"] = video.model
    for name, value in (
        ("duration", video.duration),
        ("fps", video.fps),
        ("aspect_ratio", video.ratio),
        ("resolution", video.resolution),
    ):
        if value is not None:
            values[name] = value
    values["options"] = dict(video.options)
    for name in TEXT_FIELDS:
        values[name] = form.query_one(f"#{name}", Input).value
    return values


def fill_form(form: Any, values: dict[str, Any]) -> None:
    """Put saved values back (what the model no longer offers keeps the default). A file
    written before the Model selector has ``mode`` and the camera fields at the top."""
    from jimeng_tui.domain.request import VideoInput

    options = values.get("options")
    options = dict(options) if isinstance(options, dict) else {}
    for name in ("camera_template", "camera_strength"):
        if values.get(name):
            options.setdefault(name, values[name])
    seed_text = str(values.get("seed") or "").strip()
    references = str(values.get("reference_images") or "")
    form.load_input(
        VideoInput(
            prompt=str(values.get("prompt") or ""),
            model=str(values.get("model") or values.get("mode") or ""),
            duration=values.get("duration"),
            fps=values.get("fps"),
            ratio=values.get("aspect_ratio"),
            resolution=values.get("resolution"),
            first_image=str(values.get("first_image") or "") or None,
            last_image=str(values.get("last_image") or "") or None,
            reference_images=tuple(p.strip() for p in references.split(",") if p.strip()),
            seed=int(seed_text) if seed_text.lstrip("-").isdigit() else None,
            options=options,
        )
    )


class FormMemoryMixin:
    """The main screen's side: save on change (debounced) and on the way out; restore once on
    start."""

    _form_pending: dict[str, Any] | None = None
    _form_timer: Any = None
    _form_restored = False
    _form_file: Path | None = None  # known once the engine opened (kept for the way out)

    def _form_path(self: Any) -> Path | None:
        return self._form_file

    def _form_changed(self: Any, control: Any) -> None:
        if not self._form_restored:
            return  # before the restore: the defaults going in are not the user's
        form = self.form
        if form not in control.ancestors:
            return
        self._form_pending = read_form(form)
        if self._form_timer is not None:
            self._form_timer.stop()
        self._form_timer = self.set_timer(SAVE_AFTER_S, self._write_form)

    def on_text_area_changed(self, event: Any) -> None:
        self._form_changed(event.control)

    def on_select_changed(self, event: Any) -> None:
        self._form_changed(event.control)

    def on_input_changed(self, event: Any) -> None:
        self._form_changed(event.control)

    def on_checkbox_changed(self, event: Any) -> None:  # a model's yes/no options
        self._form_changed(event.control)

    def _write_form(self: Any) -> None:
        values, self._form_pending = self._form_pending, None
        path = self._form_path()
        if values is None or path is None:
            return
        self.run_worker(
            lambda: self._save_form_quietly(path, values),
            thread=True,
            group="form-memory",
            exit_on_error=False,
        )

    def _save_form_quietly(self: Any, path: Path, values: dict[str, Any]) -> None:
        try:
            save_form(path, values)
        except OSError as exc:  # the form still works; say once why it is not kept
            self.app.call_from_thread(
                self.notify, f"Could not keep the form in {path}: {exc}", severity="warning"
            )

    def on_unmount(self: Any) -> None:
        """Write a change still waiting for its timer (on the way out)."""
        values, self._form_pending = self._form_pending, None
        path = self._form_path()
        if values is not None and path is not None:
            with contextlib.suppress(OSError):
                save_form(path, values)

    def restore_form_once(self: Any, engine: Any) -> None:
        """On the first engine start: the last form back, and the history's prompts to recall.
        A prompt typed before this (the first second) is kept, not replaced."""
        if self._form_restored:
            return
        self._form_restored = True
        form = self.form
        path = self._form_file = engine.paths.data_dir / FORM_FILE
        values = load_form(path) if path is not None else None
        if values and not form.query_one("#prompt").text.strip():
            fill_form(form, values)
        from jimeng_tui.store.history import HistoryQuery

        with contextlib.suppress(Exception):  # the recall is a convenience
            jobs = engine.history.query(HistoryQuery(limit=RECALL_SIZE * 2))
            form.query_one("#prompt").recall = recent_prompts(jobs)

    def on_generate_requested(self: Any, message: Any) -> None:
        for area in self.query("#prompt"):
            remember = getattr(area, "remember", None)
            if remember is not None:
                remember(message.request.summary.prompt)
