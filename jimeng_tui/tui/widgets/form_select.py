"""The form's drop-downs: Textual's ``Select`` drawn as one widget.

Textual's compact ``Select`` is six widgets (the select, a row holding the value's label and
two arrows, and the option list that pops up), each styled and laid out on the first screen;
the form has six of them and more for a model's options, which made them about half of the
form's widgets. ``FormSelect`` draws the value and its arrow itself and mounts the option list
the first time it is opened. It is a ``Select`` (the same value, options, ``Changed`` message
and keys: Enter, Space or an arrow opens it, the arrows move, Enter picks, typing jumps to the
option that starts with what was typed, Escape closes), so the form's code is unchanged.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.content import Content
from textual.widgets import Select
from textual.widgets._option_list import Option
from textual.widgets._select import NoSelection, SelectOverlay

ARROW_DOWN = "▼"
ARROW_UP = "▲"


class FormSelect(Select[Any]):
    """A ``Select`` that is one line until it is opened (see the module's docstring)."""

    COMPONENT_CLASSES = {"form-select--arrow", "form-select--placeholder"}

    DEFAULT_CSS = """
    FormSelect {
        height: 1;
        background: $surface;
        color: $foreground;
        pointer: pointer;
        & > .form-select--arrow { color: $foreground 50%; }
        & > .form-select--placeholder { color: $foreground 50%; }
        &:focus { background-tint: $foreground 5%; }
        & > SelectOverlay { offset-y: 1; }  /* under the value, not over it */
    }
    """

    # Textual's Select says Changed for the value it starts with (its children exist by then);
    # nothing changed, and the form adapts itself once its rows are mounted.
    _announce = False

    def render(self) -> Content:
        value = self.value
        if isinstance(value, NoSelection):
            label = Content.styled(self.prompt, self.get_visual_style("form-select--placeholder"))
        else:
            label = next(
                (
                    Content.from_rich_text(p)
                    if isinstance(p, Text)
                    else Content.from_markup(str(p))
                    for p, v in self._options
                    if v == value
                ),
                Content(""),
            )
        width = max(self.content_region.width - 3, 1)  # then " ▼ "
        arrow = Content.styled(
            ARROW_UP if self.expanded else ARROW_DOWN, self.get_visual_style("form-select--arrow")
        )
        return label.truncate(width, ellipsis=True, pad=True) + " " + arrow + " "

    def _overlay(self) -> SelectOverlay | None:
        for child in self._nodes:
            if isinstance(child, SelectOverlay):
                return child
        return None

    # ------------------------------------------------ Select's parts, without its children
    def compose(self) -> Any:
        return iter(())

    def _setup_options_renderables(self) -> None:
        overlay = self._overlay()
        if overlay is None:
            return
        overlay.clear_options()
        overlay.add_options(
            [
                Option(Text(self.prompt, style="dim")) if value == self.NULL else Option(prompt)
                for prompt, value in self._options
            ]
        )
        self._highlight_value(overlay)

    def _highlight_value(self, overlay: SelectOverlay) -> None:
        for index, (_, value) in enumerate(self._options):
            if value == self.value:
                overlay.highlighted = index
                return

    def _init_selected_option(self, hint: Any = Select.NULL) -> None:
        super()._init_selected_option(hint)
        self._announce = True  # the first call is Select's on mount; set_options' after it

    def _watch_value(self, value: Any) -> None:
        self._value = value
        overlay = self._overlay()
        if overlay is not None and value != self.NULL:
            self._highlight_value(overlay)
        self.refresh()
        if self._announce:
            self.post_message(self.Changed(self, value))

    def _watch_prompt(self, prompt: str) -> None:
        self.refresh()

    def _watch_expanded(self, expanded: bool) -> None:
        overlay = self._overlay()
        if overlay is None:
            return
        self.set_class(expanded, "-expanded")
        self.refresh()
        if expanded:
            overlay.focus(scroll_visible=False)
            if self.value is self.NULL:
                overlay.select(None)
            else:
                for index, (_, value) in enumerate(self._options):
                    if value == self.value:
                        overlay.select(index)
                        break

    def action_show_overlay(self) -> None:
        if self._overlay() is None:  # the first time: the option list is made now
            self.call_next(self._mount_overlay)
        else:
            self._expand()

    async def _mount_overlay(self) -> None:
        if self._overlay() is None:
            overlay = SelectOverlay(type_to_search=self._type_to_search)
            overlay.compact = self.compact
            await self.mount(overlay)
            self._setup_options_renderables()
        self._expand()

    def _expand(self) -> None:
        overlay = self._overlay()
        if overlay is None or not self.is_attached:
            return
        self.expanded = True
        if overlay.highlighted is None:
            overlay.action_first()

    async def _on_click(self, event: events.Click) -> None:
        if event.widget is not self:  # a click in the open list is the list's
            return
        event.stop()
        if self.expanded:
            self.expanded = False
        else:
            self.action_show_overlay()
