"""A Seedance job whose create answer was lost (issue 15 item 8) names the tasks the account made
around then that the history does not know, and says how to adopt one or send it again; adopting
the named one saves its video with no second create."""

from __future__ import annotations

import json

import av

from jimeng_tui.sandbox.ark import ACTION_CREATE
from tests.cli import test_cli_models as models_cli

env_for = models_cli.env_for
run = models_cli.run

ARGS = ("--model", "seedance-2.0", "--resolution", "480p", "--duration", "4")


def test_a_submit_unknown_job_names_its_task_and_adopting_it_saves_the_video(
    sandbox_factory, env_for, capsys
):
    sandbox = sandbox_factory(fail_after_create_rate=1.0)
    env_for(sandbox)
    code, out, err = run(capsys, "generate", "a lost kite", *ARGS)
    assert code == 1
    (task,) = sandbox.ark.tasks.values()
    assert "the submit got no answer" in out + err
    assert f"Tasks created around that time that the history does not know: {task.id}" in (
        out + err
    )
    assert "jimeng-tui tasks adopt " + task.id + " --job 1" in out + err
    assert "send it again as a new paid job" in out + err

    code, out, err = run(capsys, "tasks", "adopt", task.id, "--job", "1", "--json")
    assert code == 0, err
    saved = json.loads(out)
    assert (saved["status"], saved["job_id"], saved["task_id"]) == ("saved", 1, task.id)
    with av.open(saved["path"]) as container:
        assert container.streams.video[0].frames == 97
    assert len(sandbox.requests_for(ACTION_CREATE)) == 1  # never sent again


def test_a_task_the_history_knows_or_of_another_model_is_not_offered(
    sandbox_factory, env_for, capsys
):
    sandbox = sandbox_factory()
    env_for(sandbox)
    code, out, err = run(capsys, "generate", "a known kite", *ARGS, "--json")
    assert code == 0, err
    known = json.loads(out)["task_id"]
    code, out, err = run(
        capsys,
        "generate",
        "a fast kite",
        "--model",
        "seedance-2.0-fast",
        "--resolution",
        "480p",
        "--duration",
        "4",
        "--json",
    )
    assert code == 0, err
    sandbox.inject("fail_after_create", action="submit")
    code, out, err = run(capsys, "generate", "a lost kite", *ARGS, "--json")
    lost = json.loads(out)
    assert (code, lost["status"]) == (1, "submit_unknown")
    (task,) = [t for t in sandbox.ark.tasks.values() if t.id != known and "fast" not in t.model_id]
    text = out + err
    assert task.id in text and known not in text
    assert len(sandbox.requests_for(ACTION_CREATE)) == 3
