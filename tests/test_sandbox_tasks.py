"""The sandbox's task file: tasks outlive the sandbox that made them (``--sandbox`` restarts)."""

from __future__ import annotations

import json
import os
import stat
import time

import httpx

from jimeng_tui.sandbox import testing

T2V = "jimeng_t2v_v30"


def submit_task(server, prompt: str) -> str:
    answer = testing.submit(server, {"req_key": T2V, "prompt": prompt, "frames": 121, "seed": 3})
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]["task_id"]


def wait_done(server, task_id: str) -> dict:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        data = testing.query(server, T2V, task_id).json()["data"]
        if data["status"] == "done":
            return data
        time.sleep(0.05)
    raise AssertionError("the task did not finish")


def test_a_new_sandbox_on_the_same_file_knows_the_old_tasks(sandbox_factory, tmp_path):
    tasks_file = tmp_path / "data" / "sandbox-tasks.json"
    first = sandbox_factory(task_file=tasks_file, speed=0.5)  # still in the queue at stop
    task_id = submit_task(first, "a kite over the dunes")
    assert testing.query(first, T2V, task_id).json()["data"]["status"] == "in_queue"
    first.stop()
    assert stat.S_IMODE(os.stat(tasks_file).st_mode) == 0o600
    kept = json.loads(tasks_file.read_text("utf-8"))
    assert [t["task_id"] for t in kept["tasks"]] == [task_id]
    assert "sandbox-secret-key" not in tasks_file.read_text("utf-8")

    second = sandbox_factory(task_file=tasks_file, speed=10)  # another port, same file
    assert second.port != first.port and second.knows(task_id)
    data = wait_done(second, task_id)
    assert data["video_url"].startswith(second.base_url)
    with httpx.Client() as http:
        video = http.get(data["video_url"])
    assert video.status_code == 200 and video.content[4:8] == b"ftyp"
    # a sandbox without the file knows nothing of it, like a stopped one
    assert not sandbox_factory().knows(task_id)


def test_tasks_older_than_the_service_keeps_them_are_dropped(sandbox_factory, tmp_path):
    tasks_file = tmp_path / "sandbox-tasks.json"
    first = sandbox_factory(task_file=tasks_file)
    old = submit_task(first, "yesterday")
    first.advance(first.options.task_s + 1)
    fresh = submit_task(first, "today")
    first.stop()
    kept = json.loads(tasks_file.read_text("utf-8"))["tasks"]
    assert [t["task_id"] for t in kept] == [fresh]  # the old one was not written again
    second = sandbox_factory(task_file=tasks_file)
    second.advance(first.options.task_s + 1)  # the same clock as the first had reached
    assert second.knows(fresh) and not second.knows(old)


def test_two_sandboxes_on_one_file_keep_each_others_tasks(sandbox_factory, tmp_path):
    tasks_file = tmp_path / "sandbox-tasks.json"
    one, two = sandbox_factory(task_file=tasks_file), sandbox_factory(task_file=tasks_file)
    a, b = submit_task(one, "from one"), submit_task(two, "from two")
    submit_task(one, "one again")  # written after two's: must not drop it
    third = sandbox_factory(task_file=tasks_file)
    assert third.knows(a) and third.knows(b)


def test_a_broken_task_file_is_an_empty_start(sandbox_factory, tmp_path):
    tasks_file = tmp_path / "sandbox-tasks.json"
    tasks_file.write_text("{not json", "utf-8")
    server = sandbox_factory(task_file=tasks_file)
    task_id = submit_task(server, "fresh start")
    assert server.knows(task_id)
    assert json.loads(tasks_file.read_text("utf-8"))["tasks"][0]["task_id"] == task_id
