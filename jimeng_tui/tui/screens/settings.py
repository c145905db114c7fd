"""Settings: credentials, defaults, output files and network values.

The screen edits a copy of the effective config and returns it; the app saves it through
``store.config.save_config``. The secret key is never put back on screen: the field stays blank
(leave it blank to keep the saved one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from jimeng_tui.services.jimeng import catalog
from jimeng_tui.services.jimeng.capabilities import JIMENG_CAPS
from jimeng_tui.services.jimeng.credentials_check import access_key_problem, secret_key_problem
from jimeng_tui.session.config import validate_setting
from jimeng_tui.store.config import ConfigError
from jimeng_tui.store.config_schema import SETTINGS
from jimeng_tui.tui.focus_keys import FOCUS_KEYS
from jimeng_tui.tui.screens.first_run import ark_key_problem
from jimeng_tui.tui.screens.settings_notify import NOTIFY_LABELS, NOTIFY_NOTE, notify_fields
from jimeng_tui.tui.widgets.key_footer import KeyFooter
from jimeng_tui.tui.widgets.model_choice import mode_options


def _placeholder(setting: str) -> str:
    """The setting's default, as the field shows it when empty ("300", not "300.0")."""
    default = SETTINGS[setting].default
    return f"{default:g}" if isinstance(default, float) else str(default)


# (setting, label, placeholder: its default from the config schema)
TEXT_FIELDS = tuple(
    (setting, label, _placeholder(setting))
    for setting, label in (
        ("credentials.access_key", "Access key"),
        ("defaults.output_dir", "Output folder"),
        ("defaults.filename_template", "File name"),
        ("network.api_url", "API URL"),
        ("network.timeout", "Timeout (s)"),
        ("network.poll_interval", "Poll every (s)"),
        ("network.max_poll_attempts", "Max polls"),
        ("network.max_concurrency", "Max running"),
        ("network.retries", "Retries"),
    )
)
# the typed fields read as numbers before their rule checks them (the schema's type)
NUMBER_FIELDS: dict[str, type] = {
    setting: SETTINGS[setting].type
    for setting, _label, _placeholder in TEXT_FIELDS
    if SETTINGS[setting].type in (int, float)
}
SELECT_FIELDS: dict[str, list[tuple[str, Any]]] = {
    "defaults.mode": mode_options(JIMENG_CAPS.models),
    "defaults.duration": [(f"{d} s", d) for d in catalog.DURATIONS],
    "defaults.fps": [(str(f), f) for f in catalog.FPS_CHOICES],
    "defaults.aspect_ratio": [(r, r) for r in catalog.ASPECT_RATIOS],
    "defaults.camera_template": [("(none)", "")]
    + [(t.replace("_", " "), t) for t in catalog.CAMERA_TEMPLATES],
    "defaults.camera_strength": [(s, s) for s in catalog.CAMERA_STRENGTHS],
}
# Not a default of the form: how the studio behaves (its own section on screen).
BEHAVIOUR_FIELDS: dict[str, list[tuple[str, Any]]] = {
    "defaults.confirm_paid": [
        ("ask before sending (recommended)", True),
        ("send at once", False),
    ],
}
SELECT_LABELS = {
    "defaults.confirm_paid": "Re-run, retry",
    "defaults.mode": "Mode",
    "defaults.duration": "Duration",
    "defaults.fps": "FPS",
    "defaults.aspect_ratio": "Ratio",
    "defaults.camera_template": "Camera move",
    "defaults.camera_strength": "Strength",
    **NOTIFY_LABELS,
}


def _wid(setting: str) -> str:
    return "set-" + setting.replace(".", "-")


@dataclass
class SettingsResult:
    config: Any  # store.config.Config (edited copy of the effective config)
    new_secret: str | None  # None → keep the saved secret
    new_ark_key: str | None = None  # None → keep the saved Ark API key


