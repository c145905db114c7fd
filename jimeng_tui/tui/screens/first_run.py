"""First run: no credentials yet. Enter keys (saved 0600 by the app) or try the sandbox."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from jimeng_tui.services.jimeng.credentials_check import access_key_problem, secret_key_problem
from jimeng_tui.tui.focus_keys import FOCUS_KEYS
from jimeng_tui.tui.widgets.key_footer import KeyFooter


@dataclass(frozen=True)
class FirstRunResult:
    choice: str  # "save" | "sandbox" | "quit"
    access_key: str = ""
    secret_key: str = ""
    ark_api_key: str = ""

    def __repr__(self) -> str:  # never show the secret or the Ark key
        ark = "'***'" if self.ark_api_key else "''"
        return (
            f"FirstRunResult(choice={self.choice!r}, access_key={self.access_key!r}, "
            f"ark_api_key={ark})"
        )


INTRO = (
    "Jimeng 3.0 needs a Volcengine access key and secret key with Jimeng Video 3.0 enabled "
    "(console → Access Control → Access keys); the Seedance models need an Ark API key (Ark "
    "console → API Key Management). Enter either or both: they are stored only in your config "
    "file, readable by you alone. No keys yet? Try the built-in sandbox: it behaves like the "
    "service and makes sample videos, for free, on this machine."
)


# (access key, secret key) → the check's result (``ok``, ``message``): the app's, it does I/O.
Tester = Callable[[str, str], Awaitable[Any]]


def key_problem(access: str, secret: str) -> tuple[str, str] | None:
    """(field id, sentence) for the first key whose shape is wrong, or None."""
    problem = access_key_problem(access, secret)
    if problem:
        return "#fr-access", sentence(problem)
    problem = secret_key_problem(secret, access)
    if problem:
        return "#fr-secret", sentence(problem)
    return None


def ark_key_problem(key: str) -> str | None:
    """What is wrong with an Ark API key's shape (its format is not published), or None."""
    if any(c.isspace() for c in key):
        return "the Ark API key has a space or line break in it: paste it again"
    if len(key) < 16:
        return "the Ark API key looks too short: copy the whole key from the Ark console"
    return None


def sentence(problem: str) -> str:
    """Each problem names the key it is about: shown as a sentence of its own."""
    return f"⚠ {problem[:1].upper()}{problem[1:]}."


