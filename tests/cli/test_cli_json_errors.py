"""With --json every outcome of generate, batch, status and wait is one JSON object on stdout,
input errors included (an ``error`` object with field, message and exit code)."""

from __future__ import annotations

import json

import pytest

from jimeng_tui.cli import entry as cli


def _main(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = cli.main(argv)
    except SystemExit as exc:  # argparse's errors exit from parse_args
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("argv", "field", "says"),
    [
        (["generate", "A cat", "--duration", "7", "--json"], "duration", "is not offered"),
        (["generate", "--json", "A cat", "--fps", "x"], "fps", "invalid"),
        (["generate", "A cat", "--bogus", "--json"], None, "unrecognized arguments"),
        (["generate", "A cat", "--mode", "i2v_first_720p", "--json"], "first_image", "no image"),
        (["generate", "A cat", "--output", "/no/such/folder/a.mp4", "--json"], "output", "exist"),
        (["generate", "A cat", "--sandbox", "--no-wait", "--json"], "no_wait", "--no-wait"),
        (["generate", "A cat", "--json"], None, "no credentials"),
        (["status", "abc", "--json"], "task_id", "not a task id"),
        (["status", "12345", "--json"], "mode", "not in the history"),
        (["wait", "--json"], "task_id", "required"),
        (["wait", "12345", "--json", "--output", "/no/such/folder/a.mp4"], "output", "exist"),
    ],
)
def test_input_errors_print_one_error_object(argv, field, says, capsys):
    code, out, err = _main(argv, capsys)
    assert code == 2, err
    data = json.loads(out)  # exactly one JSON value, nothing else on stdout
    assert set(data) == {"error"}
    error = data["error"]
    assert error["exit_code"] == 2
    assert error["field"] == field
    assert says in error["message"]
    assert "error:" in err  # the human text stays on stderr


def test_without_json_stdout_stays_empty(capsys):
    code, out, err = _main(["generate", "A cat", "--duration", "7"], capsys)
    assert code == 2 and out == "" and "--duration: 7 s is not offered" in err


def test_batch_file_errors_end_with_an_error_summary(tmp_path, capsys):
    code, out, _ = _main(["batch", str(tmp_path / "missing.jsonl"), "--json"], capsys)
    assert code == 2
    (line,) = out.splitlines()  # JSON Lines: one summary line
    data = json.loads(line)
    assert data["type"] == "summary" and data["exit_code"] == 2
    assert data["error"]["exit_code"] == 2 and "missing.jsonl" in data["error"]["message"]

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "ok"}\n{"prompt": "x", "duration": 7}\n', encoding="utf-8")
    code, out, _ = _main(["batch", str(bad), "--json"], capsys)
    assert code == 2
    (line,) = out.splitlines()
    data = json.loads(line)
    assert data["error"]["message"].endswith("1 of 2 lines are not valid; nothing was submitted")
    assert data["errors"][0]["field"] == "duration"

    code, out, _ = _main(["batch", str(bad), "--again", "--retry-failed", "--json"], capsys)
    assert code == 2 and json.loads(out)["error"]["message"].startswith("--again")


def test_json_error_through_the_installed_command(exe_cli):
    result = exe_cli("status", "7392616336519610409", "--json", "--mode", "t2v_9000")
    assert result.returncode == 2, result
    assert json.loads(result.stdout) == {
        "error": {
            "field": "mode",
            "message": json.loads(result.stdout)["error"]["message"],
            "exit_code": 2,
        }
    }
    assert "invalid choice: 't2v_9000'" in result.stdout


def test_a_failed_task_with_json_is_still_the_job_object(cli):
    result = cli("generate", "A sandbox-reject storm", "--json")
    assert result.returncode == 1, result
    data = json.loads(result.stdout)
    assert data["status"] == "failed" and data["error_code"] == 50412
    assert "error" not in data
