"""Settings and credentials: ``config.toml`` plus environment overrides.

See DESIGN.md, "Files on disk".

``load_config`` never raises for a file it cannot read or parse: the file is moved aside (never
overwritten) and the defaults are used, with a warning. A value that parses but is not allowed
raises :class:`ConfigError` naming the key, its line and column, and what is allowed.
``save_config`` writes atomically with mode 0600 in a 0700 folder.

The secret key never appears in a repr, a warning or an error.
"""

from __future__ import annotations

import contextlib
import copy
import math
import os
import re
import string
import tempfile
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tomli_w

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.localfiles import read_regular_file
from jimeng_tui.services.jimeng import catalog
from jimeng_tui.store.aside import move_aside
from jimeng_tui.store.paths import AppPaths, ensure_private_dir

SECRET_SETTING = "credentials.secret_key"
MAX_CONCURRENCY_LIMIT = 100
MAX_RETRIES = 20
CONFIG_MAX_BYTES = 1_000_000


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
# The settings


@dataclass
class CredentialsConfig:
    access_key: str = ""
    secret_key: str = field(default="", repr=False)

    def masked_access_key(self) -> str:
        return mask_key(self.access_key)

    @property
    def complete(self) -> bool:
        return bool(self.access_key.strip() and self.secret_key.strip())

    def __repr__(self) -> str:
        secret = "'***'" if self.secret_key else "''"
        return f"CredentialsConfig(access_key={self.masked_access_key()!r}, secret_key={secret})"

    __str__ = __repr__


@dataclass
class DefaultsConfig:
    mode: str = catalog.DEFAULT_MODE
    duration: int = catalog.DEFAULT_DURATION
    fps: int = catalog.DEFAULT_FPS
    aspect_ratio: str = catalog.DEFAULT_ASPECT_RATIO
    camera_template: str = ""
    camera_strength: str = catalog.DEFAULT_CAMERA_STRENGTH
    output_dir: str = ""  # empty → AppPaths.videos_dir
    filename_template: str = "{date}_{slug}_{task_id}"
    confirm_paid: bool = True  # ask before a key press re-runs or retries a (paid) generation


@dataclass
class NetworkConfig:
    api_url: str = catalog.DEFAULT_API_URL
    timeout: float = 300.0
    poll_interval: float = 5.0
    max_poll_attempts: int = 120
    max_concurrency: int = 5
    retries: int = 4


@dataclass
class Config:
    credentials: CredentialsConfig = field(default_factory=CredentialsConfig)
    defaults: DefaultsConfig = field(default_factory=DefaultsConfig)
    network: NetworkConfig = field(default_factory=NetworkConfig)
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


@dataclass
class LoadedConfig:
    config: Config  # effective: file + environment overrides
    file_config: Config  # what is on disk (save this one back)
    env_overrides: dict[str, str]  # setting ("network.timeout") → environment variable name
    warnings: list[str]
    path: Path

    def for_saving(self, edited: Config) -> Config:
        """``edited`` (a changed copy of ``config``) with every env-overridden setting put back to
        its file value, so that saving never writes a value that came from the environment."""
        result = edited.copy()
        for setting in self.env_overrides:
            section, key = setting.split(".")
            setattr(getattr(result, section), key, getattr(getattr(self.file_config, section), key))
        return result


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
# Validation rules: one per setting. A rule returns the clean value or raises _Bad(reason, allowed).


class _Bad(Exception):
    def __init__(self, reason: str, allowed: str):
        super().__init__(reason)
        self.reason = reason
        self.allowed = allowed


def _choices(values: tuple[Any, ...]) -> str:
    return ", ".join(str(v) for v in values)


def _string(value: Any, allowed: str = "a string") -> str:
    if not isinstance(value, str):
        raise _Bad("must be a string", allowed)
    return value


def _one_of(values: tuple[Any, ...], *, empty_ok: bool = False) -> Callable[[Any], Any]:
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
            raise _Bad("is not allowed", allowed)
        return value

    return rule


