"""The settings as the session sees them: the store's file checks, then the service's choices.

The store checks the shape of every setting; whether ``[defaults] mode``, ``duration``, ``fps``,
``aspect_ratio`` and the camera settings are among the service's choices is checked here, with
the same message, line and column as the store's own rules, so the store never imports a service.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from jimeng_tui.services.jimeng import catalog
from jimeng_tui.store import config_schema
from jimeng_tui.store.config import Config, LoadedConfig
from jimeng_tui.store.config import load_config as load_config_file
from jimeng_tui.store.config import save_config as save_config_file
from jimeng_tui.store.config_rules import BadValue, one_of
from jimeng_tui.store.config_schema import file_error
from jimeng_tui.store.paths import AppPaths


# TODO(issue 14, after package A): read these from services.registry's capabilities.
def _any_model(value: Any) -> str:
    """A model id or alias of any registered service, or "" (chosen by the credentials)."""
    from jimeng_tui.domain.errors import ValidationError
    from jimeng_tui.services import registry
    from jimeng_tui.session.services import register_builtin

    if value == "":
        return ""
    register_builtin()
    known = ", ".join(m.id for caps in registry.all_capabilities() for m in caps.models)
    if not isinstance(value, str):
        raise BadValue("must be a string", f'"" or one of: {known}')
    try:
        registry.find_model(value)
    except ValidationError:
        raise BadValue("is not a known model", f'"" or one of: {known}') from None
    return value


_CHOICES: dict[str, Callable[[Any], Any]] = {
    "defaults.model": _any_model,
    "defaults.mode": one_of(catalog.MODE_NAMES),
    "defaults.duration": one_of(catalog.DURATIONS),
    "defaults.fps": one_of(catalog.FPS_CHOICES),
    "defaults.aspect_ratio": one_of(catalog.ASPECT_RATIOS),
    "defaults.camera_template": one_of(catalog.CAMERA_TEMPLATES, empty_ok=True),
    "defaults.camera_strength": one_of(catalog.CAMERA_STRENGTHS),
}
assert set(_CHOICES) == set(config_schema.SERVICE_CHOICES)


def validate_defaults(loaded: LoadedConfig) -> LoadedConfig:
    """``loaded`` with its ``[defaults]`` choices checked against the service and made clean
    (``duration = "5"`` → 5); ConfigError naming the key, its line and column otherwise."""
    for setting, rule in _CHOICES.items():
        section, key = setting.split(".")
        value = getattr(getattr(loaded.file_config, section), key)
        try:
            clean = rule(value)
        except BadValue as bad:
            raise file_error(loaded.path, loaded.text, section, key, value, bad) from None
        for config in (loaded.file_config, loaded.config):  # no environment variable sets these
            setattr(getattr(config, section), key, clean)
    return loaded


def load_config(paths: AppPaths, env: Mapping[str, str] = os.environ) -> LoadedConfig:
    """The settings in effect (``config.toml`` with environment overrides), every value checked."""
    return validate_defaults(load_config_file(paths, env))


def validate_setting(setting: str, value: Any) -> Any:
    """The clean value for ``setting`` ("defaults.duration"), or ConfigError naming the setting
    and the allowed values (the settings screen checks each field with this)."""
    return config_schema.validate_setting(setting, value, _CHOICES.get(setting))


def save_config(config: Config, paths: AppPaths) -> Path:
    """``store.config.save_config`` with the service's choices checked too (ConfigError)."""
    return save_config_file(config, paths, _CHOICES)