def check_setting(setting: str, value: Any) -> tuple[Any, str | None]:
    """(clean value, None) or (value, error sentence) using the config store's own rules."""
    try:
        return validate_setting(setting, value), None
    except ConfigError as exc:
        return value, str(exc)


class SettingsScreen(ModalScreen[SettingsResult | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="settings.cancel"),
        Binding("f10", "save", "Save", id="settings.save"),
        Binding("f1", "app.help", "Help", show=False, id="settings.help"),  # (modal)
        *FOCUS_KEYS,
    ]

    def __init__(
        self,
        config: Any,
        *,
        env_overrides: dict[str, str] | None = None,
        config_path: str = "",
        videos_dir: str = "",
        masked_key: str = "",
        sandbox: bool = False,
    ) -> None:
        super().__init__()
        self.sandbox = sandbox
        self.config = config.copy()
        self.env_overrides = env_overrides or {}
        self.config_path = config_path
        self.videos_dir = videos_dir
        self.masked_key = masked_key
        self.notify_fields = notify_fields(self.config)

    def _value(self, setting: str) -> Any:
        section, key = setting.split(".")
        return getattr(getattr(self.config, section), key)

    def _row_input(self, setting: str, label: str, placeholder: str) -> ComposeResult:
        env = self.env_overrides.get(setting)
        value = self._value(setting)
        with Horizontal(classes="row"):
            yield Label(label, classes="field-label wide")
            yield Input(
                "" if value is None else str(value),
                placeholder=placeholder,
                id=_wid(setting),
                compact=True,
                disabled=bool(env),
                tooltip=f"set by the environment variable {env}" if env else None,
            )
        if env:
            yield Static(f"from ${env} (unset it to edit here)", classes="note -shown")
        yield Static("", id=_wid(setting) + "-err", classes="field-error")

    def _row_select(self, setting: str, options: list[tuple[str, Any]]) -> ComposeResult:
        value = self._value(setting)
        values = [v for _, v in options]
        with Horizontal(classes="row"):
            yield Label(SELECT_LABELS[setting], classes="field-label wide")
            yield Select(
                options,
                id=_wid(setting),
                value=value if value in values else values[0],
                allow_blank=False,
                compact=True,
            )

    def _row_secret(self, setting: str, label: str, masked: str) -> ComposeResult:
        """A key never put back on screen: blank, masked, leave blank to keep the saved one."""
        env = self.env_overrides.get(setting)
        with Horizontal(classes="row"):
            yield Label(label, classes="field-label wide")
            yield Input(
                "",
                placeholder=f"saved ({masked}) — leave blank to keep" if masked else "not set",
                password=True,
                id=_wid(setting),
                compact=True,
                disabled=bool(env),
            )
        if env:
            yield Static(f"from ${env}", classes="note -shown")
        yield Static("", id=_wid(setting) + "-err", classes="field-error")

    def _new_secret(self, setting: str, problem_of: Any) -> tuple[str | None, bool]:
        """(the key typed, or None to keep the saved one; whether it is fine)."""
        field = self.query_one(f"#{_wid(setting)}", Input)
        value = field.value.strip()
        problem = problem_of(value) if value else None
        error = self.query_one(f"#{_wid(setting)}-err", Static)
        error.update(f"⚠ {problem}" if problem else "")
        error.set_class(bool(problem), "-shown")
        if problem:
            field.focus()
        return value or None, not problem

    def compose(self) -> ComposeResult:
        with Vertical(id="settings", classes="dialog") as box:
            box.border_title = "Settings"
            box.border_subtitle = self.config_path
            with VerticalScroll(id="settings-body"):
                if self.sandbox:
                    yield Static(
                        "You are in the sandbox. These settings are for the live service "
                        "(the sandbox uses its own keys and address).",
                        classes="note -shown sandbox-note",
                    )
                yield Static("Credentials", classes="section-title")
                yield from self._row_input("credentials.access_key", "Access key", "AKLT…")
                yield from self._row_secret(
                    "credentials.secret_key",
                    "Secret key",
                    self.masked_key if self.config.credentials.secret_key else "",
                )
                yield from self._row_secret(
                    "credentials.ark_api_key",
                    "Ark API key",
                    self.config.credentials.masked_ark_api_key(),
                )
                yield Static(
                    "Jimeng 3.0 takes the access key and secret key; the Seedance models "
                    "take an Ark API key (Ark console → API Key Management). Either or both.",
                    classes="note -shown",
                )

                yield Static("New prompts start with", classes="section-title")
                for setting, options in SELECT_FIELDS.items():
                    yield from self._row_select(setting, options)

                yield Static("Paid actions", classes="section-title")
                for setting, options in BEHAVIOUR_FIELDS.items():
                    yield from self._row_select(setting, options)
                yield Static(
                    "r (re-run) and t (retry) in the job list and r in History start a new, "
                    "billed generation.",
                    classes="note -shown",
                )

                yield Static("When a job ends", classes="section-title")
                for setting, options in self.notify_fields.items():
                    yield from self._row_select(setting, options)
                yield Static(NOTIFY_NOTE, classes="note -shown")

                yield Static("Files", classes="section-title")
                yield from self._row_input(
                    "defaults.output_dir", "Output folder", self.videos_dir or "default"
                )
                yield from self._row_input(
                    "defaults.filename_template", "File name", "{date}_{slug}_{task_id}"
                )
                yield Static(
                    "Placeholders: {date} {time} {slug} {task_id} {mode} {job_id} {seed}",
                    classes="note -shown",
                )

                yield Static("Network", classes="section-title")
                for setting, label, placeholder in TEXT_FIELDS[3:]:
                    yield from self._row_input(setting, label, placeholder)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="settings-save", variant="primary", compact=True)
                yield Button("Cancel", id="settings-cancel", compact=True)
        yield KeyFooter()  # this dialog's keys, not the screen's behind it

    def on_mount(self) -> None:
        first = self.query(Input).first()
        if not first.disabled:
            first.focus()

    @on(Button.Pressed, "#settings-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#settings-save")
    def action_save(self) -> None:
        edited = self.config.copy()
        errors = 0
        for setting, _label, _placeholder in TEXT_FIELDS:
            if setting in self.env_overrides:
                continue
            widget = self.query_one(f"#{_wid(setting)}", Input)
            raw: Any = widget.value.strip()
            error_box = self.query_one(f"#{_wid(setting)}-err", Static)
            error = None
            if setting in NUMBER_FIELDS:
                try:
                    raw = NUMBER_FIELDS[setting](raw)
                except ValueError:
                    error = "must be a number" + (
                        " (a whole one)" if NUMBER_FIELDS[setting] is int else ""
                    )
            if error is None:
                raw, error = check_setting(setting, raw)
            if error is None and setting == "credentials.access_key" and raw:
                error = access_key_problem(raw)
            error_box.update(f"⚠ {error}" if error else "")
            error_box.set_class(bool(error), "-shown")
            widget.set_class(bool(error), "-invalid")
            if error:
                errors += 1
                if errors == 1:
                    widget.focus()
                continue
            section, key = setting.split(".")
            setattr(getattr(edited, section), key, raw)
        for setting in (*SELECT_FIELDS, *BEHAVIOUR_FIELDS, *self.notify_fields):
            section, key = setting.split(".")
            value = self.query_one(f"#{_wid(setting)}", Select).value
            setattr(getattr(edited, section), key, value)
        if errors:
            self.notify(f"{errors} setting{'s' if errors > 1 else ''} to fix", severity="warning")
            return
        access = edited.credentials.access_key
        secret, secret_ok = self._new_secret(
            "credentials.secret_key", lambda value: secret_key_problem(value, access)
        )
        if not secret_ok:
            return
        ark_key, ark_ok = self._new_secret("credentials.ark_api_key", ark_key_problem)
        if not ark_ok:
            return
        self.dismiss(SettingsResult(edited, secret, ark_key))
