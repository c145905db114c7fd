"""``status TASK`` and ``wait TASK`` take Seedance task ids (``cgt-…``): routed to the service by
the history's job for the task, else by the id's shape; never a create."""

from __future__ import annotations

import json

import av

from jimeng_tui.sandbox.ark import ACTION_CREATE
from tests.cli import test_cli_models as models_cli

env_for = models_cli.env_for
run = models_cli.run

ARGS = ("--model", "seedance-2.0", "--resolution", "480p", "--duration", "4")


def test_status_of_a_seedance_task_known_and_unknown_to_the_history(sandbox, env_for, capsys):
    env_for(sandbox)
    code, out, err = run(capsys, "generate", "a known kite", *ARGS, "--json")
    assert code == 0, err
    known = json.loads(out)
    code, out, err = run(capsys, "status", known["task_id"], "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert (answer["status"], answer["service"], answer["job_id"]) == (
        "succeeded",
        "ark",
        known["job_id"],
    )
    assert answer["model"] == "doubao-seedance-2-0-260128"

    sandbox.inject("fail_after_create", action="submit")
    code, out, err = run(capsys, "generate", "a lost kite", *ARGS)
    (lost,) = [t for t in sandbox.ark.tasks.values() if t.id != known["task_id"]]
    code, out, err = run(capsys, "status", lost.id)
    assert code == 0, err
    assert out.splitlines()[0] in ("queued", "running", "succeeded")
    code, out, err = run(capsys, "status", "cgt-20200101000000-nope")
    assert code == 1 and "does not know this task" in err
    code, out, err = run(capsys, "status", "no-such-shape")
    assert code == 2 and "not a task id of any service" in err
    assert len(sandbox.requests_for(ACTION_CREATE)) == 2


def test_wait_on_a_seedance_task_the_history_does_not_know_saves_it_without_a_create(
    sandbox, env_for, capsys
):
    env_for(sandbox)
    sandbox.inject("fail_after_create", action="submit")
    code, out, err = run(capsys, "generate", "a lost kite", *ARGS)
    assert code == 1
    (task,) = sandbox.ark.tasks.values()
    code, out, err = run(capsys, "wait", task.id, "--json")
    assert code == 0, err
    saved = json.loads(out)
    assert (saved["status"], saved["task_id"], saved["service"]) == ("saved", task.id, "ark")
    with av.open(saved["path"]) as container:
        assert container.streams.video[0].frames == 97
    code, out, err = run(capsys, "wait", task.id, "--json")  # known now: reported, not redone
    assert code == 0 and json.loads(out)["path"] == saved["path"]
    assert len(sandbox.requests_for(ACTION_CREATE)) == 1