def _positive_number(what: str) -> Callable[[Any], float]:
    allowed = f"a number greater than 0 ({what})"

    def rule(value: Any) -> float:
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise _Bad("is not a number", allowed) from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _Bad("is not a number", allowed)
        value = float(value)
        if not math.isfinite(value) or value <= 0:
            raise _Bad("must be greater than 0", allowed)
        return value

    return rule


def _whole_number(low: int, high: int | None) -> Callable[[Any], int]:
    allowed = (
        f"a whole number from {low} to {high}" if high is not None else f"a whole number ≥ {low}"
    )

    def rule(value: Any) -> int:
        if isinstance(value, str):
            text = value.strip()
            if not re.fullmatch(r"[+-]?\d+", text):
                raise _Bad("is not a whole number", allowed)
            value = int(text)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Bad("is not a whole number", allowed)
        if value < low or (high is not None and value > high):
            raise _Bad("is out of range", allowed)
        return value

    return rule


def _boolean(value: Any) -> bool:
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise _Bad("is not true or false", "true or false")
    return value


def _api_url(value: Any) -> str:
    allowed = "an http:// or https:// URL, e.g. " + catalog.DEFAULT_API_URL
    if not isinstance(value, str):
        raise _Bad("must be a string", allowed)
    text = value.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        raise _Bad("is not a URL", allowed) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise _Bad("is not an http(s) URL", allowed)
    return text.rstrip("/")


def _key(value: Any) -> str:
    return _string(value, "a string").strip()


def _template(value: Any) -> str:
    allowed = 'a non-empty file name template such as "{date}_{slug}_{task_id}"'
    if not isinstance(value, str) or not value.strip():
        raise _Bad("must be a non-empty string", allowed)
    try:
        parsed = list(string.Formatter().parse(value))
    except ValueError:
        raise _Bad("has unbalanced { }", allowed) from None
    if any(name is not None and not name.isidentifier() for _, name, _, _ in parsed):
        raise _Bad("has a placeholder that is not a plain name", allowed)
    return value


_RULES: dict[str, dict[str, Callable[[Any], Any]]] = {
    "credentials": {"access_key": _key, "secret_key": _key},
    "defaults": {
        "mode": _one_of(catalog.MODE_NAMES),
        "duration": _one_of(catalog.DURATIONS),
        "fps": _one_of(catalog.FPS_CHOICES),
        "aspect_ratio": _one_of(catalog.ASPECT_RATIOS),
        "camera_template": _one_of(catalog.CAMERA_TEMPLATES, empty_ok=True),
        "camera_strength": _one_of(catalog.CAMERA_STRENGTHS),
        "output_dir": _string,
        "filename_template": _template,
        "confirm_paid": _boolean,
    },
    "network": {
        "api_url": _api_url,
        "timeout": _positive_number("seconds"),
        "poll_interval": _positive_number("seconds"),
        "max_poll_attempts": _whole_number(1, None),
        "max_concurrency": _whole_number(1, MAX_CONCURRENCY_LIMIT),
        "retries": _whole_number(0, MAX_RETRIES),
    },
}
SECTIONS: tuple[str, ...] = ("credentials", "defaults", "network", "keys")


def validate_setting(setting: str, value: Any) -> Any:
    """The clean value for ``setting`` ("section.key", e.g. "defaults.duration"), or ConfigError
    naming the setting and the allowed values (a settings form checks each field with this)."""
    section, _, key = setting.partition(".")
    rule = _RULES.get(section, {}).get(key)
    if rule is None:
        raise ConfigError(f"Unknown setting {setting}.", key=setting)
    try:
        return rule(value)
    except _Bad as bad:
        what = setting if setting == SECRET_SETTING else f"{setting} = {_describe(value, setting)}"
        raise ConfigError(
            f"{what} {bad.reason}; allowed: {bad.allowed}.", key=setting, allowed=bad.allowed
        ) from None


