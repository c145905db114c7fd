"""The two fault knobs added for Ark apply to the Jimeng 3.0 emulator too (one set of flags)."""

from __future__ import annotations

from jimeng_tui.sandbox.testing import query, submit
from jimeng_tui.services.jimeng import catalog

T2V = {"req_key": "jimeng_t2v_v30", "prompt": "a cat", "seed": -1, "frames": 121}


def test_fail_after_create_makes_the_jimeng_task_then_answers_50500(sandbox_factory):
    server = sandbox_factory(fail_after_create_rate=1.0)
    answer = submit(server, T2V)
    assert answer.status_code == 500 and answer.json()["code"] == 50500
    submits = server.requests_for(catalog.ACTION_SUBMIT)
    assert len(submits) == 1 and submits[0]["fault"] == "fail_after_create"
    assert len(server.tasks) == 1 and submits[0]["task_id"] in server.tasks


def test_task_fail_makes_a_done_jimeng_task_answer_50516(sandbox_factory):
    server = sandbox_factory(task_fail_rate=1.0)
    task_id = submit(server, T2V).json()["data"]["task_id"]
    server.advance(60)
    assert query(server, "jimeng_t2v_v30", task_id).json()["code"] == 50516
