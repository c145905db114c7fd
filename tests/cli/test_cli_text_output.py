"""Prompts are printed safely (control characters escaped, stored and sent as typed) and the
history table lines up by display cells (Chinese characters take two)."""

from __future__ import annotations

import json
import time

from cli_support import history_jobs
from rich.cells import cell_len

from jimeng_tui.cli import entry as cli
from jimeng_tui.domain.job import Job, JobState

# sets the terminal's title, rings the bell, clears the screen, reverses the text after it
EVIL = "A cat\x1b]0;pwned\x07 sleeps \x1b[2J on a \x9b31m sofa \u202eevil\r"
RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\r")


def _no_raw_controls(text: str) -> bool:
    return not any(ch in text for ch in RAW)


def test_prompt_controls_are_printed_escaped_and_sent_as_typed(cli, sandbox_server, tmp_path):
    made = cli("generate", EVIL)
    assert made.returncode == 0, made
    assert _no_raw_controls(made.stdout + made.stderr)
    assert (
        "- Prompt: A cat\\x1b]0;pwned\\x07 sleeps \\x1b[2J on a \\x9b31m sofa \\u202eevil\\x0d\n"
        in made.stdout
    )
    (job,) = history_jobs()
    assert job.prompt == EVIL  # stored as sent
    assert sandbox_server.submitted_bodies()[0]["prompt"] == EVIL  # sent as typed

    table = cli("history")
    assert table.returncode == 0, table
    assert _no_raw_controls(table.stdout + table.stderr)
    assert "A cat\\x1b]0;pwned\\x07 sleeps" in table.stdout

    as_json = cli("history", "--json")
    assert _no_raw_controls(as_json.stdout)
    assert json.loads(as_json.stdout)[0]["prompt"] == EVIL  # the same value, escaped as JSON

    batch = tmp_path / "evil.jsonl"
    batch.write_text(json.dumps({"prompt": EVIL}) + "\n", encoding="utf-8")
    dry = cli("batch", str(batch), "--dry-run")
    assert dry.returncode == 0, dry
    assert _no_raw_controls(dry.stdout + dry.stderr)
    assert "line 1: would submit" in dry.stdout


def _add(history, prompt: str, path: str, created: float) -> None:
    history.add(
        Job(
            None,
            created,
            prompt,
            "t2v_720p",
            "jimeng_t2v_v30",
            {"duration": 5, "fps": 24},
            state=JobState.SAVED,
            path=path,
            duration_s=5.0,
            fps=24.0,
        )
    )


def test_history_table_lines_up_with_chinese_prompts(capsys, monkeypatch):
    import os

    from jimeng_tui.store.history import History
    from jimeng_tui.store.paths import app_paths

    monkeypatch.setenv("COLUMNS", "160")
    db = app_paths(os.environ).history_db
    history = History(db)
    now = time.time()
    rows = [
        ("一只橘猫在阳光下的窗台上慢慢地伸懒腰，然后跳到沙发上睡着了", "/v/cat.mp4"),
        ("A cat stretches on a sunny windowsill", "/v/stretch.mp4"),
        ("海浪 at dusk", "/v/浪.mp4"),
    ]
    for i, (prompt, path) in enumerate(rows):
        _add(history, prompt, path, now - i)
    history.close()

    assert cli.main(["history"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    # every row's PATH starts at the header's PATH cell, whatever the prompt's script
    start = cell_len(lines[0][: lines[0].index("PATH")])
    for line, (_prompt, path) in zip(lines[1:], rows, strict=True):
        assert cell_len(line[: line.index(path)]) == start, lines
    # the long Chinese prompt was cut to the column's width in cells, with an ellipsis
    assert "…" in lines[1]
    prompt_start = cell_len(lines[0][: lines[0].index("PROMPT")])
    assert cell_len(lines[1][: lines[1].index("…") + 1]) <= start - 2
    assert cell_len(lines[1][:prompt_start]) == prompt_start
