"""The prompt form: everything a generation needs, checked before anything is sent.

What it offers comes from the services' ``Capabilities``, handed in by its screen (every service
the session can use): the Model selector, then only the fields the chosen model takes, with the
values it allows. Its result is a service-neutral ``VideoInput``; the screen's ``builder`` turns
that into a request (validation happens there, its message is shown next to the field it
names). No I/O here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Checkbox, Input, Select, Static, TextArea

from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.tui.messages import BrowseRequested, FormChanged, GenerateRequested
from jimeng_tui.tui.widgets.deferred import Deferred
from jimeng_tui.tui.widgets.form_fields import (
    START_DURATION,
    START_FPS,
    START_RATIO,
    FieldError,
    FormDefaults,
    FormFields,
    PromptCounter,
    pick,
)
from jimeng_tui.tui.widgets.form_model_fields import ModelFields
from jimeng_tui.tui.widgets.form_options import (
    option_value,
    set_option,
)
from jimeng_tui.tui.widgets.model_choice import (
    ModelEntry,
    entry_of,
    field_notes,
    mode_options,
    model_entries,
    takes_first,
    takes_last,
    takes_ratio,
    takes_references,
)
from jimeng_tui.tui.widgets.prompt_recall import PromptArea

if TYPE_CHECKING:  # the first screen (the prompt) needs neither: the rows come a frame later
    from jimeng_tui.domain.capabilities import Capabilities, ModelCaps
    from jimeng_tui.domain.request import VideoInput

FIELDS = (
    "prompt",
    "model",
    "mode",
    "resolution",
    "duration",
    "fps",
    "aspect_ratio",
    "first_image",
    "last_image",
    "reference_images",
    "seed",
)
IMAGE_FIELDS = ("first_image", "last_image", "reference_images")
# the names a service's builder may give a field (VideoInput's words) → the form's widget
FIELD_ALIASES = {"ratio": "aspect_ratio", "reference_image": "reference_images"}
REFERENCE_SEPARATOR = ","

# The screen's request builder: VideoInput → the request to run (raises ValidationError).
Builder = Callable[["VideoInput"], Any]
# what to offer: the services' tables, or how to get them (read when the rows are built)
Services = tuple["Capabilities", ...] | Callable[[], tuple["Capabilities", ...]]


def _no_builder(video: VideoInput) -> VideoInput:
    return video


class PromptForm(ModelFields):
    """Prompt, model, its fields, images, options, seed and the Generate button."""

    BORDER_TITLE = "Prompt"

    def __init__(
        self,
        defaults: FormDefaults | None = None,
        *,
        services: Services = (),
        builder: Builder | None = None,
        hint: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._defaults = defaults or FormDefaults()
        self._builder = builder or _no_builder
        self._services = services
        self._model_entries: tuple[ModelEntry, ...] | None = None
        self._hint = hint
        self._shown: ModelCaps | None = None  # the model whose fields are on screen
        self._option_memory: dict[str, Any] = {
            "camera_template": self._defaults.camera_template or None,
            "camera_strength": self._defaults.camera_strength or None,
        }
        self._fields_ready = False
        self._waiting: list[Callable[[], object]] = []  # calls that need the rows (in order)

    @property
    def _entries(self) -> tuple[ModelEntry, ...]:
        if self._model_entries is None:
            services = self._services
            self._model_entries = model_entries(services() if callable(services) else services)
        return self._model_entries

    @_entries.setter
    def _entries(self, entries: tuple[ModelEntry, ...]) -> None:
        self._model_entries = entries

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
        # in the same frame as the job list: one layout and paint of the screen for both (in
        # two frames, the second pass over the whole screen was ~15 % of the start's CPU)
        yield Deferred(self._build_fields)

    def _build_fields(self) -> FormFields:
        entry, model = self._start_model()
        return FormFields(self._defaults, self._entries, entry, model, self._hint, id="fields")

    def _start_model(self) -> tuple[ModelEntry, ModelCaps]:
        """The defaults' model (or mode) if offered, else the first model offered."""
        for wanted in (self._defaults.model, self._defaults.mode):
            entry = entry_of(self._entries, wanted) if wanted else None
            if entry is not None:
                found = entry.find(wanted)
                assert found is not None
                return entry, found
        if not self._entries:
            raise ValueError("the form needs at least one service's capabilities")
        return self._entries[0], self._entries[0].models[0]

    @on(FormFields.Mounted)
    def _fields_mounted(self, event: FormFields.Mounted) -> None:
        event.stop()
        self._fields_ready = True
        self._apply_model()
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

    # ------------------------------------------------------------- the model
    @property
    def entries(self) -> tuple[ModelEntry, ...]:
        return self._entries

    @property
    def entry(self) -> ModelEntry:
        if not self._fields_ready:
            return self._start_model()[0]
        key = self._select("model").value
        for entry in self._entries:
            if entry.key == key:
                return entry
        return self._entries[0]

    @property
    def model(self) -> ModelCaps:
        """The chosen model (for a service with modes: the chosen mode)."""
        if not self._fields_ready:
            return self._start_model()[1]
        entry = self.entry
        if entry.is_modes:
            found = entry.find(str(self._select("mode").value))
            if found is not None:
                return found
        return entry.models[0]

    def _apply_model(self, *, announce: bool = False) -> None:
        """Show the fields the chosen model takes, with its values; say what no longer applies
        (``announce``: the user picked another model)."""
        model, entry = self.model, self.entry
        previous, self._shown = self._shown, model
        if previous is not model:
            dropped = self._adapt_fields(model, entry, previous)
            if announce and previous is not None and dropped:
                self.notify(f"{model.label}: {'; '.join(dropped)}.", title="Model", timeout=6)
        self.query_one(PromptCounter).limit = model.prompt_max_chars
        self._refresh_mode_rules()
        self.post_message(FormChanged())

    # ------------------------------------------------------------- live rules
    @on(TextArea.Changed, "#prompt")
    def _prompt_changed(self, event: TextArea.Changed) -> None:
        self.query_one(PromptCounter).count = len(event.text_area.text)
        self._clear_error("prompt")

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        if event.select.id:
            self._clear_error(event.select.id)
        if not self._fields_ready:
            return
        self._apply_model(announce=event.select.id == "model")

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        if event.input.id:
            self._clear_error(event.input.id)
        if event.input.id in IMAGE_FIELDS:
            self._refresh_mode_rules()
        if self._fields_ready and event.input.id != "seed":
            self.post_message(FormChanged())

    @on(Checkbox.Changed)
    def _flag_changed(self, _: Checkbox.Changed) -> None:
        if self._fields_ready:  # sound on/off changes the price
            self.post_message(FormChanged())

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    @on(Button.Pressed, ".browse")
    def _browse(self, event: Button.Pressed) -> None:
        event.stop()
        field = (event.button.id or "").removeprefix("browse-")
        current = self._input(field).value
        if field == "reference_images":  # the picker starts from the last one given
            current = current.rsplit(REFERENCE_SEPARATOR, 1)[-1].strip()
        self.post_message(BrowseRequested(field, current))

    @on(Button.Pressed, "#generate")
    def _generate_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.submit()

    def _refresh_mode_rules(self) -> None:
        """Enable what the model takes; say why the rest is off; show the conform note."""
        if not self._fields_ready:
            return
        model = self.model
        first, last = self._input("first_image"), self._input("last_image")
        for widget, ok in ((first, takes_first(model)), (last, takes_last(model))):
            if widget.disabled == ok:
                widget.disabled = not ok
                self.query_one(f"#browse-{widget.id}", Button).disabled = not ok
        has_first = takes_first(model) and bool(first.value.strip())
        ratio = self._select("aspect_ratio")
        ratio_ok = takes_ratio(model, has_first_image=has_first)
        if ratio.disabled == ratio_ok:
            ratio.disabled = not ratio_ok
        duration, fps = self._select("duration").value, self._select("fps").value
        rules = field_notes(
            model,
            is_mode=self.entry.is_modes,
            has_first_image=has_first,
            duration=duration if isinstance(duration, int) else START_DURATION,
            fps=fps if isinstance(fps, int) else START_FPS,
        )
        for note_id, text in rules.items():
            self._note(note_id, text)

    def _note(self, note_id: str, text: str) -> None:
        note = self.query_one(f"#{note_id}", Static)
        if str(note.render()) != text:
            note.update(text)
        note.set_class(bool(text), "-shown")

    def set_estimate(self, text: str) -> None:
        """The line under the fields with the request's cost (the screen computes it); plain
        text ("[prices]" is not markup)."""
        if self._fields_ready:
            self._note("estimate-note", escape(text))

    def set_hint(self, text: str) -> None:
        """The line under the model saying how to add the services not offered."""
        self._hint = text
        if self._fields_ready:
            self._note("service-hint", text)

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
        for field in (*FIELDS, *(o.name for o in self.model.options)):
            self._clear_error(field)

    def _field_widget(self, field: str) -> Any:
        return self.query_one(f"#{field}")

    def show_error(self, field: str, message: str) -> None:
        """Show ``message`` next to ``field`` and move the focus there."""
        if self._rows_pending(lambda: self.show_error(field, message)):
            return
        options = {o.name for o in self.model.options}
        field = FIELD_ALIASES.get(field, field)
        if field not in FIELDS and field not in options:
            field = "prompt"
        self._error_box(field).show(f"⚠ {message}")
        widget = self._field_widget(field)
        widget.add_class("-invalid")
        if widget.focusable and not widget.disabled:
            widget.focus()
        widget.scroll_visible()

    # ------------------------------------------------------------- values
    def video_input(self) -> VideoInput:
        """What the form says, for the chosen model (ValidationError for a seed that is not a
        number). Fields the model does not take are left out."""
        from jimeng_tui.domain.request import VideoInput

        model = self.model
        prompt = self.query_one("#prompt", TextArea).text
        first = self._input("first_image").value.strip() if takes_first(model) else ""
        last = self._input("last_image").value.strip() if takes_last(model) else ""
        references: tuple[str, ...] = ()
        if takes_references(model):
            text = self._input("reference_images").value
            references = tuple(p.strip() for p in text.split(REFERENCE_SEPARATOR) if p.strip())
        seed_text = self._input("seed").value.strip()
        try:
            seed = int(seed_text) if seed_text else None
        except ValueError:
            raise ValidationError("seed", f"{seed_text!r} is not a whole number") from None
        duration, fps = self._select("duration").value, self._select("fps").value
        ratio, resolution = self._select("aspect_ratio").value, self._select("resolution").value
        options = {}
        for option in model.options:
            value = option_value(self._field_widget(option.name), option)
            if value is not None:
                options[option.name] = value
        return VideoInput(
            prompt=prompt.strip(),
            model=model.id,
            duration=duration if isinstance(duration, int) else None,
            fps=fps if isinstance(fps, int) else None,
            ratio=str(ratio)
            if isinstance(ratio, str) and takes_ratio(model, has_first_image=bool(first))
            else None,
            resolution=str(resolution)
            if len(model.resolutions) > 1 and isinstance(resolution, str)
            else None,
            first_image=first or None,
            last_image=last or None,
            reference_images=references,
            seed=seed,
            options=options,
            image_fields=IMAGE_FIELDS,
        )

    def build_request(self) -> Any:
        """The request the screen's builder makes of the form (raises ValidationError)."""
        return self._builder(self.video_input())

    def submit(self) -> Any:
        """Validate; show the first problem inline, or post GenerateRequested (once the rows
        are mounted: a Ctrl+G typed in the first frame is not lost)."""
        if self._rows_pending(self.submit):
            return None
        self.clear_errors()
        try:
            request = self.build_request()
        except ValidationError as exc:
            self.show_error(exc.field, exc.reason)
            return None
        self.post_message(GenerateRequested(request))
        return request

    def load_input(self, video: VideoInput) -> None:
        """Put a past job's input into the form (to edit and run again). A model not offered
        here keeps the current one."""
        if self._rows_pending(lambda: self.load_input(video)):
            return
        self.query_one("#prompt", TextArea).load_text(video.prompt)
        self._choose_model(video.model)
        model = self.model
        for name, value, offered in (
            ("duration", video.duration, model.durations),
            ("fps", video.fps, model.fps),
            ("aspect_ratio", video.ratio, model.ratios),
            ("resolution", video.resolution, model.resolutions),
        ):
            if value in offered:
                self._select(name).value = value
        self._input("first_image").value = video.first_image or ""
        self._input("last_image").value = video.last_image or ""
        self._input("reference_images").value = ", ".join(video.reference_images)
        for option in model.options:
            if option.name in video.options:
                set_option(self._field_widget(option.name), video.options[option.name])
        self._input("seed").value = "" if video.seed in (None, -1) else str(video.seed)
        self.clear_errors()
        self._refresh_mode_rules()

    def _choose_model(self, model_id: str) -> None:
        entry = entry_of(self._entries, model_id) if model_id else None
        if entry is None:
            return
        found = entry.find(model_id)
        self._select("model").value = entry.key
        if entry.is_modes and found is not None:
            self._offer("mode", mode_options(entry.models), found.id)
            self._select("mode").value = found.id
        self._apply_model()

    def set_services(self, services: tuple[Capabilities, ...], hint: str = "") -> None:
        """Offer these services' models (the screen's choice: those with credentials)."""
        if self._rows_pending(lambda: self.set_services(services, hint)):
            return
        entries = model_entries(services)
        self.set_hint(hint)
        if entries == self._entries or not entries:
            return
        self._entries = entries
        current = self.model.id
        self._offer("model", [(e.label, e.key) for e in entries], entries[0].key)
        if entry_of(entries, current) is not None:
            self._choose_model(current)
        else:
            self._choose_model(self._start_model()[1].id)

    def apply_defaults(self, defaults: FormDefaults) -> None:
        """Use config defaults (only for fields the user has not touched yet)."""
        self._defaults = defaults
        if not self.is_mounted or self._rows_pending(lambda: self.apply_defaults(defaults)):
            return
        self._choose_model(self._start_model()[1].id)
        model = self.model
        self._select("duration").value = pick(defaults.duration, model.durations, START_DURATION)
        self._select("fps").value = pick(defaults.fps, model.fps, START_FPS)
        if model.ratios:
            ratio = pick(defaults.aspect_ratio, model.ratios, START_RATIO)
            self._select("aspect_ratio").value = ratio
        for name in ("camera_template", "camera_strength"):
            value = getattr(defaults, name) or None
            self._option_memory[name] = value
            found = self.query(f"#{name}")
            if found and value is not None:
                set_option(found.first(), value)
        self._refresh_mode_rules()

    def set_image(self, field: str, value: str) -> None:
        if self._rows_pending(lambda: self.set_image(field, value)):
            return
        widget = self._input(field)
        if field == "reference_images" and widget.value.strip():
            value = f"{widget.value.strip().rstrip(REFERENCE_SEPARATOR)}, {value}"
        widget.value = value
        self._refresh_mode_rules()

    def focus_prompt(self) -> None:
        self.query_one("#prompt", TextArea).focus()
