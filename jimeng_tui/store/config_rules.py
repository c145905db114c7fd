"""The rules of ``config.toml``: one check per setting, and where a key is in the file text.

A rule returns the clean value or raises :class:`BadValue` (reason, allowed). The choices that
depend on a service (mode, duration, fps, aspect ratio, camera) are only shape-checked here: the
session checks them against the service's table (``session.config.validate_defaults``), so the
store never imports a service.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jimeng_tui.domain.errors import JimengError

SECRET_SETTING = "credentials.secret_key"
# settings whose value is never shown, in any message
SECRET_SETTINGS: frozenset[str] = frozenset(
    {SECRET_SETTING, "credentials.ark_api_key", "serve.token", "mcp.token"}
)
MAX_CONCURRENCY_LIMIT = 100
MAX_RETRIES = 20
DEFAULT_API_URL = "https://visual.volcengineapi.com"  # Jimeng 3.0's; a test checks it matches
# Ark's; BytePlus accounts use https://ark.ap-southeast.bytepluses.com/api/v3
DEFAULT_ARK_URL = "https://ark.cn-beijing.volces.com/api/v3"
# [notify] method: how a job's end is signalled (jimeng_tui/notify.py)
NOTIFY_METHODS: tuple[str, ...] = ("auto", "osc9", "osc777", "osc99", "desktop", "bell", "none")


class ConfigError(JimengError):
    """A setting that is not allowed. ``str()`` names the key (or environment variable), where it
    is in the file, the bad value (never for the secret key) and the allowed values."""

    def __init__(
        self,
        message: str,
        *,
        key: str | None = None,
        env_var: str | None = None,
        line: int | None = None,
        column: int | None = None,
        allowed: str | None = None,
        path: Path | None = None,
    ):
        super().__init__(message)
        self.key = key
        self.env_var = env_var
        self.line = line
        self.column = column
        self.allowed = allowed
        self.path = path


# ---------------------------------------------------------------------------------------------
# Validation rules: one per setting; a rule returns the clean value or raises BadValue.


class BadValue(Exception):
    def __init__(self, reason: str, allowed: str):
        super().__init__(reason)
        self.reason = reason
        self.allowed = allowed


def _choices(values: tuple[Any, ...]) -> str:
    return ", ".join(str(v) for v in values)


def _string(value: Any, allowed: str = "a string") -> str:
    if not isinstance(value, str):
        raise BadValue("must be a string", allowed)
    return value


def one_of(values: tuple[Any, ...], *, empty_ok: bool = False) -> Callable[[Any], Any]:
    allowed = _choices(values) + (' or "" (none)' if empty_ok else "")

    def rule(value: Any) -> Any:
        if isinstance(values[0], int) and not isinstance(value, bool):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, str) and value.strip().isdigit():
                value = int(value)
        if empty_ok and value == "":
            return value
        if isinstance(value, bool) or value not in values:
            raise BadValue("is not allowed", allowed)
        return value

    return rule


def _positive_number(what: str, *, zero_ok: bool = False) -> Callable[[Any], float]:
    allowed = f"a number of 0 or more ({what})" if zero_ok else f"a number greater than 0 ({what})"

    def rule(value: Any) -> float:
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise BadValue("is not a number", allowed) from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise BadValue("is not a number", allowed)
        number = float(value)
        if not math.isfinite(number) or number < 0 or (number == 0 and not zero_ok):
            raise BadValue("must be 0 or more" if zero_ok else "must be greater than 0", allowed)
        return number

    return rule


def _whole_number(low: int, high: int | None) -> Callable[[Any], int]:
    allowed = (
        f"a whole number from {low} to {high}" if high is not None else f"a whole number ≥ {low}"
    )

    def rule(value: Any) -> int:
        if isinstance(value, str):
            text = value.strip()
            if not re.fullmatch(r"[+-]?\d+", text):
                raise BadValue("is not a whole number", allowed)
            value = int(text)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise BadValue("is not a whole number", allowed)
        if value < low or (high is not None and value > high):
            raise BadValue("is out of range", allowed)
        return value

    return rule


def _boolean(value: Any) -> bool:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise BadValue("is not true or false", "true or false")
    return value


def _api_url(value: Any) -> str:
    allowed = "an http:// or https:// URL, e.g. " + DEFAULT_API_URL
    if not isinstance(value, str):
        raise BadValue("must be a string", allowed)
    text = value.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        raise BadValue("is not a URL", allowed) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise BadValue("is not an http(s) URL", allowed)
    return text.rstrip("/")


def _key(value: Any) -> str:
    return _string(value, "a string").strip()


def _template(value: Any) -> str:
    allowed = 'a non-empty file name template such as "{date}_{slug}_{task_id}"'
    if not isinstance(value, str) or not value.strip():
        raise BadValue("must be a non-empty string", allowed)
    try:
        parsed = list(string.Formatter().parse(value))
    except ValueError:
        raise BadValue("has unbalanced { }", allowed) from None
    if any(name is not None and not name.isidentifier() for _, name, _, _ in parsed):
        raise BadValue("has a placeholder that is not a plain name", allowed)
    return value


def _service_choice(value: Any) -> Any:
    """Kept as written: whether it is one of the service's choices is the session's check
    (``SERVICE_CHOICES``), with the same message and position as the store's own rules."""
    return value


# The [defaults] settings whose allowed values come from the service's table.
SERVICE_CHOICES: tuple[str, ...] = (
    "defaults.model",
    "defaults.mode",
    "defaults.duration",
    "defaults.fps",
    "defaults.aspect_ratio",
    "defaults.camera_template",
    "defaults.camera_strength",
)

