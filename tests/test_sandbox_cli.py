"""`python -m jimeng_tui.sandbox`: help text, foreground run, clean Ctrl-C."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from sandbox_cli_support import start_foreground

from jimeng_tui.sandbox import cli
from jimeng_tui.sandbox import options as sopts
from jimeng_tui.sandbox.testing import submit
from jimeng_tui.services.jimeng.signing import Credentials

OPTIONS = (
    "--host",
    "--port",
    "--access-key",
    "--secret-key",
    "--speed",
    "--queue-seconds",
    "--generate-seconds",
    "--max-concurrency",
    "--qps",
    "--fail-rate",
    "--reset-rate",
    "--slow-rate",
    "--slow-seconds",
    "--truncate-rate",
    "--large-file-bytes",
    "--request-log",
    "--task-file",
)


def run_module(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jimeng_tui.sandbox", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "COLUMNS": "100"},
    )


def test_help_documents_every_option_and_trigger():
    result = run_module("--help")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    for option in OPTIONS:
        assert option in text, option
    for word in (
        sopts.TEXT_RISK_WORD,
        sopts.POST_TEXT_RISK_WORD,
        sopts.VIDEO_RISK_WORD,
        sopts.IMAGE_RISK_MARKER,
    ):
        assert word in text
    for fact in ("50412", "50413", "50516", "50411", "50430", "50429", "50500", "8420"):
        assert fact in text
    assert "127.0.0.1" in text and "VOLC_ACCESSKEY" in text and "JIMENG_VIDEO_API_URL" in text


def test_options_from_args_maps_every_flag(tmp_path):
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    ns = parser.parse_args(
        [
            "--access-key=AK1",
            "--secret-key=SK1",
            "--speed=4",
            "--queue-seconds=2",
            "--generate-seconds=5",
            "--max-concurrency=3",
            "--qps=7",
            "--fail-rate=0.1",
            "--reset-rate=0.2",
            "--slow-rate=0.3",
            "--slow-seconds=1.5",
            "--truncate-rate=0.4",
            "--large-file-bytes=1000000",
            f"--request-log={tmp_path / 'log.jsonl'}",
            f"--task-file={tmp_path / 'tasks.json'}",
        ]
    )
    o = cli.options_from_args(ns)
    assert (o.access_key, o.secret_key, o.speed) == ("AK1", "SK1", 4.0)
    assert (o.queue_s, o.generate_s) == (0.5, 1.25)
    assert (o.max_concurrency, o.qps) == (3, 7.0)
    assert (o.fail_rate, o.reset_rate, o.slow_rate, o.truncate_rate) == (0.1, 0.2, 0.3, 0.4)
    assert (o.slow_seconds, o.large_file_bytes) == (1.5, 1_000_000)
    assert o.request_log == tmp_path / "log.jsonl"
    assert o.task_file == tmp_path / "tasks.json"
    defaults = cli.options_from_args(parser.parse_args([]))
    assert defaults.access_key == sopts.DEFAULT_ACCESS_KEY
    assert parser.parse_args([]).host == "127.0.0.1"
    assert parser.parse_args([]).port == sopts.DEFAULT_PORT


@pytest.mark.parametrize("args", [["--fail-rate", "1.5"], ["--speed", "0"], ["--port", "70000"]])
def test_bad_values_are_usage_errors(args):
    result = run_module(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


class _Target:
    def __init__(self, base_url: str, credentials: Credentials):
        self.base_url = base_url
        self.credentials = credentials


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_foreground_run_serves_and_stops_cleanly(tmp_path, sig):
    log = tmp_path / "requests.jsonl"
    proc, lines = start_foreground(
        "--port=0",
        "--speed=100",
        "--access-key=AKCLI",
        "--secret-key=cli-secret",
        f"--request-log={log}",
    )
    try:
        banner = "".join(lines)
        assert "AKCLI" in banner and "cli-secret" in banner
        assert "VOLC_ACCESSKEY" in banner and "JIMENG_VIDEO_API_URL" in banner
        base_url = next(
            ln.split("=", 1)[1].strip() for ln in lines if "JIMENG_VIDEO_API_URL=" in ln
        )
        assert base_url.startswith("http://127.0.0.1:")
        answer = submit(
            _Target(base_url, Credentials("AKCLI", "cli-secret")),
            {"req_key": "jimeng_t2v_v30", "prompt": "from the cli test"},
        )
        assert answer.status_code == 200
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "stopped" in out
    assert "from the cli test" in Path(log).read_text()


def test_busy_port_is_a_clear_error():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = run_module(f"--port={port}")
    assert result.returncode == 2
    assert f"127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
