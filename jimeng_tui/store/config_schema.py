"""The schema of ``config.toml``: every setting declared once, as a field of its section.

A field made by :func:`setting` holds all there is to know about one setting: its type (the
annotation), its default, its rule (``store.config_rules``: the clean value or ``BadValue``),
whether it is secret (never shown in a message, a warning or a repr), the environment variables
that override it, and what it is for. The loader, the checks, the saver and the settings screen
read the tables made from these fields at the end of this module (``SCHEMA``, ``RULES``…), so a
new setting is one line here.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, get_type_hints

from jimeng_tui.store.config_rules import (
    DEFAULT_API_URL,
    DEFAULT_ARK_URL,
    MAX_CONCURRENCY_LIMIT,
    MAX_RETRIES,
    NOTIFY_METHODS,
    BadValue,
    ConfigError,
    boolean,
    file_name_template,
    http_url,
    locate,
    one_of,
    plain_string,
    positive_number,
    service_choice,
    trimmed_string,
    whole_number,
)

Rule = Callable[[Any], Any]
T = TypeVar("T")
SECRET_SETTING = "credentials.secret_key"
DEFAULT_CURRENCY = "CNY"


def setting(
    default: T, rule: Rule, *, secret: bool = False, env: tuple[str, ...] = (), comment: str = ""
) -> T:
    """A setting's field: its default, its rule, whether it is secret (kept out of the repr),
    the environment variables that set it, and what it is for."""
    return field(
        default=default,
        repr=not secret,
        metadata={"rule": rule, "secret": secret, "env": env, "comment": comment},
    )


def mask_key(key: str) -> str:
    """A key shown safely: ``"AKLT…7F2Q"`` → ``"AK…7F2Q"``; short keys show less, empty → ``""``."""
    key = key.strip()
    if not key:
        return ""
    if len(key) >= 12:
        return f"{key[:2]}…{key[-4:]}"
    if len(key) >= 6:
        return f"…{key[-2:]}"
    return "…"


# ---------------------------------------------------------------------------------------------
# The settings, section by section (the order here is the order in the file)

_SECONDS = positive_number("seconds")
_CAP = positive_number("0 = no cap", zero_ok=True)


@dataclass
class CredentialsConfig:
    access_key: str = setting("", trimmed_string, env=("VOLC_ACCESSKEY",))
    secret_key: str = setting("", trimmed_string, secret=True, env=("VOLC_SECRETKEY",))
    ark_api_key: str = setting(
        "",
        trimmed_string,
        secret=True,
        env=("ARK_API_KEY",),  # the official Ark SDK's name
        comment="Ark (Seedance): a Bearer API key",
    )

    def masked_access_key(self) -> str:
        return mask_key(self.access_key)

    def masked_ark_api_key(self) -> str:
        return mask_key(self.ark_api_key)

    @property
    def complete(self) -> bool:
        """Jimeng 3.0's pair is set."""
        return bool(self.access_key.strip() and self.secret_key.strip())

    @property
    def has_ark(self) -> bool:
        return bool(self.ark_api_key.strip())

    def __repr__(self) -> str:
        secret = "'***'" if self.secret_key else "''"
        ark = "'***'" if self.ark_api_key else "''"
        return (
            f"CredentialsConfig(access_key={self.masked_access_key()!r}, secret_key={secret}, "
            f"ark_api_key={ark})"
        )

    __str__ = __repr__


@dataclass
class DefaultsConfig:
    # The service's choices (model … camera_strength) are only kept as written here: the
    # session checks them against the service's table (``session.config``).
    model: str = setting(
        "",
        service_choice,
        comment="the model the form and `generate` start from: a model id or alias of any "
        'service; "" = Jimeng 3.0\'s `mode` when its keys are set, else the first Ark model',
    )
    # Jimeng 3.0's defaults (a test checks them against its catalog)
    mode: str = setting("t2v_720p", service_choice)
    duration: int = setting(5, service_choice)
    fps: int = setting(24, service_choice)
    aspect_ratio: str = setting("16:9", service_choice)
    camera_template: str = setting("", service_choice)
    camera_strength: str = setting("medium", service_choice)
    output_dir: str = setting("", plain_string, comment="empty → AppPaths.videos_dir")
    filename_template: str = setting("{date}_{slug}_{task_id}", file_name_template)
    confirm_paid: bool = setting(
        True, boolean, comment="ask before a key press re-runs or retries a (paid) generation"
    )


@dataclass
class NetworkConfig:
    api_url: str = setting(DEFAULT_API_URL, http_url, env=("JIMENG_VIDEO_API_URL",))
    ark_url: str = setting(DEFAULT_ARK_URL, http_url, env=("ARK_BASE_URL",))
    timeout: float = setting(300.0, _SECONDS, env=("JIMENG_VIDEO_API_TIMEOUT",))
    poll_interval: float = setting(5.0, _SECONDS, env=("JIMENG_VIDEO_POLL_INTERVAL",))
    max_poll_attempts: int = setting(
        120, whole_number(1, None), env=("JIMENG_VIDEO_MAX_POLL_ATTEMPTS",)
    )
    max_concurrency: int = setting(5, whole_number(1, MAX_CONCURRENCY_LIMIT))
    retries: int = setting(4, whole_number(0, MAX_RETRIES))


@dataclass
class NotifyConfig:
    method: str = setting(
        "auto",
        one_of(NOTIFY_METHODS),
        comment="how a job's end is signalled: auto (from the terminal), osc9, osc777, osc99, "
        "desktop (notify-send), bell or none",
    )
    after_seconds: float = setting(
        30.0,
        positive_number("seconds", zero_ok=True),
        comment="`generate`/`batch` signal only a job that ran this long",
    )


