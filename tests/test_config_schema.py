"""The config schema: one declaration per setting, from which loading, checking, saving and the
settings screen's lists are made. What is written to config.toml must not change by a byte."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from jimeng_tui.session.config import load_config, save_config
from jimeng_tui.store import config_schema
from jimeng_tui.store.config import Config, ConfigError
from jimeng_tui.store.paths import app_paths

FIXTURE = Path(__file__).parent / "fixtures" / "config_full.toml"

# Every setting away from its default, unknown keys and tables kept, key bindings and prices.
FULL_TEXT = """\
stray_top = 1

[credentials]
access_key = "AKLTexampleaccesskey7F2Q"
secret_key = "s3cr3t-VALUE-0123456789"
ark_api_key = "ark-0123456789abcdef"
future_key = "kept"

[defaults]
model = "seedance-1.5-pro"
mode = "i2v_first_tail_720p"
duration = 10
fps = 24
aspect_ratio = "9:16"
camera_template = "robo_arm"
camera_strength = "strong"
output_dir = "/tmp/videos out"
filename_template = "{date}-{mode}-{task_id}"
confirm_paid = false

[network]
api_url = "http://127.0.0.1:9999/"
ark_url = "https://ark.ap-southeast.bytepluses.com/api/v3"
timeout = 12
poll_interval = 0.5
max_poll_attempts = 7
max_concurrency = 3
retries = 0

[notify]
method = "bell"
after_seconds = 0

[serve]
token = "serve-token-123"

[mcp]
token = "mcp-token-456"

[budget]
daily = 5
monthly = 80.5

[keys]
generate = "ctrl+g"

[prices]
currency = "USD"
t2v_720p = 0.25
"seedance-1.5-pro:audio" = 16

[future_table]
x = "y"
"""


def test_a_full_config_is_written_byte_for_byte_as_before(write_config):
    """The bytes the code before the schema wrote for FULL_TEXT (fixtures/config_full.toml)."""
    paths = app_paths()
    write_config(FULL_TEXT)
    loaded = load_config(paths, env={})
    save_config(loaded.file_config, paths)
    assert paths.config_file.read_bytes() == FIXTURE.read_bytes()


def test_the_defaults_are_written_byte_for_byte_as_before():
    paths = app_paths()
    save_config(Config(), paths)
    expected = (Path(__file__).parent / "fixtures" / "config_defaults.toml").read_bytes()
    assert paths.config_file.read_bytes() == expected


def test_every_setting_is_declared_once_with_its_type_and_default():
    """The dataclasses are the schema: each field's annotation is its value's type, each has a
    rule, and the tables the loader, the saver and the screen read are made from them."""
    seen = set()
    for item in config_schema.SCHEMA:
        assert item.name not in seen
        seen.add(item.name)
        assert isinstance(item.default, item.type)
        assert item.rule(item.default) == item.default  # every default passes its own rule
    assert seen == {f"{s}.{k}" for s, keys in config_schema.RULES.items() for k in keys}
    config = Config()
    for item in config_schema.SCHEMA:
        assert getattr(getattr(config, item.section), item.key) == item.default
    for section in config_schema.SAVED_SECTIONS:
        names = [f.name for f in dataclasses.fields(getattr(config, section))]
        assert names == [i.key for i in config_schema.SCHEMA if i.section == section]
    assert {
        "credentials.secret_key",
        "credentials.ark_api_key",
        "serve.token",
        "mcp.token",
    } == config_schema.SECRET_SETTINGS
    # a secret is never in a repr
    assert "mcp-token" not in repr(dataclasses.replace(config.mcp, token="mcp-token"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[network]\ntimeout = -1\n",
            "(line 2, column 11): network.timeout = -1 must be greater than 0; "
            "allowed: a number greater than 0 (seconds).",
        ),
        (
            "[credentials]\nsecret_key = 5\n",
            "(line 2, column 14): credentials.secret_key must be a string; allowed: a string.",
        ),
        (
            '[notify]\nmethod = "loud"\n',
            "(line 2, column 10): notify.method = 'loud' is not allowed; "
            "allowed: auto, osc9, osc777, osc99, desktop, bell, none.",
        ),
    ],
)
def test_bad_values_keep_their_messages(text, message):
    paths = app_paths()
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    paths.config_file.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(paths, env={})
    assert message in str(caught.value)


def test_the_fixture_is_the_full_text_read_back():
    """The fixture is what FULL_TEXT saves to (not hand-edited): it reads back to the same."""
    data = tomllib.loads(FIXTURE.read_text())
    assert data["network"]["timeout"] == 12.0
    assert data["credentials"]["future_key"] == "kept"
    assert data["future_table"] == {"x": "y"}


def test_the_forms_defaults_mirror_the_schema():
    """The form keeps its own copy of the [defaults] it shows (so the first screen does not load
    the config store); each of its fields must start where the schema's setting does."""
    from jimeng_tui.tui.widgets.form_fields import FormDefaults

    form = FormDefaults()
    for item in dataclasses.fields(FormDefaults):
        setting = config_schema.SETTINGS[f"defaults.{item.name}"]
        assert getattr(form, item.name) == setting.default, item.name
        assert getattr(form, item.name).__class__ is setting.type
