"""`jimeng-tui sandbox` / `python -m jimeng_tui.sandbox` for Ark: the key flag, the Ark flags, the
banner's base URL and key, the help's triggers."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys

import httpx
import pytest
from sandbox_cli_support import start_foreground

from jimeng_tui.sandbox import cli
from jimeng_tui.sandbox.ark import DEFAULT_ARK_API_KEY, QUEUE_LIMIT


def parse(*args: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    return parser.parse_args(list(args))


def test_ark_flags_map_onto_the_options():
    o = cli.options_from_args(
        parse(
            "--ark-api-key=K1",
            "--ark-queue-limit=3",
            "--ark-deny=AccountOverdueError",
            "--ark-endpoint=ep-20260101-aaaaa=doubao-seedance-2-0-260128",
            "--ark-endpoint=ep-20260101-bbbbb=doubao-seedance-1-5-pro-251215",
            "--fail-after-create-rate=0.25",
            "--task-fail-rate=0.5",
            "--ark-model-not-open=doubao-seedance-1-0-pro-250528",
        )
    )
    assert o.ark_not_open == ("doubao-seedance-1-0-pro-250528",)
    assert (o.ark_api_key, o.ark_queue_limit, o.ark_deny) == ("K1", 3, "AccountOverdueError")
    assert o.ark_endpoints == {
        "ep-20260101-aaaaa": "doubao-seedance-2-0-260128",
        "ep-20260101-bbbbb": "doubao-seedance-1-5-pro-251215",
    }
    assert (o.fail_after_create_rate, o.task_fail_rate) == (0.25, 0.5)
    defaults = cli.options_from_args(parse())
    assert defaults.ark_api_key == DEFAULT_ARK_API_KEY
    assert (defaults.ark_queue_limit, defaults.ark_deny, defaults.ark_endpoints) == (
        QUEUE_LIMIT,
        None,
        {},
    )
    assert "ark_api_key='***'" in repr(cli.options_from_args(parse("--ark-api-key=K1")))


@pytest.mark.parametrize(
    "args",
    [
        ["--ark-deny", "Nope"],
        ["--ark-endpoint", "ep-1"],
        ["--ark-endpoint", "foo=doubao-seedance-2-0-260128"],
        ["--ark-endpoint", "ep-1=seedance-2.0"],
        ["--ark-queue-limit", "0"],
        ["--ark-model-not-open", "seedance-2.0"],
        ["--task-fail-rate", "2"],
    ],
)
def test_bad_ark_values_are_usage_errors_naming_the_problem(args):
    result = subprocess.run(
        [sys.executable, "-m", "jimeng_tui.sandbox", *args],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert args[0] in result.stderr and "Traceback" not in result.stderr


def test_help_documents_the_ark_flags_and_triggers():
    out = subprocess.run(
        [sys.executable, "-m", "jimeng_tui.sandbox", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "COLUMNS": "100"},
    ).stdout
    for needle in (
        "--ark-api-key",
        "--ark-queue-limit",
        "--ark-deny",
        "--ark-endpoint",
        "--ark-model-not-open",
        "--fail-after-create-rate",
        "--task-fail-rate",
        "/api/v3",
        DEFAULT_ARK_API_KEY,
        "QuotaExceeded",
        "sandbox-video-copyright",
        "OutputVideoSensitiveContentDetected",
        "InputTextSensitiveContentDetected",
        "ARK_API_KEY",
        "ARK_BASE_URL",
    ):
        assert needle in out, needle


def test_the_banner_prints_the_ark_base_url_and_key_and_the_key_is_enforced(tmp_path):
    log = tmp_path / "requests.jsonl"
    proc, lines = start_foreground(
        "--port=0", "--speed=100", "--ark-api-key=cli-ark-key", f"--request-log={log}"
    )
    try:
        banner = "".join(lines)
        assert "API key: cli-ark-key" in banner and "export ARK_API_KEY=cli-ark-key" in banner
        base = next(ln.split("=", 1)[1].strip() for ln in lines if "ARK_BASE_URL=" in ln)
        assert base.startswith("http://127.0.0.1:") and base.endswith("/api/v3")
        assert f"Ark (Seedance) at {base}" in banner
        url = base + "/contents/generations/tasks"
        payload = {
            "model": "doubao-seedance-2-0-fast-260128",
            "content": [{"type": "text", "text": "from the banner test"}],
        }
        with httpx.Client(trust_env=False) as http:
            good = http.post(url, json=payload, headers={"Authorization": "Bearer cli-ark-key"})
            bad = http.post(
                url, json=payload, headers={"Authorization": f"Bearer {DEFAULT_ARK_API_KEY}"}
            )
        assert good.status_code == 200 and bad.status_code == 401
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0 and "Traceback" not in err
    logged = [json.loads(line) for line in log.read_text().splitlines()]
    assert [e["http_status"] for e in logged if e["action"] == "CreateContentGenerationTask"] == [
        200,
        401,
    ]
    assert "cli-ark-key" not in log.read_text()
