"""The prompt form: everything a generation needs, checked before anything is sent.

Reads every choice from ``api/catalog.py``; validation is ``GenerationRequest.validate`` and its
message is shown next to the field it names. No I/O here: the form only builds requests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from jimeng_tui.services.jimeng import catalog
from jimeng_tui.tui.messages import BrowseRequested, GenerateRequested
from jimeng_tui.tui.widgets.deferred import Deferred
from jimeng_tui.tui.widgets.form_fields import (
    FieldError,
    FormDefaults,
    FormFields,
    PromptCounter,
    _mode_rules,
)
from jimeng_tui.tui.widgets.prompt_recall import PromptArea

if TYPE_CHECKING:
    from jimeng_tui.services.jimeng.request import GenerationRequest

FIELDS = (
    "prompt",
    "mode",
    "duration",
    "fps",
    "aspect_ratio",
    "first_image",
    "last_image",
    "camera_template",
    "camera_strength",
    "seed",
)


class PromptForm(Vertical):
    """Prompt, mode, duration, fps, ratio, images, camera move, seed and the Generate button."""

    BORDER_TITLE = "Prompt"

    def __init__(self, defaults: FormDefaults | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._defaults = defaults or FormDefaults()
        self._camera_values = {
            "camera_template": self._defaults.camera_template,
            "camera_strength": self._defaults.camera_strength,
        }
        self._fields_ready = False
        self._waiting: list[Callable[[], object]] = []  # calls that need the rows (in order)

    # ---------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield PromptArea(
            "",
            id="prompt",
            soft_wrap=True,
            tab_behavior="focus",
            compact=True,
            highlight_cursor_line=False,
            placeholder="Describe the video: subject, action, scene, light, camera…",
        )
        with Horizontal(classes="row counter-row"):
            yield FieldError("", id="err-prompt", classes="field-error")
            yield PromptCounter(id="counter")
        # after the job list (a few widgets, quick): these ~50 take a few frames' time
        yield Deferred(lambda: FormFields(self._defaults, id="fields"), frames=2)

    @on(FormFields.Mounted)
    def _fields_mounted(self, event: FormFields.Mounted) -> None:
        event.stop()
        self._fields_ready = True
        if self.mode.camera:
            self._camera_row()
        waiting, self._waiting = self._waiting, []
        for call in waiting:
            call()

    def _rows_pending(self, call: Callable[[], object]) -> bool:
        """True (and ``call`` is kept for later) while the rows are not mounted yet."""
        if self._fields_ready:
            return False
        self._waiting.append(call)
        return True

    @property
    def fields_ready(self) -> bool:
        return self._fields_ready

    # The camera row (only for i2v_recamera_720p) is mounted the first time it is needed:
    # fewer widgets make the first screen quicker.
    def _camera_row(self) -> Horizontal:
        found = self.query("#camera-row")
        if found:
            return found.first(Horizontal)
        values = self._camera_values
        template = values["camera_template"]
        strength = values["camera_strength"]
        row = Horizontal(
            Label("Camera", classes="field-label"),
            Select(
                [(t.replace("_", " "), t) for t in catalog.CAMERA_TEMPLATES],
                id="camera_template",
                prompt="template",
                value=template if template in catalog.CAMERA_TEMPLATES else Select.NULL,
                compact=True,
            ),
            Select(
                [(v, v) for v in catalog.CAMERA_STRENGTHS],
                id="camera_strength",
                value=strength
                if strength in catalog.CAMERA_STRENGTHS
                else catalog.DEFAULT_CAMERA_STRENGTH,
                allow_blank=False,
                compact=True,
            ),
            classes="row",
            id="camera-row",
        )
        self.query_one(FormFields).mount(row, after="#image-note")
        return row

    def _camera_value(self, name: str) -> Any:
        found = self.query(f"#{name}")
        if found:
            value = found.first(Select).value
            return value if isinstance(value, str) else None
        return self._camera_values.get(name) or None

    def _set_camera(self, name: str, value: str) -> None:
        self._camera_values[name] = value
        found = self.query(f"#{name}")
        if found:
            found.first(Select).value = value

    # ------------------------------------------------------------- live rules
    @on(TextArea.Changed, "#prompt")
    def _prompt_changed(self, event: TextArea.Changed) -> None:
        self.query_one(PromptCounter).count = len(event.text_area.text)
        self._clear_error("prompt")

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        if event.select.id:
            self._clear_error(event.select.id)
        self._refresh_mode_rules()

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        if event.input.id:
            self._clear_error(event.input.id)
        if event.input.id in ("first_image", "last_image"):
            self._refresh_mode_rules()

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    @on(Button.Pressed, ".browse")
    def _browse(self, event: Button.Pressed) -> None:
        event.stop()
        field = (event.button.id or "").removeprefix("browse-")
        self.post_message(BrowseRequested(field, self.query_one(f"#{field}", Input).value))

    @on(Button.Pressed, "#generate")
    def _generate_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.submit()

    def _select(self, name: str) -> Select[Any]:
        return self.query_one(f"#{name}", Select)

    def _input(self, name: str) -> Input:
        return self.query_one(f"#{name}", Input)

    @property
    def mode(self) -> catalog.Mode:
        if not self._fields_ready:
            return catalog.MODES.get(self._defaults.mode, catalog.MODES[catalog.DEFAULT_MODE])
        value = self._select("mode").value
        return catalog.MODES.get(str(value), catalog.MODES[catalog.DEFAULT_MODE])

    def _refresh_mode_rules(self) -> None:
        """Enable what the mode takes; say why the rest is off; show the conform note."""
        if not self._fields_ready:
            return
        mode = self.mode
        first, last = self._input("first_image"), self._input("last_image")
        for widget, ok in ((first, mode.takes_images), (last, mode.takes_tail_image)):
            if widget.disabled == ok:
                widget.disabled = not ok
                self.query_one(f"#browse-{widget.id}", Button).disabled = not ok
        image_count = (1 if mode.takes_images and first.value.strip() else 0) + (
            1 if mode.takes_tail_image and last.value.strip() else 0
        )
        ratio = self._select("aspect_ratio")
        ratio_ok = mode.takes_aspect_ratio(image_count)
        if ratio.disabled == ratio_ok:
            ratio.disabled = not ratio_ok
        if mode.camera:
            self._camera_row().remove_class("-hidden")
        else:
            for row in self.query("#camera-row"):
                row.add_class("-hidden")
        if not mode.camera:
            self._clear_error("camera_template")
            self._clear_error("camera_strength")
        duration, fps = self._select("duration").value, self._select("fps").value
        rules = _mode_rules(
            mode,
            image_count=image_count,
            duration=duration if isinstance(duration, int) else catalog.DEFAULT_DURATION,
            fps=fps if isinstance(fps, int) else catalog.DEFAULT_FPS,
        )
        for note_id, text in rules.items():
            self._note(note_id, text)

    def _note(self, note_id: str, text: str) -> None:
        note = self.query_one(f"#{note_id}", Static)
        if str(note.render()) != text:
            note.update(text)
        note.set_class(bool(text), "-shown")

    # ------------------------------------------------------------- errors
    def _clear_error(self, field: str) -> None:
        found = self.query(f"#err-{field}")
        if not found:
            return
        error = found.first(FieldError)
        if error.shown:
            error.show("")
        for widget in self.query(f"#{field}"):
            widget.remove_class("-invalid")

    def _error_box(self, field: str) -> FieldError:
        """The message line under ``field``, mounted under its row the first time."""
        found = self.query(f"#err-{field}")
        if found:
            return found.first(FieldError)
        error = FieldError("", id=f"err-{field}", classes="field-error")
        row = self._field_widget(field).parent
        row.parent.mount(error, after=row)
        return error

    def clear_errors(self) -> None:
        for field in FIELDS:
            self._clear_error(field)

    def _field_widget(self, field: str) -> Any:
        return self.query_one(f"#{field}")

    def show_error(self, field: str, message: str) -> None:
        """Show ``message`` next to ``field`` and move the focus there."""
        if self._rows_pending(lambda: self.show_error(field, message)):
            return
        if field not in FIELDS:
            field = "prompt"
        if field.startswith("camera_"):
            self._camera_row()
        self._error_box(field).show(f"⚠ {message}")
        widget = self._field_widget(field)
        widget.add_class("-invalid")
        if widget.focusable and not widget.disabled:
            widget.focus()
        widget.scroll_visible()

    # ------------------------------------------------------------- values
    def build_request(self) -> GenerationRequest:
        """The request the form describes, validated (raises ValidationError)."""
        from pathlib import Path

        from jimeng_tui.domain.errors import ValidationError
        from jimeng_tui.jobs.request_builder import RequestFields, build_request

        mode = self.mode
        prompt = self.query_one("#prompt", TextArea).text
        first = self._input("first_image").value.strip() if mode.takes_images else ""
        last = self._input("last_image").value.strip() if mode.takes_tail_image else ""
        seed_text = self._input("seed").value.strip()
        try:
            seed = int(seed_text) if seed_text else catalog.SEED_RANDOM
        except ValueError:
            raise ValidationError("seed", f"{seed_text!r} is not a whole number") from None
        image_count = (1 if first else 0) + (1 if last else 0)
        ratio = self._select("aspect_ratio").value
        template = self._camera_value("camera_template")
        strength = self._camera_value("camera_strength")
        fields = RequestFields(
            prompt=prompt.strip(),
            mode=mode.name,
            duration=int(self._select("duration").value),  # type: ignore[arg-type]
            fps=int(self._select("fps").value),  # type: ignore[arg-type]
            aspect_ratio=str(ratio)
            if mode.takes_aspect_ratio(image_count) and isinstance(ratio, str)
            else None,
            first_image=first or None,
            last_image=last or None,
            camera_template=str(template) if mode.camera and isinstance(template, str) else None,
            camera_strength=str(strength) if mode.camera and isinstance(strength, str) else None,
            seed=seed,
        )
        return build_request(fields, base_dir=Path.cwd()).request  # image paths made absolute

    def submit(self) -> GenerationRequest | None:
        """Validate; show the first problem inline, or post GenerateRequested (once the rows
        are mounted: a Ctrl+G typed in the first frame is not lost)."""
        from jimeng_tui.domain.errors import ValidationError

        if self._rows_pending(self.submit):
            return None
        self.clear_errors()
        try:
            request = self.build_request()
        except ValidationError as exc:
            self.show_error(exc.field, getattr(exc, "reason", str(exc)))
            return None
        self.post_message(GenerateRequested(request))
        return request

    def load_request(self, request: GenerationRequest) -> None:
        """Put a past job's parameters into the form (to edit and run again)."""
        if self._rows_pending(lambda: self.load_request(request)):
            return
        self.query_one("#prompt", TextArea).load_text(request.prompt)
        self._select("mode").value = request.mode
        if request.duration in catalog.DURATIONS:
            self._select("duration").value = request.duration
        if request.fps in catalog.FPS_CHOICES:
            self._select("fps").value = request.fps
        if request.aspect_ratio in catalog.ASPECT_RATIOS:
            self._select("aspect_ratio").value = request.aspect_ratio
        self._input("first_image").value = request.first_image or ""
        self._input("last_image").value = request.last_image or ""
        if request.camera_template in catalog.CAMERA_TEMPLATES:
            self._set_camera("camera_template", request.camera_template)
        if request.camera_strength in catalog.CAMERA_STRENGTHS:
            self._set_camera("camera_strength", request.camera_strength)
        self._input("seed").value = "" if request.seed == catalog.SEED_RANDOM else str(request.seed)
        self.clear_errors()
        self._refresh_mode_rules()

    def apply_defaults(self, defaults: FormDefaults) -> None:
        """Use config defaults (only for fields the user has not touched yet)."""
        self._defaults = defaults
        if not self.is_mounted or self._rows_pending(lambda: self.apply_defaults(defaults)):
            return
        self._select("mode").value = defaults.mode
        if defaults.duration in catalog.DURATIONS:
            self._select("duration").value = defaults.duration
        if defaults.fps in catalog.FPS_CHOICES:
            self._select("fps").value = defaults.fps
        if defaults.aspect_ratio in catalog.ASPECT_RATIOS:
            self._select("aspect_ratio").value = defaults.aspect_ratio
        if defaults.camera_template in catalog.CAMERA_TEMPLATES:
            self._set_camera("camera_template", defaults.camera_template)
        if defaults.camera_strength in catalog.CAMERA_STRENGTHS:
            self._set_camera("camera_strength", defaults.camera_strength)
        self._refresh_mode_rules()

    def set_image(self, field: str, value: str) -> None:
        if self._rows_pending(lambda: self.set_image(field, value)):
            return
        self._input(field).value = value
        self._refresh_mode_rules()

    def focus_prompt(self) -> None:
        self.query_one("#prompt", TextArea).focus()
