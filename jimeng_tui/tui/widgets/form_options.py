"""A model's ``Option``s rendered generically: a yes/no option is a checkbox, one with choices a
drop-down, a free value an input. The widget's id is the option's name, so a validation error
about the option lands on it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select

from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.tui.widgets.form_select import FormSelect

if TYPE_CHECKING:
    from jimeng_tui.domain.capabilities import Option
    from jimeng_tui.domain.request import OptionValue


class FlagBox(Checkbox):
    """A checkbox that shows ✓ when on and nothing when off (Textual's shows an X either way,
    told apart only by its colour: too faint on many terminals)."""

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "✓" if self.value else " "
        return super()._button


def is_flag(option: Option) -> bool:
    return option.kind is bool


def choice_label(value: str | int) -> str:
    return str(value).replace("_", " ")


def option_widget(option: Option, value: OptionValue | None) -> Widget:
    """A new widget for ``option`` showing ``value`` (or the option's default)."""
    if value is None:
        value = option.default
    if is_flag(option):
        return FlagBox(option.label, bool(value), id=option.name, compact=True, classes="opt")
    if option.choices:
        return FormSelect(
            [(choice_label(c), c) for c in option.choices],
            id=option.name,
            prompt=option.label,
            value=value if value in option.choices else Select.NULL,
            allow_blank=option.default is None,
            compact=True,
            classes="opt",
            tooltip=option.label,
        )
    return Input(
        "" if value is None else str(value),
        placeholder=option.label,
        id=option.name,
        type="integer" if option.kind is int else "text",
        compact=True,
        classes="opt",
        tooltip=option.label,
    )


def offer_choices(widget: Widget, option: Option) -> None:
    """Another service's option of the same name may offer other choices."""
    if isinstance(widget, Select) and option.choices:
        wanted = [(choice_label(c), c) for c in option.choices]
        if list(widget._options[1:] if widget._allow_blank else widget._options) != wanted:
            value = widget.value
            widget.set_options(wanted)
            if value in option.choices:
                widget.value = value


def option_value(widget: Widget, option: Option) -> OptionValue | None:
    """What the widget holds (None: not given, the model's default applies)."""
    if isinstance(widget, Checkbox):
        return widget.value
    if isinstance(widget, Select):
        value = widget.value
        return value if isinstance(value, (str, int)) and value in option.choices else None
    if isinstance(widget, Input):
        text = widget.value.strip()
        if not text:
            return None
        if option.kind is int:
            try:
                return int(text)
            except ValueError:
                raise ValidationError(option.name, f"{text!r} is not a whole number") from None
        return text
    return None


def set_option(widget: Widget, value: Any) -> None:
    if isinstance(widget, Checkbox):
        widget.value = bool(value)
    elif isinstance(widget, Select):
        widget.value = value if value is not None else Select.NULL
    elif isinstance(widget, Input):
        widget.value = "" if value is None else str(value)
