"""The rules of ``config.toml``: the checks a setting names in ``store.config_schema``, and
where a key is in the file text.

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
        # what is wrong: the setting ("network.timeout"), the variable that set it, what may be
        self.key, self.env_var, self.allowed = key, env_var, allowed
        # where: the file, and the value's line and column in it (1-based)
        self.path, self.line, self.column = path, line, column


# ---------------------------------------------------------------------------------------------
# Validation rules: one per setting; a rule returns the clean value or raises BadValue.


class BadValue(Exception):
    def __init__(self, reason: str, allowed: str):
        super().__init__(reason)
        self.reason = reason
        self.allowed = allowed


def _choices(values: tuple[Any, ...]) -> str:
    return ", ".join(str(v) for v in values)


def plain_string(value: Any, allowed: str = "a string") -> str:
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


def positive_number(what: str, *, zero_ok: bool = False) -> Callable[[Any], float]:
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


def whole_number(low: int, high: int | None) -> Callable[[Any], int]:
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


def boolean(value: Any) -> bool:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise BadValue("is not true or false", "true or false")
    return value


def http_url(value: Any) -> str:
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


def trimmed_string(value: Any) -> str:
    return plain_string(value, "a string").strip()


def file_name_template(value: Any) -> str:
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


def service_choice(value: Any) -> Any:
    """Kept as written: whether it is one of the service's choices is the session's check
    (``config_schema.SERVICE_CHOICES``), with the same message and position as the store's
    own rules."""
    return value


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
