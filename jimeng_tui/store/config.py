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
import os
import re
import tempfile
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import tomli_w

from jimeng_tui.localfiles import read_regular_file
from jimeng_tui.store.aside import move_aside
from jimeng_tui.store.config_cost import parse_prices, prices_to_dict
from jimeng_tui.store.config_rules import MAX_CONCURRENCY_LIMIT as MAX_CONCURRENCY_LIMIT
from jimeng_tui.store.config_rules import MAX_RETRIES as MAX_RETRIES
from jimeng_tui.store.config_rules import BadValue, locate
from jimeng_tui.store.config_rules import ConfigError as ConfigError
from jimeng_tui.store.config_schema import ENV_OVERRIDES as ENV_OVERRIDES
from jimeng_tui.store.config_schema import RULES, SAVED_SECTIONS, SECTIONS, file_error, shown
from jimeng_tui.store.config_schema import SECRET_SETTING as SECRET_SETTING
from jimeng_tui.store.config_schema import SECRET_SETTINGS as SECRET_SETTINGS
from jimeng_tui.store.config_schema import BudgetConfig as BudgetConfig
from jimeng_tui.store.config_schema import Config as Config
from jimeng_tui.store.config_schema import CredentialsConfig as CredentialsConfig
from jimeng_tui.store.config_schema import DefaultsConfig as DefaultsConfig
from jimeng_tui.store.config_schema import McpConfig as McpConfig
from jimeng_tui.store.config_schema import NetworkConfig as NetworkConfig
from jimeng_tui.store.config_schema import NotifyConfig as NotifyConfig
from jimeng_tui.store.config_schema import PricesConfig as PricesConfig
from jimeng_tui.store.config_schema import ServeConfig as ServeConfig
from jimeng_tui.store.config_schema import mask_key as mask_key
from jimeng_tui.store.config_schema import validate_setting as validate_setting
from jimeng_tui.store.paths import AppPaths, ensure_private_dir

CONFIG_MAX_BYTES = 1_000_000


@dataclass
class LoadedConfig:
    config: Config  # effective: file + environment overrides
    file_config: Config  # what is on disk (save this one back)
    env_overrides: dict[str, str]  # setting ("network.timeout") → environment variable name
    warnings: list[str]
    path: Path
    text: str = field(default="", repr=False)  # the file as read: where a later check points

    def for_saving(self, edited: Config) -> Config:
        """``edited`` (a changed copy of ``config``) with every env-overridden setting put back to
        its file value, so that saving never writes a value that came from the environment."""
        result = edited.copy()
        for setting in self.env_overrides:
            section, key = setting.split(".")
            setattr(getattr(result, section), key, getattr(getattr(self.file_config, section), key))
        return result


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


def _apply_file(data: dict[str, Any], text: str, path: Path, warnings: list[str]) -> Config:
    config = Config()
    for section, content in data.items():
        if section not in SECTIONS:
            line, _ = locate(text, section, None)
            at = f" (line {line})" if line else ""
            warnings.append(f"{path.name}{at}: unknown section or key {section!r} was ignored.")
            config.extra.setdefault("", {})[section] = content
            continue
        if not isinstance(content, dict):
            raise file_error(
                path,
                text,
                section,
                None,
                content,
                BadValue("is not a table", f"a [{section}] table"),
            )
        if section == "prices":
            config.prices = parse_prices(content, text, path)
            continue
        if section == "keys":
            for binding, key in content.items():
                if not isinstance(key, str) or not key.strip():
                    raise file_error(
                        path,
                        text,
                        "keys",
                        binding,
                        key,
                        BadValue("is not a key name", 'a key name such as "ctrl+g"'),
                    )
                config.keys[binding] = key.strip()
            continue
        target = getattr(config, section)
        rules = RULES[section]
        for key, value in content.items():
            rule = rules.get(key)
            if rule is None:
                line, _ = locate(text, section, key)
                at = f" (line {line})" if line else ""
                warnings.append(
                    f"{path.name}{at}: unknown setting {section}.{key} was ignored "
                    f"(known: {', '.join(rules)})."
                )
                config.extra.setdefault(section, {})[key] = value
                continue
            try:
                setattr(target, key, rule(value))
            except BadValue as bad:
                raise file_error(path, text, section, key, value, bad) from None
    return config


def _apply_env(config: Config, env: Mapping[str, str]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for var, setting in ENV_OVERRIDES.items():
        raw = env.get(var)
        if raw is None or not raw.strip():
            continue
        section, key = setting.split(".")
        try:
            value = RULES[section][key](raw)
        except BadValue as bad:
            shown = "" if setting in SECRET_SETTINGS else f"={raw!r}"
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
    text = ""
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
        text=text,
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


# setting ("defaults.mode") → the rule that replaces the store's (the service's choices)
ExtraRules = Mapping[str, Callable[[Any], Any]]


def _section_dict(obj: Any, section: str, rules: ExtraRules) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        try:
            rule = rules.get(f"{section}.{f.name}") or RULES[section][f.name]
            out[f.name] = rule(value)
        except BadValue as bad:
            setting = f"{section}.{f.name}"
            raise ConfigError(
                f"Cannot save the settings: {shown(setting, value)} {bad.reason}; "
                f"allowed: {bad.allowed}.",
                key=setting,
                allowed=bad.allowed,
            ) from None
    return out


def config_to_dict(config: Config, rules: ExtraRules | None = None) -> dict[str, Any]:
    """The TOML document for ``config`` (validated; raises ConfigError for a bad value)."""
    doc: dict[str, Any] = dict(config.extra.get("", {}))
    for section in SAVED_SECTIONS:
        body = _section_dict(getattr(config, section), section, rules or {})
        body.update({k: v for k, v in config.extra.get(section, {}).items() if k not in body})
        doc[section] = body
    doc["keys"] = {str(k): str(v) for k, v in config.keys.items()}
    doc["prices"] = prices_to_dict(config.prices)
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


def save_config(config: Config, paths: AppPaths, rules: ExtraRules | None = None) -> Path:
    """Write ``config`` to ``config.toml`` atomically (0600 file, 0700 folder); return the path.

    Pass ``LoadedConfig.file_config`` (or ``LoadedConfig.for_saving(edited)``) so that values
    from environment variables are not written to disk.
    """
    data = tomli_w.dumps(config_to_dict(config, rules)).encode("utf-8")
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
