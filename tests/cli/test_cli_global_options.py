"""Global options (``--sandbox``) are taken before or after every command's name."""

from __future__ import annotations

import pytest
from cli_support import history_jobs, no_account_env, run_cli

from jimeng_tui.cli import entry as cli

COMMAND_ARGS = {
    "generate": ["a cat"],
    "batch": ["x.jsonl"],
    "story": ["run", "film.toml"],
    "status": ["1"],
    "cancel": ["1"],
    "tasks": ["adopt", "cgt-1"],
    "wait": ["1"],
    "resume": [],
    "history": [],
    "locate": [],
    "sandbox": [],
}


def _commands() -> list[str]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sorted(sub.choices)


def test_every_registered_command_takes_the_global_options():
    # a command added later the usual way (sub.add_parser) gets them too
    assert set(COMMAND_ARGS) <= set(_commands())
    for name in _commands():
        parser = cli.build_parser(name)
        args = COMMAND_ARGS.get(name, [])
        assert parser.parse_args([name, *args]).sandbox is False
        assert parser.parse_args(["--sandbox", name, *args]).sandbox is True
        assert parser.parse_args([name, *args, "--sandbox"]).sandbox is True
        assert parser.parse_args(["--sandbox", name, *args, "--sandbox"]).sandbox is True


@pytest.mark.parametrize("command", ["status", "wait", "resume", "locate"])
def test_help_lists_the_global_option(command, capsys):
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    out = capsys.readouterr().out
    assert "global options (also accepted before the command)" in out
    assert "--sandbox" in out


def test_sandbox_after_status_wait_resume_locate(exe):
    env = no_account_env()
    made = run_cli(exe, "--sandbox", "generate", "A kite over the dunes", env=env)
    assert made.returncode == 0, made
    (job,) = history_jobs(sandbox=True)

    status = run_cli(exe, "status", job.task_id, "--sandbox", env=env)
    assert status.returncode == 0, status
    assert status.stdout.splitlines()[0] == "done"

    wait = run_cli(exe, "wait", job.task_id, "--sandbox", env=env)
    assert wait.returncode == 0, wait
    assert f"- Save Path: {job.path}" in wait.stdout

    resume = run_cli(exe, "resume", "--sandbox", env=env)
    assert resume.returncode == 0, resume
    assert "nothing to resume" in resume.stderr

    locate = run_cli(exe, "locate", "--sandbox", env=env)
    assert locate.returncode == 0, locate
    assert "sandbox_history_db" in locate.stdout

    both = run_cli(exe, "--sandbox", "history", "--sandbox", env=env)
    assert both.returncode == 0 and "A kite over the dunes" in both.stdout, both
    assert history_jobs() == []  # nothing went to the live history


@pytest.mark.parametrize("argv", [["--help"], ["generate", "--help"]])
def test_help_names_every_environment_variable_the_config_reads(argv, capsys):
    """Each variable that overrides a setting (the config schema's list) is in the help."""
    from jimeng_tui.store.config_schema import ENV_OVERRIDES

    with pytest.raises(SystemExit):
        cli.main(argv)
    text = capsys.readouterr().out
    missing = [var for var in ENV_OVERRIDES if var not in text]
    assert missing == [], missing
    assert "JIMENG_TUI_MCP_TOKEN" in text and "JIMENG_TUI_HOME" in text


@pytest.mark.parametrize("argv", [["--help", "generate"], ["-h", "story", "run"]])
def test_help_before_a_command_lists_every_command(argv, capsys):
    """`jimeng-tui --help generate` prints the top-level help: its list holds every command,
    not only the one named after the flag."""
    from jimeng_tui.cli.commands import COMMANDS

    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 0
    text = capsys.readouterr().out
    missing = [name for name in COMMANDS if f"\n    {name} " not in text]
    assert missing == [], (missing, text)