RULES: dict[str, dict[str, Callable[[Any], Any]]] = {
    "credentials": {"access_key": _key, "secret_key": _key, "ark_api_key": _key},
    "defaults": {
        "model": _service_choice,
        "mode": _service_choice,
        "duration": _service_choice,
        "fps": _service_choice,
        "aspect_ratio": _service_choice,
        "camera_template": _service_choice,
        "camera_strength": _service_choice,
        "output_dir": _string,
        "filename_template": _template,
        "confirm_paid": _boolean,
    },
    "network": {
        "api_url": _api_url,
        "ark_url": _api_url,
        "timeout": _positive_number("seconds"),
        "poll_interval": _positive_number("seconds"),
        "max_poll_attempts": _whole_number(1, None),
        "max_concurrency": _whole_number(1, MAX_CONCURRENCY_LIMIT),
        "retries": _whole_number(0, MAX_RETRIES),
    },
    "notify": {
        "method": one_of(NOTIFY_METHODS),
        "after_seconds": _positive_number("seconds", zero_ok=True),
    },
    "serve": {"token": _key},
    "mcp": {"token": _key},
    # caps in the [prices] currency
    "budget": {
        "daily": _positive_number("0 = no cap", zero_ok=True),
        "monthly": _positive_number("0 = no cap", zero_ok=True),
    },
}
# [prices] is free-form (a key per model): store.config_cost checks it
SECTIONS: tuple[str, ...] = (
    "credentials",
    "defaults",
    "network",
    "notify",
    "serve",
    "mcp",
    "budget",
    "keys",
    "prices",
)


def validate_setting(setting: str, value: Any, rule: Callable[[Any], Any] | None = None) -> Any:
    """The clean value for ``setting`` ("section.key", e.g. "defaults.duration"), or ConfigError
    naming the setting and the allowed values (a settings form checks each field with this).
    ``rule`` replaces the store's own (the session's check of a service's choices)."""
    section, _, key = setting.partition(".")
    rule = rule or RULES.get(section, {}).get(key)
    if rule is None:
        raise ConfigError(f"Unknown setting {setting}.", key=setting)
    try:
        return rule(value)
    except BadValue as bad:
        what = setting if setting in SECRET_SETTINGS else f"{setting} = {describe(value, setting)}"
        raise ConfigError(
            f"{what} {bad.reason}; allowed: {bad.allowed}.", key=setting, allowed=bad.allowed
        ) from None


ENV_OVERRIDES: dict[str, str] = {
    "VOLC_ACCESSKEY": "credentials.access_key",
    "VOLC_SECRETKEY": "credentials.secret_key",
    "JIMENG_VIDEO_API_URL": "network.api_url",
    "ARK_API_KEY": "credentials.ark_api_key",  # the official Ark SDK's names
    "ARK_BASE_URL": "network.ark_url",
    "JIMENG_TUI_SERVE_TOKEN": "serve.token",
    "JIMENG_VIDEO_API_TIMEOUT": "network.timeout",
    "JIMENG_VIDEO_POLL_INTERVAL": "network.poll_interval",
    "JIMENG_VIDEO_MAX_POLL_ATTEMPTS": "network.max_poll_attempts",
}


# ---------------------------------------------------------------------------------------------
# Finding a key in the file text (tomllib gives no positions)

_BARE_OR_QUOTED = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = rf"{_BARE_OR_QUOTED}(?:\s*\.\s*{_BARE_OR_QUOTED})*"
_HEADER_RE = re.compile(rf"^\s*\[\s*({_DOTTED})\s*\]")
_ASSIGN_RE = re.compile(rf"^\s*({_DOTTED})\s*=\s*")
_PART_RE = re.compile(_BARE_OR_QUOTED)


def _key_parts(dotted: str) -> list[str]:
    parts = []
    for match in _PART_RE.finditer(dotted):
        part = match.group(0)
        if part[0] in "\"'":
            part = part[1:-1]
        parts.append(part)
    return parts


def locate(text: str, section: str, key: str | None) -> tuple[int | None, int | None]:
    """Line and column (1-based) of ``section.key``'s value (or of the section) in TOML text."""
    target = [section] if key is None else [section, key]
    table: list[str] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("[["):
            table = ["[["]
            continue
        header = _HEADER_RE.match(line)
        if header:
            table = _key_parts(header.group(1))
            if table == target:
                return lineno, header.start(1) + 1
            continue
        assign = _ASSIGN_RE.match(line)
        if assign and table + _key_parts(assign.group(1)) == target:
            return lineno, assign.end() + 1
    # inline tables and other layouts: the first "key =" after the section's name
    name = re.escape(key if key is not None else section)
    found = re.search(rf"(?<![\w.\"'-])[\"']?{name}[\"']?\s*=\s*", text)
    if found:
        lineno = text.count("\n", 0, found.start()) + 1
        column = found.end() - (text.rfind("\n", 0, found.start()) + 1) + 1
        return lineno, column
    return None, None


def describe(value: Any, setting: str) -> str:
    if setting in SECRET_SETTINGS:
        return "(hidden)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def file_error(
    path: Path, text: str, section: str, key: str | None, value: Any, bad: BadValue
) -> ConfigError:
    setting = section if key is None else f"{section}.{key}"
    line, column = locate(text, section, key)
    where = f" (line {line}, column {column})" if line is not None else ""
    what = setting if setting in SECRET_SETTINGS else f"{setting} = {describe(value, setting)}"
    message = (
        f"{path}{where}: {what} {bad.reason}; allowed: {bad.allowed}. "
        f"Fix the file or delete the line to use the default."
    )
    return ConfigError(
        message, key=setting, line=line, column=column, allowed=bad.allowed, path=path
    )
