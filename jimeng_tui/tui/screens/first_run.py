"""First run: no credentials yet. Enter keys (saved 0600 by the app) or try the sandbox."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from jimeng_tui.tui.focus_keys import FOCUS_KEYS
from jimeng_tui.tui.widgets.key_footer import KeyFooter


@dataclass(frozen=True)
class FirstRunResult:
    choice: str  # "save" | "sandbox" | "quit"
    access_key: str = ""
    secret_key: str = ""

    def __repr__(self) -> str:  # never show the secret
        return f"FirstRunResult(choice={self.choice!r}, access_key={self.access_key!r})"


INTRO = (
    "jimeng-tui needs a Volcengine access key and secret key with Jimeng Video 3.0 enabled "
    "(console → Access Control → Access keys). They are stored only in your config file, "
    "readable by you alone. No keys yet? Try the built-in sandbox: it behaves like the service "
    "and makes sample videos, for free, on this machine."
)


class FirstRunScreen(ModalScreen[FirstRunResult]):
    BINDINGS = [
        Binding("escape", "quit_app", "Quit", id="first_run.quit"),
        *FOCUS_KEYS,
    ]

    def __init__(self, config_path: str = "") -> None:
        super().__init__()
        self.config_path = config_path

    def compose(self) -> ComposeResult:
        with Vertical(id="first-run", classes="dialog") as box:
            box.border_title = "Welcome to jimeng-tui"
            yield Static(INTRO, id="first-run-intro")
            with Horizontal(classes="row"):
                yield Label("Access key", classes="field-label wide")
                yield Input(placeholder="AKLT…", id="fr-access", compact=True)
            with Horizontal(classes="row"):
                yield Label("Secret key", classes="field-label wide")
                yield Input(placeholder="secret", id="fr-secret", password=True, compact=True)
            yield Static("", id="fr-error", classes="field-error")
            if self.config_path:
                yield Static(f"Saved to {self.config_path} (mode 0600)", classes="note -shown")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save and start", id="fr-save", variant="primary", compact=True)
                yield Button("Try the sandbox instead", id="fr-sandbox", compact=True)
                yield Button("Quit", id="fr-quit", compact=True)
        yield KeyFooter()  # this dialog's keys, not the screen's behind it

    def on_mount(self) -> None:
        self.query_one("#fr-access", Input).focus()

    @on(Input.Submitted, "#fr-access")
    def _next(self) -> None:
        if not self.query_one("#fr-access", Input).value.strip():
            self._save()
            return
        self.query_one("#fr-secret", Input).focus()

    @on(Input.Submitted, "#fr-secret")
    @on(Button.Pressed, "#fr-save")
    def _save(self) -> None:
        access = self.query_one("#fr-access", Input).value.strip()
        secret = self.query_one("#fr-secret", Input).value.strip()
        error = self.query_one("#fr-error", Static)
        if not access or not secret:
            missing = "access key" if not access else "secret key"
            error.update(f"⚠ Enter the {missing}, or try the sandbox.")
            error.add_class("-shown")
            self.query_one("#fr-access" if not access else "#fr-secret", Input).focus()
            return
        self.dismiss(FirstRunResult("save", access, secret))

    @on(Button.Pressed, "#fr-sandbox")
    def _sandbox(self) -> None:
        self.dismiss(FirstRunResult("sandbox"))

    @on(Button.Pressed, "#fr-quit")
    def action_quit_app(self) -> None:
        self.dismiss(FirstRunResult("quit"))
