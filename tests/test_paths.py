"""Where files go: everything under JIMENG_TUI_HOME in tests, platformdirs otherwise."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import platformdirs
import pytest

from jimeng_tui.store.paths import AppPaths, app_paths, ensure_private_dir


def test_home_puts_everything_under_one_folder(isolated_home):
    paths = app_paths()
    assert paths == AppPaths(
        config_dir=isolated_home / "config",
        data_dir=isolated_home / "data",
        cache_dir=isolated_home / "cache",
        log_dir=isolated_home / "logs",
        videos_dir=isolated_home / "videos",
    )
    assert paths.config_file == isolated_home / "config" / "config.toml"
    assert paths.history_db == isolated_home / "data" / "history.sqlite3"
    assert paths.log_file == isolated_home / "logs" / "jimeng-tui.log"
    assert set(paths.as_dict()) >= {"config_file", "history_db", "videos_dir", "log_file"}
    # `jimeng-tui locate` lists them in this order, each as its path
    home = str(isolated_home)
    assert list(paths.as_dict().items()) == [
        ("config_dir", f"{home}/config"),
        ("config_file", f"{home}/config/config.toml"),
        ("data_dir", f"{home}/data"),
        ("history_db", f"{home}/data/history.sqlite3"),
        ("sandbox_history_db", f"{home}/data/sandbox-history.sqlite3"),
        ("sandbox_tasks_file", f"{home}/data/sandbox-tasks.json"),
        ("cache_dir", f"{home}/cache"),
        ("log_dir", f"{home}/logs"),
        ("log_file", f"{home}/logs/jimeng-tui.log"),
        ("videos_dir", f"{home}/videos"),
    ]


def test_nothing_is_created(isolated_home):
    app_paths()
    assert not isolated_home.exists()


def test_explicit_env_mapping(tmp_path):
    paths = app_paths({"JIMENG_TUI_HOME": str(tmp_path / "h")})
    assert paths.data_dir == tmp_path / "h" / "data"


def test_platform_locations_without_home():
    paths = app_paths({})
    assert paths.config_dir == platformdirs.user_config_path("jimeng-tui", appauthor=False)
    assert paths.data_dir == platformdirs.user_data_path("jimeng-tui", appauthor=False)
    assert paths.cache_dir == platformdirs.user_cache_path("jimeng-tui", appauthor=False)
    assert paths.log_dir == platformdirs.user_log_path("jimeng-tui", appauthor=False)
    assert paths.videos_dir == platformdirs.user_videos_path() / "jimeng"


def test_import_creates_nothing(tmp_path):
    home = tmp_path / "fresh"
    env = {**os.environ, "JIMENG_TUI_HOME": str(home)}
    code = "import jimeng_tui.store.paths as p; p.app_paths()"
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    assert not home.exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_ensure_private_dir_creates_and_fixes_mode(tmp_path):
    folder = tmp_path / "a" / "b"
    assert ensure_private_dir(folder) == folder
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    loose = Path(tmp_path / "loose")
    loose.mkdir(mode=0o755)
    os.chmod(loose, 0o755)
    ensure_private_dir(loose)
    assert stat.S_IMODE(loose.stat().st_mode) == 0o700
