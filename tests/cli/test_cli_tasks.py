"""``jimeng-tui tasks`` and ``tasks adopt`` (issue 15 item 8) over the sandbox's Ark: a create
whose answer was a 500 leaves its job submit_unknown and its task on the service; ``tasks``
lists it as not in the history beside a task the history knows; adopting it saves its video
(polled, downloaded, verified, saved) with no second create."""

from __future__ import annotations

import json
from pathlib import Path

import av

from jimeng_tui.sandbox.ark import ACTION_CREATE
from tests.cli import test_cli_models as models_cli

env_for = models_cli.env_for
run = models_cli.run


def test_a_task_the_history_does_not_know_is_listed_and_adopted_without_a_new_create(
    sandbox, env_for, capsys
):
    env_for(sandbox)
    args = ("--model", "seedance-2.0", "--resolution", "480p", "--duration", "4", "--json")
    code, out, err = run(capsys, "generate", "a known kite", *args)
    assert code == 0, err
    known = json.loads(out)
    sandbox.inject("fail_after_create", action="submit")  # made, then 500: answer lost
    code, out, err = run(capsys, "generate", "a lost kite", *args)
    assert code == 1
    assert json.loads(out)["status"] == "submit_unknown"
    (lost,) = [t for t in sandbox.ark.tasks.values() if t.id != known["task_id"]]

    code, out, err = run(capsys, "tasks", "--json")
    assert code == 0, err
    listed = {t["task_id"]: t for t in json.loads(out)}
    assert set(listed) == {known["task_id"], lost.id}
    assert listed[known["task_id"]]["known"] is True
    assert listed[known["task_id"]]["job_id"] == known["job_id"]
    assert listed[lost.id]["known"] is False
    assert listed[lost.id]["model"] == "doubao-seedance-2-0-260128"

    code, out, err = run(capsys, "tasks")
    assert code == 0, err
    assert f"not in the history: jimeng-tui tasks adopt {lost.id}" in out

    code, out, err = run(capsys, "tasks", "adopt", lost.id, "--json")
    assert code == 0, err
    adopted = json.loads(out)
    assert (adopted["status"], adopted["task_id"], adopted["service"]) == (
        "saved",
        lost.id,
        "ark",
    )
    with av.open(adopted["path"]) as container:
        assert container.streams.video[0].frames == 97  # 4 s at 24 fps, as the task was made
    assert Path(adopted["last_frame"]).is_file()
    assert adopted["tokens"] == lost.tokens
    assert len(sandbox.requests_for(ACTION_CREATE)) == 2  # nothing was submitted again

    code, out, err = run(capsys, "tasks", "--json")
    assert all(t["known"] for t in json.loads(out))
    code, out, err = run(capsys, "tasks", "adopt", lost.id, "--job", str(known["job_id"]))
    assert code == 1 and f"is job {adopted['job_id']}'s already" in err
    code, out, err = run(capsys, "tasks", "adopt", "cgt-20200101000000-nope")
    assert code == 1 and "does not know task cgt-20200101000000-nope" in err


def test_a_submit_unknown_job_takes_its_task_and_keeps_its_prompt(sandbox, env_for, capsys):
    env_for(sandbox)
    args = ("--model", "seedance-2.0", "--resolution", "480p", "--duration", "4", "--json")
    sandbox.inject("fail_after_create", action="submit")
    code, out, err = run(capsys, "generate", "a lost lantern", *args)
    lost_job = json.loads(out)
    assert (code, lost_job["status"]) == (1, "submit_unknown")
    (task,) = sandbox.ark.tasks.values()

    code, out, err = run(capsys, "tasks")
    assert f"job {lost_job['job_id']} (doubao-seedance-2-0-260128" in out
    assert f"tasks adopt TASK_ID --job {lost_job['job_id']}" in out

    code, out, err = run(
        capsys, "tasks", "adopt", task.id, "--job", str(lost_job["job_id"]), "--json"
    )
    assert code == 0, err
    saved = json.loads(out)
    assert (saved["job_id"], saved["status"], saved["prompt"], saved["task_id"]) == (
        lost_job["job_id"],
        "saved",
        "a lost lantern",
        task.id,
    )
    assert len(sandbox.requests_for(ACTION_CREATE)) == 1
