"""In-process checks of the entry point: the TUI without a command, the sandbox command."""

from __future__ import annotations

import pytest

from jimeng_tui.cli import entry as cli


@pytest.mark.parametrize(("argv", "sandbox"), [([], False), (["--sandbox"], True)])
def test_no_command_opens_the_tui(monkeypatch, argv, sandbox):
    import jimeng_tui.tui.app as tui_app

    calls = []
    monkeypatch.setattr(tui_app, "run_app", lambda *, sandbox: calls.append(sandbox) or 0)
    assert cli.main(argv) == 0
    assert calls == [sandbox]


def test_sandbox_command_is_delegated(monkeypatch):
    import jimeng_tui.sandbox.cli as sandbox_cli

    seen = []
    monkeypatch.setattr(sandbox_cli, "run", lambda ns: seen.append((ns.port, ns.speed)) or 0)
    assert cli.main(["sandbox", "--port", "8555", "--speed", "4"]) == 0
    assert seen == [(8555, 4.0)]


def test_interrupted_before_anything_was_sent(monkeypatch, capsys):
    import jimeng_tui.cli.generate as commands

    def boom(ns):
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "cmd_generate", boom)
    assert cli.main(["generate", "cat"]) == 130
    assert "interrupted" in capsys.readouterr().err