ENV_OVERRIDES: dict[str, str] = {
    "VOLC_ACCESSKEY": "credentials.access_key",
    "VOLC_SECRETKEY": "credentials.secret_key",
    "JIMENG_VIDEO_API_URL": "network.api_url",
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


def _locate(text: str, section: str, key: str | None) -> tuple[int | None, int | None]:
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


# ---------------------------------------------------------------------------------------------
# Loading


def _timestamp() -> str:
    return time.strftime("%Y%m%d-%H%M%S")


def _toml_position(error: tomllib.TOMLDecodeError) -> str:
    found = re.search(r"at line (\d+), column (\d+)", str(error))
    if found:
        return f"line {found.group(1)}, column {found.group(2)}"
    if "end of document" in str(error):
        return "the end of the file"
    return "an unknown position"


def _describe(value: Any, setting: str) -> str:
    if setting == SECRET_SETTING:
        return "(hidden)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _file_error(
    path: Path, text: str, section: str, key: str | None, value: Any, bad: _Bad
) -> ConfigError:
    setting = section if key is None else f"{section}.{key}"
    line, column = _locate(text, section, key)
    where = f" (line {line}, column {column})" if line is not None else ""
    what = setting if setting == SECRET_SETTING else f"{setting} = {_describe(value, setting)}"
    message = (
        f"{path}{where}: {what} {bad.reason}; allowed: {bad.allowed}. "
        f"Fix the file or delete the line to use the default."
    )
    return ConfigError(
        message, key=setting, line=line, column=column, allowed=bad.allowed, path=path
    )


def _apply_file(data: dict[str, Any], text: str, path: Path, warnings: list[str]) -> Config:
    config = Config()
    for section, content in data.items():
        if section not in SECTIONS:
            line, _ = _locate(text, section, None)
            at = f" (line {line})" if line else ""
            warnings.append(f"{path.name}{at}: unknown section or key {section!r} was ignored.")
            config.extra.setdefault("", {})[section] = content
            continue
        if not isinstance(content, dict):
            raise _file_error(
                path, text, section, None, content, _Bad("is not a table", f"a [{section}] table")
            )
        if section == "keys":
            for binding, key in content.items():
                if not isinstance(key, str) or not key.strip():
                    raise _file_error(
                        path,
                        text,
                        "keys",
                        binding,
                        key,
                        _Bad("is not a key name", 'a key name such as "ctrl+g"'),
                    )
                config.keys[binding] = key.strip()
            continue
        target = getattr(config, section)
        rules = _RULES[section]
        for key, value in content.items():
            rule = rules.get(key)
            if rule is None:
                line, _ = _locate(text, section, key)
                at = f" (line {line})" if line else ""
                warnings.append(
                    f"{path.name}{at}: unknown setting {section}.{key} was ignored "
                    f"(known: {', '.join(rules)})."
                )
                config.extra.setdefault(section, {})[key] = value
                continue
            try:
                setattr(target, key, rule(value))
            except _Bad as bad:
                raise _file_error(path, text, section, key, value, bad) from None
    return config


