"""Help (F1 or ?): the keys of the screen it was opened from, the modes and what each costs in
time, and where files go. Everything shown is handed in (``HelpContent``): no I/O here."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from jimeng_tui.domain.capabilities import InputKind, ModelCaps
from jimeng_tui.services import registry
from jimeng_tui.services.jimeng import catalog
from jimeng_tui.tui.model_names import short_model_name
from jimeng_tui.tui.widgets.key_footer import KeyFooter

FUNCTION_KEY = re.compile(r"f\d{1,2}")
KeyRow = tuple[str, str, str]  # keys as shown, what the key does, a longer note
# Textual's own bindings worth listing (the rest of Textual's are cursor keys of its widgets).
TEXTUAL_ACTIONS = {"command_palette": "Every action", "quit": "Quit"}


def _own_actions(node: DOMNode) -> set[str]:
    """Actions bound by jimeng-tui's classes in ``node``'s ancestry (not by Textual's)."""
    actions: set[str] = set()
    for cls in type(node).__mro__:
        if cls.__module__.startswith("jimeng_tui"):
            actions.update(b.action for b in cls.__dict__.get("BINDINGS", ()) if b.action)
    return actions


def _key_text(app: App[Any], binding: Binding, keys: Iterable[str]) -> str:
    shown = (app.get_key_display(replace(binding, key=key)) for key in keys)
    return " / ".join(text.upper() if FUNCTION_KEY.fullmatch(text) else text for text in shown)


def screen_keys(app: App[Any], screen: Screen[Any]) -> list[KeyRow]:
    """The keys active on ``screen`` right now (remapped keys as remapped), one row per action."""
    rows: dict[tuple[int, str], tuple[Binding, list[str]]] = {}
    own: dict[int, set[str]] = {}
    for node, binding, _enabled, _tooltip in screen.active_bindings.values():
        mine = own.setdefault(id(node), _own_actions(node))
        if binding.action not in mine and binding.action not in TEXTUAL_ACTIONS:
            continue
        if not (binding.description or binding.tooltip):
            continue
        slot = rows.setdefault((id(node), binding.action), (binding, []))
        slot[1].append(binding.key)
    return [
        (
            _key_text(app, binding, keys),
            TEXTUAL_ACTIONS.get(binding.action) or binding.description,
            binding.tooltip,
        )
        for binding, keys in rows.values()
    ]


def class_keys(
    app: App[Any], bindings: Iterable[Binding | tuple[str, ...]], keymap: Mapping[str, str]
) -> list[KeyRow]:
    """Rows for a widget's BINDINGS that are not active now (the job list when the form has
    the focus), with the user's remapped keys."""
    rows = []
    for entry in bindings:
        binding = entry if isinstance(entry, Binding) else Binding(entry[0], entry[1])
        keys = keymap.get(binding.id or "", binding.key) if binding.id else binding.key
        split = [key.strip() for key in keys.split(",") if key.strip()]
        rows.append((_key_text(app, binding, split), binding.description, binding.tooltip))
    return rows


def duration_rows() -> list[tuple[str, str]]:
    """How each offered length is made: the native render it costs, and what is done here."""
    rows = []
    for seconds in catalog.DURATIONS:
        native = catalog.native_seconds(catalog.native_frames_for(seconds))
        if native == seconds:
            rows.append((f"{seconds} s", f"rendered as {native} s: the service's own length"))
        else:
            how = f"rendered as {native} s (waits as long as {native} s), trimmed here"
            rows.append((f"{seconds} s", how))
    return rows


def fmt_wait(seconds: float | None) -> str:
    if seconds is None:
        return "no run yet"
    minutes, secs = divmod(round(seconds), 60)
    return f"typically {minutes}:{secs:02d}"


@dataclass
class HelpContent:
    title: str  # the screen the help is about
    keys: list[KeyRow]
    more_keys: dict[str, list[KeyRow]] = field(default_factory=dict)  # heading → rows
    typical: dict[str, float | None] = field(default_factory=dict)  # mode → seconds
    locations: dict[str, str] = field(default_factory=dict)  # as `jimeng-tui locate` prints


def _key_table(rows: list[KeyRow]) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
    table.add_column("key", style="bold", no_wrap=True, width=12)
    table.add_column("does", no_wrap=True, width=16)
    table.add_column("note", style="dim", ratio=1)
    for keys, does, note in rows:
        table.add_row(keys, does, note if note and note != does else "")
    return table


INPUT_WORDS = {
    InputKind.TEXT: "text",
    InputKind.FIRST_FRAME: "first frame",
    InputKind.FIRST_LAST: "first+last",
    InputKind.REFERENCE_IMAGES: "ref. images",
    InputKind.REFERENCE_VIDEO: "ref. video",
    InputKind.REFERENCE_AUDIO: "ref. sound",
}


def model_inputs(model: ModelCaps) -> str:
    """What goes in, as the registry says: ``text, first frame; sound``."""
    words = [INPUT_WORDS.get(kind, str(kind)) for kind in InputKind if kind in model.inputs]
    text = ", ".join(words)
    if any(o.name == "generate_audio" for o in model.options):
        text += "; sound"
    return text


def model_lengths(model: ModelCaps) -> str:
    seconds = sorted(model.durations)
    if len(seconds) > 3 and seconds == list(range(seconds[0], seconds[-1] + 1)):
        return f"{seconds[0]}–{seconds[-1]} s"
    return ", ".join(str(n) for n in seconds) + " s"


def _modes_table(typical: Mapping[str, float | None]) -> Table:
    """Every model of every registered service (Jimeng 3.0's modes, Seedance's models), read
    from the registry: what goes in, the lengths offered, the typical wait here."""
    table = Table(box=None, show_header=True, padding=(0, 1))
    table.add_column("model", style="bold", no_wrap=True, min_width=12)
    table.add_column("what goes in")
    table.add_column("lengths", no_wrap=True)
    table.add_column("typical wait", no_wrap=True)
    for caps in registry.all_capabilities():
        table.add_row(Text(caps.label, style="bold underline"), "", "", "")
        for model in caps.models:
            name = short_model_name(model.id)
            if model.retired:
                name += " (retiring)"
            wait = fmt_wait(typical.get(model.id)).removeprefix("typically ")
            table.add_row(name, model_inputs(model), model_lengths(model), wait)
    return table


def _lengths_text() -> Text:
    text = Text()
    for seconds, how in duration_rows():
        text.append(f" {seconds:<12} ", style="bold")
        text.append(how + "\n")
    text.append(
        f" Frame rates: the service renders {catalog.NATIVE_FPS} fps; "
        f"{', '.join(str(f) for f in catalog.FPS_CHOICES if f != catalog.NATIVE_FPS)} fps "
        f"are converted here. The service's own file is kept as NAME.source.mp4.",
        style="dim",
    )
    return text


def _locations_table(locations: Mapping[str, str]) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
    table.add_column("what", style="bold", no_wrap=True, min_width=12)
    table.add_column("where", overflow="fold", ratio=1)
    for name, where in locations.items():
        table.add_row(name, where)
    return table


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    #help {
        width: 96%;
        max-width: 120;
        height: 92%;
        border: round $primary;
        border-title-color: $text;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    #help-body { height: 1fr; scrollbar-size-vertical: 1; }
    #help .help-heading { text-style: bold; color: $accent; margin-top: 1; }
    #help .help-heading.-first { margin-top: 0; }
    """
    BINDINGS = [
        Binding("escape,f1,q", "close", "Close", id="help.close"),
        Binding("question_mark", "close", "Close", show=False, id="help.close_question"),
    ]

    def __init__(self, content: HelpContent) -> None:
        super().__init__()
        self.content = content

    def compose(self) -> ComposeResult:
        content = self.content
        with Vertical(id="help") as box:
            box.border_title = f"Help · {content.title}"
            with VerticalScroll(id="help-body"):
                yield Static("Keys on this screen", classes="help-heading -first")
                yield Static(_key_table(content.keys), id="help-keys")
                for heading, rows in content.more_keys.items():
                    yield Static(heading, classes="help-heading")
                    yield Static(_key_table(rows))
                yield Static("Models and modes", classes="help-heading")
                yield Static(_modes_table(content.typical), id="help-modes")
                yield Static("Jimeng 3.0 lengths: what you wait for", classes="help-heading")
                yield Static(_lengths_text(), id="help-lengths")
                if content.locations:
                    yield Static(
                        "Where files go (jimeng-tui locate prints these)", classes="help-heading"
                    )
                    yield Static(_locations_table(content.locations), id="help-paths")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
