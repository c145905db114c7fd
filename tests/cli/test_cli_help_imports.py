"""Help texts, and what the headless commands load (never Textual)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from cli_support import sandbox_env

from jimeng_tui.services.jimeng import catalog

ENV_VARS = (
    "VOLC_ACCESSKEY",
    "VOLC_SECRETKEY",
    "JIMENG_VIDEO_API_URL",
    "JIMENG_VIDEO_API_TIMEOUT",
    "JIMENG_VIDEO_POLL_INTERVAL",
    "JIMENG_VIDEO_MAX_POLL_ATTEMPTS",
)

# Runs main() in-process and reports, at exit, which textual modules were ever imported.
PROBE = """
import atexit, json, sys
def report():
    loaded = sorted(m for m in sys.modules if m.split('.')[0].startswith('textual'))
    sys.stderr.write('\\nTEXTUAL-MODULES ' + json.dumps(loaded) + '\\n')
atexit.register(report)
from jimeng_tui.cli.entry import main
sys.exit(main(sys.argv[1:]))
"""


def _probe(args, env, probe=PROBE):
    proc = subprocess.run(
        [sys.executable, "-c", probe, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    marker = [ln for ln in proc.stderr.splitlines() if ln.startswith("TEXTUAL-MODULES ")]
    assert marker, proc.stderr
    return proc, json.loads(marker[-1].split(" ", 1)[1])


def test_generate_never_imports_textual(sandbox_server):
    env = sandbox_env(sandbox_server)
    proc, loaded = _probe(["generate", "A heron in the reeds", "--duration", "4"], env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("**Generated Video:**\n")
    assert loaded == []


def test_batch_never_imports_textual(sandbox_server, tmp_path):
    batch = tmp_path / "one.jsonl"
    batch.write_text('{"prompt": "A heron in the reeds", "duration": 4}\n', encoding="utf-8")
    proc, loaded = _probe(["batch", str(batch)], sandbox_env(sandbox_server))
    assert proc.returncode == 0, proc.stderr
    assert "line 1: saved: " in proc.stdout
    assert loaded == []


@pytest.mark.parametrize(
    "args",
    [
        ["generate", "--help"],
        ["batch", "--help"],
        ["batch", "missing.jsonl", "--dry-run"],
        ["history", "--json"],
        ["locate"],
        ["resume"],
        ["status", "1", "--mode", "t2v_720p"],
        ["generate", "x", "--mode", "i2v_first_720p"],
    ],
)
def test_headless_commands_never_import_textual(args, sandbox_server):
    _proc, loaded = _probe(args, sandbox_env(sandbox_server))
    assert loaded == []


def test_generate_help_lists_values_environment_and_examples(exe_cli):
    result = exe_cli("generate", "--help")
    assert result.returncode == 0
    text = result.stdout
    for value in (
        *catalog.MODE_NAMES,
        *catalog.CAMERA_TEMPLATES,
        *catalog.CAMERA_STRENGTHS,
        *catalog.ASPECT_RATIOS,
    ):
        assert value in text, value
    assert "4, 5, 6, 8, 10" in text and "24, 25, 30" in text
    for name in ENV_VARS:
        assert name in text, name
    # examples: text-to-video, image from a local file, first+last frame, camera movement
    assert 'jimeng-tui generate "A golden retriever' in text
    assert "--mode i2v_first_720p --image ./cat.jpg" in text
    assert "--tail-image" in text.split("examples:")[1]
    assert "--camera-template dynamic_orbit" in text
    assert "exit status:" in text and "130" in text


@pytest.mark.parametrize("command", ["status", "wait", "resume", "history", "locate", "batch"])
def test_every_subcommand_has_help(exe_cli, command):
    result = exe_cli(command, "--help")
    assert result.returncode == 0, result
    assert result.stdout.startswith(f"usage: jimeng-tui {command}")
    if command in ("status", "wait", "batch"):
        assert "t2v_720p" in result.stdout and "VOLC_ACCESSKEY" in result.stdout
    if command == "batch":
        for text in ("JSON Lines", ".csv", "--dry-run", "--retry-failed", "exit status:", "130"):
            assert text in result.stdout, text


def test_top_level_help_and_version(exe_cli):
    result = exe_cli("--help")
    assert result.returncode == 0
    for command in (
        "generate",
        "batch",
        "status",
        "wait",
        "resume",
        "history",
        "locate",
        "sandbox",
    ):
        assert command in result.stdout
    assert all(name in result.stdout for name in ENV_VARS)
    version = exe_cli("--version")
    assert version.returncode == 0 and version.stdout.startswith("jimeng-tui ")


def test_sandbox_help_is_delegated(exe_cli):
    pytest.importorskip("jimeng_tui.sandbox.cli")
    result = exe_cli("sandbox", "--help")
    assert result.returncode == 0, result
    assert result.stdout.startswith("usage: jimeng-tui sandbox")
    assert "--port" in result.stdout and "--speed" in result.stdout


@pytest.mark.parametrize(
    "args", [["history", "--search", "cat"], ["history", "--export", "{tmp}/all.csv"]]
)
def test_history_loads_no_event_loop_network_or_media(args, sandbox_server, tmp_path):
    """`history` reads a SQLite file and prints: it starts without asyncio, httpx, PyAV or
    Pillow (asyncio alone was a fifth of its start-up)."""
    probe = PROBE.replace(
        ".startswith('textual')",
        " in ('asyncio', 'httpx', 'av', 'PIL') and sys.modules[m] is not None",
    )
    args = [a.format(tmp=tmp_path) for a in args]
    proc, loaded = _probe(args, sandbox_env(sandbox_server), probe)
    assert proc.returncode == 0, proc.stderr
    assert loaded == []


# Every command's own modules (its parser's and its run's), from the command table.
COMMAND_MODULES = {
    "generate": {"jimeng_tui.cli.generate", "jimeng_tui.cli.generation_options"},
    "batch": {"jimeng_tui.cli.batch"},
    "status": {"jimeng_tui.cli.follow"},
    "history": {"jimeng_tui.cli.history"},
    "doctor": {"jimeng_tui.cli.doctor"},
    "mcp": {"jimeng_tui.cli.mcp"},
    "serve": {"jimeng_tui.cli.serve"},
    "spend": {"jimeng_tui.cli.spend"},
    "story": {"jimeng_tui.cli.story"},
    "cancel": {"jimeng_tui.cli.cancel"},
    "tasks": {"jimeng_tui.cli.tasks"},
}


@pytest.mark.parametrize(
    ("args", "own", "expected"),
    [
        (["history", "--search", "cat"], "history", {"jimeng_tui.cli.history"}),
        (["generate", "--help"], "generate", {"jimeng_tui.cli.generation_options"}),
        (["cancel", "--help"], "cancel", {"jimeng_tui.cli.cancel"}),
        (["--version"], None, set()),  # and the app's start: the names of the commands only
    ],
)
def test_a_command_loads_its_own_modules_only(args, own, expected, sandbox_server):
    """Only the named command's parser is built and only its module runs: `history --search`
    starts without generate's options or the services' tables (issue 20: a search from process
    start against the sqlite3 CLI), `generate --help` without the other commands, and
    `--version` (or the app) without any."""
    probe = PROBE.replace(
        "m.split('.')[0].startswith('textual')", "m.startswith(('jimeng_tui.', 'textual'))"
    )
    proc, modules = _probe(args, sandbox_env(sandbox_server), probe)
    assert proc.returncode == 0, proc.stderr
    loaded = set(modules)
    assert expected <= loaded
    others = set().union(*(mods for name, mods in COMMAND_MODULES.items() if name != own))
    assert loaded & others == set()
    assert not [m for m in loaded if m.startswith("textual")]
    if own is None:
        assert {"jimeng_tui.cli.job_parsers", "jimeng_tui.cli.history_parsers"} & loaded == set()
    if own == "history":
        assert "jimeng_tui.services.registry" not in loaded


def test_an_english_history_table_needs_no_cell_width_table(sandbox_server):
    """`history --search` over English prompts draws its table without loading Rich's cell
    widths (printable ASCII takes one cell a character); a Chinese prompt still gets them (two
    cells a character), and both tables line up."""
    from jimeng_tui.domain.job import Job, JobState
    from jimeng_tui.store.history import History
    from jimeng_tui.store.paths import app_paths

    db = app_paths().history_db
    db.parent.mkdir(parents=True, exist_ok=True)
    with History(db) as history:
        for prompt in ("A cat on a velvet sofa", "A cat in the rain, very long " * 4, "一只猫"):
            params = {"prompt": prompt, "mode": "t2v_720p"}
            made = dict(created_at=time.time(), req_key="jimeng_t2v_v30", params=params)
            history.add(Job(id=None, prompt=prompt, mode="t2v_720p", state=JobState.SAVED, **made))
    probe = PROBE.replace(
        "m.split('.')[0].startswith('textual')", "m.split('.')[0] in ('rich', 'textual')"
    )
    english, loaded = _probe(["history", "--search", "cat"], sandbox_env(sandbox_server), probe)
    assert english.returncode == 0, english.stderr
    assert loaded == []
    chinese, loaded = _probe(["history", "--search", "猫"], sandbox_env(sandbox_server), probe)
    assert chinese.returncode == 0, chinese.stderr
    assert "rich.cells" in loaded
    from jimeng_tui.cli.text import cells

    assert "A cat in the rain, very long A cat in the rain,…  -" in english.stdout
    for table in (english.stdout, chinese.stdout):
        head, *rows = table.splitlines()
        assert rows and all(cells(row[: row.rindex("-")]) == head.index("PATH") for row in rows)