def _apply_env(config: Config, env: Mapping[str, str]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for var, setting in ENV_OVERRIDES.items():
        raw = env.get(var)
        if raw is None or not raw.strip():
            continue
        section, key = setting.split(".")
        try:
            value = _RULES[section][key](raw)
        except _Bad as bad:
            shown = "" if setting == SECRET_SETTING else f"={raw!r}"
            raise ConfigError(
                f"The environment variable {var}{shown} {bad.reason}; allowed: {bad.allowed} "
                f"(it sets {setting}). Fix or unset it.",
                key=setting,
                env_var=var,
                allowed=bad.allowed,
            ) from None
        setattr(getattr(config, section), key, value)
        overrides[setting] = var
    return overrides


def _warn_permissions(path: Path, warnings: list[str]) -> None:
    if os.name != "posix":
        return
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        return
    if mode & 0o044:
        warnings.append(
            f"{path} can be read by other users (mode {mode:04o}) and may hold your secret key; "
            f"run `chmod 600 {path}` (saving the settings also fixes it)."
        )


def load_config(paths: AppPaths, env: Mapping[str, str] = os.environ) -> LoadedConfig:
    """The settings in effect: ``config.toml`` (if any) with environment overrides on top."""
    path = paths.config_file
    warnings: list[str] = []
    file_config = Config()
    raw: bytes | None = None
    try:  # a pipe or a device is never read (it would block, or never end): moved aside
        raw = read_regular_file(path, CONFIG_MAX_BYTES)
    except FileNotFoundError:
        pass
    except OSError as exc:
        reason = f"could not be read ({exc.strerror or exc})"
        warnings.append(_set_aside(path, reason))
    if raw is not None:
        try:
            text = raw.decode("utf-8")
            data = tomllib.loads(text)
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
            reason = (
                f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} at line {line}, column {column})"
            )
            warnings.append(_set_aside(path, reason))
        except tomllib.TOMLDecodeError as exc:
            reason = f"is not valid TOML ({_toml_position(exc)}: {_toml_reason(exc)})"
            warnings.append(_set_aside(path, reason))
        else:
            _warn_permissions(path, warnings)
            file_config = _apply_file(data, text, path, warnings)
    config = file_config.copy()
    overrides = _apply_env(config, env)
    return LoadedConfig(
        config=config,
        file_config=file_config,
        env_overrides=overrides,
        warnings=warnings,
        path=path,
    )


def _toml_reason(error: tomllib.TOMLDecodeError) -> str:
    return re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)\s*$", "", str(error))


def _set_aside(path: Path, reason: str) -> str:
    try:
        dest = move_aside(path, "broken", _timestamp())
    except OSError as exc:
        return (
            f"{path} {reason}; it could not be moved aside ({exc.strerror or exc}). "
            f"Using the default settings; fix or remove the file."
        )
    return (
        f"{path} {reason}. It was moved to {dest.name} (in the same folder) and the default "
        f"settings are used."
    )


# ---------------------------------------------------------------------------------------------
# Saving


def _section_dict(obj: Any, section: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        try:
            out[f.name] = _RULES[section][f.name](value)
        except _Bad as bad:
            setting = f"{section}.{f.name}"
            what = (
                setting if setting == SECRET_SETTING else f"{setting} = {_describe(value, setting)}"
            )
            raise ConfigError(
                f"Cannot save the settings: {what} {bad.reason}; allowed: {bad.allowed}.",
                key=setting,
                allowed=bad.allowed,
            ) from None
    return out


def config_to_dict(config: Config) -> dict[str, Any]:
    """The TOML document for ``config`` (validated; raises ConfigError for a bad value)."""
    doc: dict[str, Any] = dict(config.extra.get("", {}))
    for section in ("credentials", "defaults", "network"):
        body = _section_dict(getattr(config, section), section)
        body.update({k: v for k, v in config.extra.get(section, {}).items() if k not in body})
        doc[section] = body
    doc["keys"] = {str(k): str(v) for k, v in config.keys.items()}
    return doc


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a directory
    finally:
        os.close(fd)


def save_config(config: Config, paths: AppPaths) -> Path:
    """Write ``config`` to ``config.toml`` atomically (0600 file, 0700 folder); return the path.

    Pass ``LoadedConfig.file_config`` (or ``LoadedConfig.for_saving(edited)``) so that values
    from environment variables are not written to disk.
    """
    data = tomli_w.dumps(config_to_dict(config)).encode("utf-8")
    path = paths.config_file
    ensure_private_dir(path.parent)
    target = path.resolve() if path.is_symlink() else path  # keep a dotfiles symlink working
    folder = target.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            if os.name == "posix":
                os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if os.name == "posix":
        os.chmod(target, 0o600)
    _fsync_dir(folder)
    return path
