"""Where jimeng-tui keeps its files (DESIGN.md, "Files on disk").

The one place that knows locations: platformdirs for the user's platform, or everything under
``JIMENG_TUI_HOME`` when that is set (tests and portable installs use it). Nothing is created
when this module is imported or when :func:`app_paths` is called.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "jimeng-tui"
HOME_ENV = "JIMENG_TUI_HOME"
VIDEOS_SUBDIR = "jimeng"


@dataclass(frozen=True)
class AppPaths:
    config_dir: Path
    data_dir: Path
    cache_dir: Path
    log_dir: Path
    videos_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def history_db(self) -> Path:
        return self.data_dir / "history.sqlite3"

    @property
    def sandbox_history_db(self) -> Path:
        """Sandbox jobs live apart: their tasks exist only in the sandbox and must never be
        resumed against the live service."""
        return self.data_dir / "sandbox-history.sqlite3"

    @property
    def sandbox_tasks_file(self) -> Path:
        """The embedded sandbox's tasks, kept so its jobs resume after a restart."""
        return self.data_dir / "sandbox-tasks.json"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "jimeng-tui.log"

    def as_dict(self) -> dict[str, str]:
        """Every location by name, for ``jimeng-tui locate`` (human or ``--json``)."""
        return {name: str(getattr(self, name)) for name in LOCATIONS}


# every location ``as_dict`` names, in the order ``jimeng-tui locate`` lists them
LOCATIONS: tuple[str, ...] = (
    "config_dir",
    "config_file",
    "data_dir",
    "history_db",
    "sandbox_history_db",
    "sandbox_tasks_file",
    "cache_dir",
    "log_dir",
    "log_file",
    "videos_dir",
)


def app_paths(env: Mapping[str, str] = os.environ) -> AppPaths:
    """The locations for this user; ``JIMENG_TUI_HOME=/h`` puts them all under ``/h``."""
    home = env.get(HOME_ENV, "").strip()
    if home:
        root = Path(home).expanduser().absolute()
        return AppPaths(
            config_dir=root / "config",
            data_dir=root / "data",
            cache_dir=root / "cache",
            log_dir=root / "logs",
            videos_dir=root / "videos",
        )
    return AppPaths(
        config_dir=platformdirs.user_config_path(APP_NAME, appauthor=False),
        data_dir=platformdirs.user_data_path(APP_NAME, appauthor=False),
        cache_dir=platformdirs.user_cache_path(APP_NAME, appauthor=False),
        log_dir=platformdirs.user_log_path(APP_NAME, appauthor=False),
        videos_dir=platformdirs.user_videos_path() / VIDEOS_SUBDIR,
    )


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and its parents) if needed and make it readable by the owner only (0700).

    Parents that did not exist are created with the usual mode; the folder itself is fixed to
    0700 even when it already existed. On Windows the mode is left alone.
    """
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if os.name == "posix":
        os.chmod(path, 0o700)
    return path
