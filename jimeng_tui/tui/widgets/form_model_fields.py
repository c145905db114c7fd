"""The part of the prompt form that follows the chosen model: each select offered the model's
values (keeping what is still offered), the rows it takes shown and the rest hidden, and its
options made once each (a widget stays, hidden, while another model is chosen, and keeps its
value). Says what no longer applies when the user picks another model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.containers import Vertical
from textual.widgets import Checkbox, Input, Select

from jimeng_tui.tui.widgets.form_fields import (
    START_DURATION,
    START_FPS,
    START_RATIO,
    FieldLabel,
    pick,
)
from jimeng_tui.tui.widgets.form_options import is_flag, offer_choices, option_widget
from jimeng_tui.tui.widgets.model_choice import (
    ModelEntry,
    mode_options,
    takes_first,
    takes_last,
    takes_references,
)

if TYPE_CHECKING:
    from jimeng_tui.domain.capabilities import ModelCaps


class ModelFields(Vertical):
    """The base of ``PromptForm``: its fields adapted to a model."""

    _option_memory: dict[str, Any]  # an option's value before its widget exists (defaults)

    def _select(self, name: str) -> Select[Any]:
        return self.query_one(f"#{name}", Select)

    def _input(self, name: str) -> Input:
        return self.query_one(f"#{name}", Input)

    def _offer(self, name: str, options: list[tuple[str, Any]], start: Any) -> Any:
        """Give select ``name`` these options, keeping its value if offered (else ``start``);
        returns the value it had when that is no longer offered, else None."""
        select = self._select(name)
        before = select.value
        values = tuple(v for _, v in options)
        if list(select._options) != options:
            select.set_options(options)
        select.value = pick(before, values, start)
        return before if before not in values and before != Select.NULL else None

    def _adapt_fields(
        self, model: ModelCaps, entry: ModelEntry, previous: ModelCaps | None
    ) -> list[str]:
        dropped: list[str] = []
        if entry.is_modes:
            self._offer("mode", mode_options(entry.models), model.id)
        self.query_one("#mode-row").set_class(not entry.is_modes, "-hidden")
        if model.resolutions:
            old = self._offer("resolution", [(r, r) for r in model.resolutions], "720p")
            if old:
                dropped.append(f"resolution now {self._select('resolution').value}")
        many = len(model.resolutions) > 1
        for widget_id in ("resolution-label", "resolution"):
            self.query_one(f"#{widget_id}").set_class(not many, "-hidden")
        old = self._offer("duration", [(f"{s} s", s) for s in model.durations], START_DURATION)
        if old:
            dropped.append(f"duration now {self._select('duration').value} s")
        old = self._offer("fps", [(str(f), f) for f in model.fps], START_FPS)
        if old:
            dropped.append(f"frame rate now {self._select('fps').value} fps")
        for widget_id in ("fps-label", "fps"):
            self.query_one(f"#{widget_id}").set_class(len(model.fps) <= 1, "-hidden")
        if model.ratios:
            old = self._offer("aspect_ratio", [(r, r) for r in model.ratios], START_RATIO)
            if old:
                dropped.append(f"ratio now {self._select('aspect_ratio').value}")
        refs = takes_references(model)
        self.query_one("#reference-row").set_class(not refs, "-hidden")
        if refs:
            most = model.max_reference_images
            field = self._input("reference_images")
            field.placeholder = f"up to {most} images, comma-separated"
        unused: list[str] = []
        if previous is not None:
            unused = self._unused_inputs(model)
            names = {o.name for o in model.options}
            unused.extend(
                o.label.lower()
                for o in previous.options
                if o.name not in names and self._option_given(o.name)
            )
        self._show_options(model)
        return ([f"not used: {', '.join(unused)}"] if unused else []) + dropped

    def _unused_inputs(self, model: ModelCaps) -> list[str]:
        given = [
            ("first frame", "first_image", takes_first(model)),
            ("last frame", "last_image", takes_last(model)),
            ("reference images", "reference_images", takes_references(model)),
        ]
        return [word for word, field, ok in given if not ok and self._input(field).value.strip()]

    def _option_given(self, name: str) -> bool:
        found = self.query(f"#{name}")
        if not found:
            return False
        widget = found.first()
        if isinstance(widget, Checkbox):
            return widget.value
        if isinstance(widget, Select):
            return widget.value != Select.NULL
        return isinstance(widget, Input) and bool(widget.value.strip())

    def _show_options(self, model: ModelCaps) -> None:
        """The model's options, each once: a widget made for an option stays (hidden while
        another model is chosen) and keeps its value."""
        rows = {True: self.query_one("#flag-options"), False: self.query_one("#choice-options")}
        places = {True: self.query_one("#flags"), False: rows[False]}
        wanted = {o.name for o in model.options}
        for widget in self.query(".opt"):
            widget.display = widget.id in wanted
        for option in model.options:
            found = self.query(f"#{option.name}")
            if found:
                offer_choices(found.first(), option)
                continue
            places[is_flag(option)].mount(
                option_widget(option, self._option_memory.get(option.name))
            )
        flags = any(is_flag(o) for o in model.options)
        choices = any(not is_flag(o) for o in model.options)
        rows[True].set_class(not flags, "-hidden")
        rows[False].set_class(not choices, "-hidden")
        # the flags' row has no label of its own when the choices' row is above it
        rows[True].query_one(".field-label", FieldLabel).update("" if choices else "Options")