class FirstRunScreen(ModalScreen[FirstRunResult]):
    DEFAULT_CSS = """
    #fr-test-result { height: auto; color: $text-muted; display: none; }
    #fr-test-result.-shown { display: block; }
    #fr-test-result.-ok { color: $success; }
    #fr-test-result.-bad { color: $error; }
    """
    BINDINGS = [
        Binding("escape", "quit_app", "Quit", id="first_run.quit"),
        Binding("f6", "test_connection", "Test connection", id="first_run.test"),
        Binding("f1", "app.help", "Help", show=False, id="first_run.help"),  # (modal)
        Binding("enter", "enter_key", show=False, priority=True, id="first_run.enter"),
        *FOCUS_KEYS,
    ]

    def __init__(self, config_path: str = "", *, tester: Tester | None = None) -> None:
        super().__init__()
        self.config_path = config_path
        self.tester = tester

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
            with Horizontal(classes="row"):
                yield Label("Ark API key", classes="field-label wide")
                yield Input(
                    placeholder="for the Seedance models",
                    id="fr-ark",
                    password=True,
                    compact=True,
                )
            yield Static("", id="fr-error", classes="field-error")
            yield Static("", id="fr-test-result")
            if self.config_path:
                yield Static(f"Saved to {self.config_path} (mode 0600)", classes="note -shown")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save and start", id="fr-save", variant="primary", compact=True)
                if self.tester is not None:
                    yield Button("Test keys", id="fr-test", compact=True)
                yield Button("Try the sandbox", id="fr-sandbox", compact=True)
                yield Button("Quit", id="fr-quit", compact=True)
        yield KeyFooter()  # this dialog's keys, not the screen's behind it

    def on_mount(self) -> None:
        self.query_one("#fr-access", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.tester is not None if action == "test_connection" else True

    def _show_error(self, field: str, text: str, *, focus: bool = True) -> None:
        error = self.query_one("#fr-error", Static)
        error.update(text)
        error.set_class(bool(text), "-shown")
        if text and focus:
            self.query_one(field, Input).focus()

    def _keys(self) -> tuple[str, str]:
        access = self.query_one("#fr-access", Input).value.strip()
        secret = self.query_one("#fr-secret", Input).value.strip()
        return access, secret

    def action_enter_key(self) -> None:
        """Enter, as a priority binding: handled in order with the keys typed after it, so a
        password manager's KEY⏎SECRET puts the secret in the masked field, never in plain
        sight in the access key's (a plain Input.Submitted came after the burst)."""
        focused = self.focused
        if isinstance(focused, Input) and focused.id == "fr-access":
            self._next()
        elif isinstance(focused, Input) and focused.id in ("fr-secret", "fr-ark"):
            self._save()
        elif isinstance(focused, Button):
            focused.press()

    def _next(self) -> None:
        # On to the masked field in any case, now (focus() would wait a turn). The access
        # field may not have taken every key typed before this Enter yet: it is checked when
        # they arrive (_late_keys) and again on Save.
        self.set_focus(self.query_one("#fr-secret", Input))
        self._check_access(self._keys()[0])

    def _check_access(self, access: str) -> None:
        problem = access_key_problem(access, self._keys()[1]) if access.strip() else None
        self._show_error("#fr-access", sentence(problem) if problem else "", focus=False)

    @on(Input.Changed, "#fr-access")
    def _late_keys(self, event: Input.Changed) -> None:
        # Keys typed before the Enter that moved on can land after it: check what arrived.
        if self.focused is not event.input:  # (has_focus lags behind the keys)
            self._check_access(event.value)

    def _checked_keys(self, *, pair_needed: bool = True) -> tuple[str, str] | None:
        access, secret = self._keys()
        if not pair_needed and not access and not secret:
            return "", ""
        if not access or not secret:
            missing = "access key," if not access else "secret key,"
            if not access and not secret:
                missing = "access key and secret key, or an Ark API key,"
            self._show_error(
                "#fr-access" if not access else "#fr-secret",
                f"⚠ Enter the {missing} or try the sandbox.",
            )
            return None
        problem = key_problem(access, secret)
        if problem:
            self._show_error(*problem)
            return None
        self._show_error("#fr-access", "")
        return access, secret

    @on(Button.Pressed, "#fr-save")
    def _save(self) -> None:
        ark = self.query_one("#fr-ark", Input).value.strip()
        keys = self._checked_keys(pair_needed=not ark)
        if keys is None:
            return
        problem = ark_key_problem(ark) if ark else None
        if problem:
            self._show_error("#fr-ark", sentence(problem))
            return
        self.dismiss(FirstRunResult("save", *keys, ark_api_key=ark))

    @on(Button.Pressed, "#fr-test")
    def action_test_connection(self) -> None:
        if not any(self._keys()) and self.query_one("#fr-ark", Input).value.strip():
            self._show_error(
                "#fr-access",
                "Test keys checks the Jimeng 3.0 keys only; the Ark API key is not tested here.",
                focus=False,
            )
            return
        keys = self._checked_keys()
        if keys is None or self.tester is None:
            return
        result = self.query_one("#fr-test-result", Static)
        result.set_classes("-shown")
        result.update("Testing the keys with one status query (nothing is created)…")
        self.run_worker(self._test(*keys), group="fr-test", exclusive=True, exit_on_error=False)

    async def _test(self, access: str, secret: str) -> None:
        assert self.tester is not None
        check = await self.tester(access, secret)
        result = self.query_one("#fr-test-result", Static)
        result.update(("✓ " if check.ok else "✗ ") + check.message[:1].upper() + check.message[1:])
        result.set_classes("-shown -ok" if check.ok else "-shown -bad")

    @on(Button.Pressed, "#fr-sandbox")
    def _sandbox(self) -> None:
        self.dismiss(FirstRunResult("sandbox"))

    @on(Button.Pressed, "#fr-quit")
    def action_quit_app(self) -> None:
        self.dismiss(FirstRunResult("quit"))
