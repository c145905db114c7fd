"""config.toml: round trip, environment overrides, atomic private writes, broken files, errors."""

from __future__ import annotations

import os
import stat
import tomllib

import pytest

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.session import config as session_config
from jimeng_tui.session.config import (  # the store's checks + the service's choices
    load_config,
    save_config,
)
from jimeng_tui.store import config as config_mod
from jimeng_tui.store.config import (
    Config,
    ConfigError,
    CredentialsConfig,
    mask_key,
)
from jimeng_tui.store.paths import app_paths

SECRET = "s3cr3t-VALUE-never-shown-0123456789"
ACCESS = "AKLTexampleaccesskey7F2Q"
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX modes")


@pytest.fixture
def paths():
    return app_paths()


def write(paths, text: str | bytes):
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    data = text.encode() if isinstance(text, str) else text
    paths.config_file.write_bytes(data)
    os.chmod(paths.config_file, 0o600)
    return paths.config_file


def sample_config() -> Config:
    config = Config()
    config.credentials = CredentialsConfig(ACCESS, SECRET)
    config.defaults.mode = "i2v_recamera_720p"
    config.defaults.duration = 10
    config.defaults.fps = 30
    config.defaults.aspect_ratio = "9:16"
    config.defaults.camera_template = "dynamic_orbit"
    config.defaults.camera_strength = "strong"
    config.defaults.output_dir = "/videos/out"
    config.defaults.filename_template = "{date}_{task_id}"
    config.network.api_url = "http://127.0.0.1:8420"
    config.network.timeout = 12.5
    config.network.poll_interval = 0.5
    config.network.max_poll_attempts = 7
    config.network.max_concurrency = 100
    config.network.retries = 0
    config.keys = {"generate": "ctrl+g", "history": "f3"}
    return config


def test_missing_file_gives_defaults(paths):
    loaded = load_config(paths, env={})
    assert loaded.config == Config()
    assert loaded.file_config == Config()
    assert loaded.warnings == []
    assert loaded.env_overrides == {}
    assert loaded.path == paths.config_file
    assert not loaded.config.has_credentials
    assert not paths.config_dir.exists()


def test_round_trip(paths):
    config = sample_config()
    assert save_config(config, paths) == paths.config_file
    loaded = load_config(paths, env={})
    assert loaded.config == config
    assert loaded.file_config == config
    assert loaded.warnings == []
    assert loaded.config.has_credentials


