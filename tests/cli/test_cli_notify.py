"""``generate`` notifies at its end when it ran longer than ``[notify] after_seconds`` (issue
18): the escape reaches the command's terminal (a real pty), not its stdout."""

from __future__ import annotations

import fcntl
import os
import pty
import subprocess
import termios
import time

from cli_support import sandbox_env

from jimeng_tui.store.paths import app_paths


def write_config(text: str) -> None:
    path = app_paths(os.environ).config_file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o600)


def run_on_a_pty(exe: str, args: list[str], env: dict[str, str]) -> tuple[int, bytes, str]:
    """Run with a pty as the controlling terminal (stderr there too); stdout is a pipe."""
    master, slave = pty.openpty()

    def take_terminal() -> None:
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        [exe, *args],
        env=env,
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=slave,
        start_new_session=True,
        preexec_fn=take_terminal,
    )
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    stdout = proc.communicate(timeout=30)[0].decode()
    os.close(master)
    return proc.returncode, seen, stdout


def test_generate_notifies_on_its_terminal_inside_tmux(exe, sandbox_server):
    write_config('[notify]\nmethod = "auto"\nafter_seconds = 0\n')
    env = sandbox_env(sandbox_server, TERM_PROGRAM="WezTerm", TMUX="/tmp/tmux-0/default,1,0")
    code, terminal, stdout = run_on_a_pty(exe, ["generate", "a paper boat", "--quiet"], env)
    assert code == 0, terminal
    assert stdout.strip().endswith(".mp4")  # the path, and no escape on stdout
    assert "\x1b" not in stdout
    start = terminal.index(b"\x1bPtmux;\x1b\x1b]9;Job 1 saved: a paper boat")
    assert terminal[start:].split(b"\x07", 1)[1].startswith(b"\x1b\\")


def test_generate_below_the_threshold_or_off_says_nothing(exe, sandbox_server):
    env = sandbox_env(sandbox_server, TERM_PROGRAM="WezTerm")
    write_config("[notify]\nafter_seconds = 3600\n")
    code, terminal, _ = run_on_a_pty(exe, ["generate", "short one", "--quiet"], env)
    assert code == 0 and b"\x1b]9;" not in terminal
    write_config('[notify]\nmethod = "none"\nafter_seconds = 0\n')
    code, terminal, _ = run_on_a_pty(exe, ["generate", "silent one", "--quiet"], env)
    assert code == 0 and b"\x1b]9;" not in terminal and b"\x07" not in terminal


def test_batch_says_how_many_lines_were_saved(exe, sandbox_server, tmp_path):
    write_config('[notify]\nmethod = "osc777"\nafter_seconds = 0\n')
    lines = tmp_path / "prompts.jsonl"
    lines.write_text('{"prompt": "first boat"}\n{"prompt": "second boat"}\n')
    env = sandbox_env(sandbox_server)
    code, terminal, _ = run_on_a_pty(exe, ["batch", str(lines), "--quiet"], env)
    assert code == 0, terminal
    assert b"\x1b]777;notify;Batch finished: 2 of 2 saved;2 lines in " in terminal