@dataclass
class ServeConfig:
    token: str = setting(
        "",
        trimmed_string,
        secret=True,
        env=("JIMENG_TUI_SERVE_TOKEN",),
        comment="the password of `jimeng-tui serve` on a non-loopback address "
        '("" = a new one each start)',
    )


@dataclass
class McpConfig:
    token: str = setting(
        "",
        trimmed_string,
        secret=True,
        comment='the bearer token of `jimeng-tui mcp --http` ("" = --new-token / --token-file '
        "/ env only)",
    )


@dataclass
class BudgetConfig:
    daily: float = setting(0.0, _CAP, comment="a cap in the [prices] currency; 0 = no cap")
    monthly: float = setting(0.0, _CAP)


@dataclass
class PricesConfig:
    """Free-form (a key per model): ``store.config_cost`` reads and checks it."""

    currency: str = DEFAULT_CURRENCY
    # "<model id or alias>" or "<model>:<variant>" → amount (per 1M tokens, or per video)
    overrides: dict[str, float] = field(default_factory=dict)


@dataclass
class Config:
    credentials: CredentialsConfig = field(default_factory=CredentialsConfig)
    defaults: DefaultsConfig = field(default_factory=DefaultsConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    serve: ServeConfig = field(default_factory=ServeConfig)
    mcp: McpConfig = field(default_factory=McpConfig)
    budget: BudgetConfig = field(default_factory=BudgetConfig)
    prices: PricesConfig = field(default_factory=PricesConfig)
    # binding id → key, e.g. {"generate": "ctrl+g"}
    keys: dict[str, str] = field(default_factory=dict)
    # Keys this version does not know, kept so that saving does not lose them:
    # section → {key: value} ("" holds unknown top-level keys and tables).
    extra: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def has_credentials(self) -> bool:
        return self.credentials.complete

    def copy(self) -> Config:
        return copy.deepcopy(self)


# ---------------------------------------------------------------------------------------------
# The tables made from the fields above


@dataclass(frozen=True)
class Setting:
    section: str
    key: str
    type: type
    default: Any
    rule: Rule
    secret: bool
    env: tuple[str, ...]
    comment: str

    @property
    def name(self) -> str:
        return f"{self.section}.{self.key}"


def _schema() -> tuple[Setting, ...]:
    found: list[Setting] = []
    sections = get_type_hints(Config)
    for section in dataclasses.fields(Config):
        kind = sections[section.name]
        if not (isinstance(kind, type) and dataclasses.is_dataclass(kind)):
            continue
        types = get_type_hints(kind)
        for item in dataclasses.fields(kind):
            if "rule" in item.metadata:
                meta = item.metadata
                found.append(
                    Setting(
                        section.name,
                        item.name,
                        types[item.name],
                        item.default,
                        meta["rule"],
                        meta["secret"],
                        meta["env"],
                        meta["comment"],
                    )
                )
    return tuple(found)


SCHEMA: tuple[Setting, ...] = _schema()
# the sections of settings, in the order they are written
SAVED_SECTIONS: tuple[str, ...] = tuple(dict.fromkeys(s.section for s in SCHEMA))
# every table the file may have ([keys] and [prices] are free-form)
SECTIONS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Config) if f.name != "extra")
RULES: dict[str, dict[str, Rule]] = {
    section: {s.key: s.rule for s in SCHEMA if s.section == section} for section in SAVED_SECTIONS
}
# settings whose value is never shown, in any message
SECRET_SETTINGS: frozenset[str] = frozenset(s.name for s in SCHEMA if s.secret)
# environment variable → the setting it overrides
ENV_OVERRIDES: dict[str, str] = {var: s.name for s in SCHEMA for var in s.env}
# the [defaults] settings whose allowed values come from the service's table
SERVICE_CHOICES: tuple[str, ...] = tuple(s.name for s in SCHEMA if s.rule is service_choice)
SETTINGS: dict[str, Setting] = {s.name: s for s in SCHEMA}
assert SECRET_SETTING in SECRET_SETTINGS


# ---------------------------------------------------------------------------------------------
# Messages (a secret's value is never in one)


def describe(value: Any, setting: str) -> str:
    if setting in SECRET_SETTINGS:
        return "(hidden)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def shown(setting: str, value: Any) -> str:
    """``setting = value`` for a message, or only the setting's name for a secret."""
    return setting if setting in SECRET_SETTINGS else f"{setting} = {describe(value, setting)}"


def file_error(
    path: Path, text: str, section: str, key: str | None, value: Any, bad: BadValue
) -> ConfigError:
    setting = section if key is None else f"{section}.{key}"
    line, column = locate(text, section, key)
    where = f" (line {line}, column {column})" if line is not None else ""
    message = (
        f"{path}{where}: {shown(setting, value)} {bad.reason}; allowed: {bad.allowed}. "
        f"Fix the file or delete the line to use the default."
    )
    return ConfigError(
        message, key=setting, line=line, column=column, allowed=bad.allowed, path=path
    )


def validate_setting(setting: str, value: Any, rule: Rule | None = None) -> Any:
    """The clean value for ``setting`` ("section.key", e.g. "defaults.duration"), or ConfigError
    naming the setting and the allowed values (a settings form checks each field with this).
    ``rule`` replaces the store's own (the session's check of a service's choices)."""
    known = SETTINGS.get(setting)
    rule = rule or (known.rule if known else None)
    if rule is None:
        raise ConfigError(f"Unknown setting {setting}.", key=setting)
    try:
        return rule(value)
    except BadValue as bad:
        raise ConfigError(
            f"{shown(setting, value)} {bad.reason}; allowed: {bad.allowed}.",
            key=setting,
            allowed=bad.allowed,
        ) from None