@posix_only
def test_modes_are_private_and_fixed_on_save(paths):
    paths.config_dir.mkdir(parents=True)
    os.chmod(paths.config_dir, 0o755)
    paths.config_file.write_text("[defaults]\nfps = 25\n")
    os.chmod(paths.config_file, 0o644)
    save_config(load_config(paths, env={}).file_config, paths)
    assert stat.S_IMODE(paths.config_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE(paths.config_file.stat().st_mode) == 0o600
    assert load_config(paths, env={}).config.defaults.fps == 25


@posix_only
def test_readable_by_others_warns(paths):
    write(paths, f'[credentials]\nsecret_key = "{SECRET}"\n')
    os.chmod(paths.config_file, 0o644)
    loaded = load_config(paths, env={})
    assert any("other users" in w and "0644" in w for w in loaded.warnings)
    assert all(SECRET not in w for w in loaded.warnings)


def test_environment_wins_and_is_not_written_back(paths):
    save_config(sample_config(), paths)
    env = {
        "VOLC_ACCESSKEY": "AKENVACCESSKEY000001",
        "VOLC_SECRETKEY": "env-secret-value",
        "JIMENG_VIDEO_API_URL": "https://example.test/",
        "JIMENG_VIDEO_API_TIMEOUT": "42",
        "JIMENG_VIDEO_POLL_INTERVAL": "1.5",
        "JIMENG_VIDEO_MAX_POLL_ATTEMPTS": "9",
    }
    loaded = load_config(paths, env=env)
    c = loaded.config
    assert c.credentials.access_key == "AKENVACCESSKEY000001"
    assert c.credentials.secret_key == "env-secret-value"
    assert c.network.api_url == "https://example.test"
    assert c.network.timeout == 42.0
    assert c.network.poll_interval == 1.5
    assert c.network.max_poll_attempts == 9
    assert loaded.env_overrides == {
        "credentials.access_key": "VOLC_ACCESSKEY",
        "credentials.secret_key": "VOLC_SECRETKEY",
        "network.api_url": "JIMENG_VIDEO_API_URL",
        "network.timeout": "JIMENG_VIDEO_API_TIMEOUT",
        "network.poll_interval": "JIMENG_VIDEO_POLL_INTERVAL",
        "network.max_poll_attempts": "JIMENG_VIDEO_MAX_POLL_ATTEMPTS",
    }
    assert loaded.file_config == sample_config()

    save_config(loaded.file_config, paths)
    text = paths.config_file.read_text()
    assert "env-secret-value" not in text
    assert "AKENVACCESSKEY000001" not in text
    assert "example.test" not in text

    # editing the effective config in a settings screen, then saving: env values stay out
    edited = loaded.config.copy()
    edited.defaults.fps = 25
    save_config(loaded.for_saving(edited), paths)
    text = paths.config_file.read_text()
    assert "env-secret-value" not in text
    again = load_config(paths, env={}).config
    assert again.defaults.fps == 25
    assert again.credentials.secret_key == SECRET


def test_environment_from_os_environ(paths, monkeypatch):
    monkeypatch.setenv("JIMENG_VIDEO_API_TIMEOUT", "7")
    assert load_config(paths).config.network.timeout == 7.0


def test_empty_env_var_is_ignored(paths):
    loaded = load_config(paths, env={"VOLC_ACCESSKEY": "  ", "JIMENG_VIDEO_API_TIMEOUT": ""})
    assert loaded.env_overrides == {}


@pytest.mark.parametrize(
    ("var", "value"),
    [
        ("JIMENG_VIDEO_API_TIMEOUT", "abc"),
        ("JIMENG_VIDEO_API_TIMEOUT", "-1"),
        ("JIMENG_VIDEO_POLL_INTERVAL", "0"),
        ("JIMENG_VIDEO_MAX_POLL_ATTEMPTS", "-1"),
        ("JIMENG_VIDEO_MAX_POLL_ATTEMPTS", "2.5"),
        ("JIMENG_VIDEO_API_URL", "ftp://example.com"),
    ],
)
def test_bad_env_value_names_the_variable(paths, var, value):
    with pytest.raises(ConfigError) as info:
        load_config(paths, env={var: value})
    message = str(info.value)
    assert var in message
    assert repr(value) in message
    assert "allowed" in message
    assert info.value.env_var == var
    assert isinstance(info.value, JimengError)


def test_failed_write_leaves_old_file_intact(paths, monkeypatch):
    save_config(sample_config(), paths)
    before = paths.config_file.read_bytes()

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(config_mod.os, "replace", broken_replace)
    changed = sample_config()
    changed.defaults.fps = 25
    with pytest.raises(OSError):
        save_config(changed, paths)
    assert paths.config_file.read_bytes() == before
    assert sorted(p.name for p in paths.config_dir.iterdir()) == ["config.toml"]  # no temp left


def test_broken_toml_is_moved_aside(paths, monkeypatch):
    original = b'[defaults]\nmode = "t2v_720p"\nfps = = 24\n'
    write(paths, original)
    monkeypatch.setattr(config_mod, "_timestamp", lambda: "20250101-120000")
    loaded = load_config(paths, env={})
    assert loaded.config == Config()
    broken = paths.config_dir / "config.toml.broken-20250101-120000"
    assert broken.read_bytes() == original
    assert not paths.config_file.exists()
    (warning,) = loaded.warnings
    assert "line 3, column 7" in warning
    assert "config.toml.broken-20250101-120000" in warning

    # a second broken file in the same second does not overwrite the first
    write(paths, b"[[[")
    loaded = load_config(paths, env={})
    assert broken.read_bytes() == original
    second = paths.config_dir / "config.toml.broken-20250101-120000-2"
    assert second.read_bytes() == b"[[["
    assert "config.toml.broken-20250101-120000-2" in loaded.warnings[0]


def test_not_utf8_is_moved_aside(paths, monkeypatch):
    original = b'[defaults]\nmode = "\xff\xfe"\n'
    write(paths, original)
    monkeypatch.setattr(config_mod, "_timestamp", lambda: "20250101-120000")
    loaded = load_config(paths, env={})
    assert loaded.config == Config()
    assert (paths.config_dir / "config.toml.broken-20250101-120000").read_bytes() == original
    assert "UTF-8" in loaded.warnings[0]
    assert "line 2" in loaded.warnings[0]


def test_unreadable_file_is_moved_aside(paths, monkeypatch):
    paths.config_file.mkdir(parents=True)  # e.g. a folder where the file should be
    monkeypatch.setattr(config_mod, "_timestamp", lambda: "20250101-120000")
    loaded = load_config(paths, env={})
    assert loaded.config == Config()
    assert "could not be read" in loaded.warnings[0]
    assert (paths.config_dir / "config.toml.broken-20250101-120000").is_dir()
    save_config(loaded.config, paths)  # the usual place is free again
    assert paths.config_file.is_file()


def test_broken_file_warning_hides_secret(paths):
    write(paths, f'[credentials]\nsecret_key = "{SECRET}\n')
    loaded = load_config(paths, env={})
    assert loaded.warnings
    assert all(SECRET not in w for w in loaded.warnings)


@pytest.mark.parametrize(
    ("text", "key", "line", "column", "value"),
    [
        ("[defaults]\nmode = 't2v_720p'\nduration = 7\n", "defaults.duration", 3, 12, "7"),
        ("# c\n[defaults]\n  fps   =   60\n", "defaults.fps", 3, 13, "60"),
        ('[defaults]\nmode = "t2v_4k"\n', "defaults.mode", 2, 8, "'t2v_4k'"),
        ('[defaults]\naspect_ratio = "2:1"\n', "defaults.aspect_ratio", 2, 16, "'2:1'"),
        ('[defaults]\ncamera_template = "spin"\n', "defaults.camera_template", 2, 19, "'spin'"),
        ('[defaults]\ncamera_strength = "max"\n', "defaults.camera_strength", 2, 19, "'max'"),
        ("[network]\ntimeout = -3\n", "network.timeout", 2, 11, "-3"),
        ("[network]\nmax_concurrency = 101\n", "network.max_concurrency", 2, 19, "101"),
        ("[network]\nmax_concurrency = 0\n", "network.max_concurrency", 2, 19, "0"),
        ('[network]\napi_url = "ftp://x"\n', "network.api_url", 2, 11, "'ftp://x'"),
        ("[network]\npoll_interval = true\n", "network.poll_interval", 2, 17, "True"),
        ("defaults.duration = 3\n", "defaults.duration", 1, 21, "3"),
        ("defaults = { fps = 12 }\n", "defaults.fps", 1, 20, "12"),
    ],
)
def test_invalid_value_names_key_line_column_and_allowed(paths, text, key, line, column, value):
    write(paths, text)
    with pytest.raises(ConfigError) as info:
        load_config(paths, env={})
    message = str(info.value)
    assert key in message
    assert f"line {line}, column {column}" in message
    assert value in message
    assert "allowed:" in message
    assert (info.value.key, info.value.line, info.value.column) == (key, line, column)
    assert paths.config_file.exists()  # an invalid value is not a broken file: left in place


def test_allowed_values_come_from_the_catalog(paths):
    write(paths, "[defaults]\nduration = 7\n")
    with pytest.raises(ConfigError, match=r"4, 5, 6, 8, 10"):
        load_config(paths, env={})


def test_unknown_keys_warn_and_survive_a_save(paths):
    write(paths, '[defaults]\nfps = 25\ncolour = "blue"\n\n[plugins]\nx = 1\n')
    loaded = load_config(paths, env={})
    assert loaded.config.defaults.fps == 25
    assert any("defaults.colour" in w and "line 3" in w for w in loaded.warnings)
    assert any("plugins" in w for w in loaded.warnings)
    save_config(loaded.file_config, paths)
    data = tomllib.loads(paths.config_file.read_text())
    assert data["defaults"]["colour"] == "blue"
    assert data["plugins"] == {"x": 1}


def test_secret_never_shown(paths):
    config = sample_config()
    assert SECRET not in repr(config)
    assert SECRET not in str(config.credentials)
    save_config(config, paths)
    loaded = load_config(paths, env={"VOLC_SECRETKEY": SECRET + "x"})
    assert SECRET not in repr(loaded)
    write(paths, "[credentials]\nsecret_key = 12345\n")
    with pytest.raises(ConfigError) as info:
        load_config(paths, env={})
    assert "credentials.secret_key" in str(info.value)
    assert "12345" not in str(info.value)


def test_save_refuses_invalid_values(paths):
    config = Config()
    config.defaults.duration = 7
    with pytest.raises(ConfigError, match=r"defaults\.duration"):
        save_config(config, paths)
    assert not paths.config_file.exists()


def test_validate_setting():
    assert session_config.validate_setting("defaults.duration", 10) == 10
    assert session_config.validate_setting("network.timeout", "2.5") == 2.5
    with pytest.raises(ConfigError, match=r"4, 5, 6, 8, 10") as info:
        session_config.validate_setting("defaults.duration", 7)
    assert info.value.key == "defaults.duration"
    with pytest.raises(ConfigError, match="Unknown setting"):
        session_config.validate_setting("defaults.colour", "blue")


def test_mask_key():
    assert mask_key(ACCESS) == "AK…7F2Q"
    assert mask_key("") == ""
    assert "abcdef" not in mask_key("abcdefgh")
    assert CredentialsConfig(ACCESS, SECRET).masked_access_key() == "AK…7F2Q"


def test_a_broken_config_moved_aside_is_private_whatever_its_mode(paths):
    write(paths, b'[credentials]\nsecret_key = "s3cr3t"\n[[[\n')
    os.chmod(paths.config_file, 0o644)
    loaded = load_config(paths, env={})
    (moved,) = paths.config_dir.glob("config.toml.broken-*")
    assert moved.name in loaded.warnings[0]
    assert stat.S_IMODE(moved.stat().st_mode) == 0o600
    assert b"s3cr3t" in moved.read_bytes()  # kept, not lost


@pytest.mark.timeout(20)
def test_a_config_that_is_a_pipe_is_not_read_and_is_moved_aside(paths):
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    os.mkfifo(paths.config_file)  # reading it would block for ever
    loaded = load_config(paths, env={})
    assert loaded.config == Config()
    assert "named pipe" in loaded.warnings[0]
    assert not paths.config_file.exists()
