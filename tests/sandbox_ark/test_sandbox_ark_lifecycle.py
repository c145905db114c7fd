"""Ark in the sandbox: queued → running → succeeded/failed on the sandbox clock, the 120-queued
limit, cancel/delete per status, the list's filters and paging, the 7-day window, 24 h links,
and the shared fault knobs (the request log counts creates)."""

from __future__ import annotations

import httpx
import pytest
from sandbox_ark_support import MODEL_15, MODEL_20, MODEL_20_FAST, body, download, error_of, text

from jimeng_tui.sandbox.ark import ACTION_CREATE, CANCELLED_LIFETIME_S, QUEUE_LIMIT

# speed 10: 100 s queued, then 100 s running, on the sandbox clock (stepped with advance; the
# real seconds a loaded machine takes between two calls stay far below that)
SLOW = {"queue_seconds": 1000, "generate_seconds": 1000}
STEP = 100


def status(ark, task_id):
    return ark.get(task_id).json()["status"]


def test_a_task_walks_queued_running_succeeded_on_the_sandbox_clock(ark_for):
    ark = ark_for(**SLOW)
    task_id = ark.created(body(MODEL_20, resolution="480p", duration=4))
    assert status(ark, task_id) == "queued"
    ark.server.advance(STEP)
    running = ark.get(task_id).json()
    assert running["status"] == "running" and "content" not in running
    ark.server.advance(STEP)
    done = ark.get(task_id).json()
    assert done["status"] == "succeeded" and done["updated_at"] > done["created_at"]


@pytest.mark.parametrize(
    ("prompt", "code"),
    [
        ("a cat sandbox-video-reject", "OutputVideoSensitiveContentDetected"),
        ("a cat sandbox-video-copyright", "OutputVideoSensitiveContentDetected.PolicyViolation"),
    ],
)
def test_output_moderation_fails_the_task_with_the_contracts_code(ark, prompt, code):
    task = ark.finished(body(MODEL_20, text(prompt), resolution="480p", duration=4))
    assert task["status"] == "failed"
    assert task["error"]["code"] == code and task["error"]["message"]
    assert "content" not in task and "usage" not in task  # failures are not billed
    item = ark.list({"filter.status": "failed"}).json()["items"][0]
    assert item["error"] == item["failure_reason"] == task["error"]


def test_the_task_fail_knob_fails_tasks(ark_for):
    ark = ark_for(task_fail_rate=1.0)
    assert ark.finished(body(MODEL_20))["error"]["code"] == "OutputVideoSensitiveContentDetected"


def test_the_120th_queued_task_is_the_last_then_429_quota_exceeded(ark_for):
    ark = ark_for(**SLOW)
    ids = [ark.created(body(MODEL_20_FAST, text(f"shot {i}"))) for i in range(QUEUE_LIMIT)]
    error = error_of(ark.create(body(MODEL_20_FAST)), 429, "QuotaExceeded")
    assert error["type"] == "TooManyRequests"
    assert len(ark.server.ark_tasks) == QUEUE_LIMIT
    ark.delete(ids[0])  # a cancelled task leaves the queue
    assert ark.create(body(MODEL_20_FAST)).status_code == 200
    error_of(ark.create(body(MODEL_20_FAST)), 429, "QuotaExceeded")
    ark.server.advance(STEP)  # all start running: running tasks do not count
    assert ark.create(body(MODEL_20_FAST)).status_code == 200


def test_the_queue_limit_can_be_lowered(ark_for):
    ark = ark_for(ark_queue_limit=2, **SLOW)
    ark.created(body())
    ark.created(body())
    error_of(ark.create(body()), 429, "QuotaExceeded")


def test_cancel_and_delete_follow_the_status(ark_for):
    ark = ark_for(**SLOW)
    queued = ark.created(body(MODEL_20, text("queued")))
    reply = ark.delete(queued)
    assert (reply.status_code, reply.json()) == (200, {})
    assert status(ark, queued) == "cancelled"
    error_of(ark.delete(queued), 409, "TaskAlreadyCancelled", "task_id")

    running = ark.created(body(MODEL_20, text("running")))
    ark.server.advance(STEP)
    assert status(ark, running) == "running"
    error = error_of(ark.delete(running), 409, "TaskRunningCannotCancel", "task_id")
    assert error["type"] == "Conflict"
    assert status(ark, running) == "running"

    ark.server.advance(STEP)
    assert status(ark, running) == "succeeded"
    assert ark.delete(running).status_code == 200
    error_of(ark.get(running), 404, "NotFound.TaskId", "task_id")
    ids = [t["id"] for t in ark.list({"page_size": 100}).json()["items"]]
    assert running not in ids and queued in ids

    failed = ark.created(body(MODEL_20, text("sandbox-video-reject")))
    ark.server.advance(2 * STEP)
    assert status(ark, failed) == "failed"
    assert ark.delete(failed).status_code == 200
    error_of(ark.get(failed), 404, "NotFound.TaskId")

    expired = ark.created(body(MODEL_20, text("expired")))
    ark.server.force_status(expired, "expired")
    assert status(ark, expired) == "expired"
    assert ark.delete(expired).status_code == 200
    error_of(ark.delete("cgt-20260101000000-nope0"), 404, "NotFound.TaskId")

    # cancelled tasks are deleted 24 h after (scaled by speed 10)
    ark.server.advance(CANCELLED_LIFETIME_S / 10 + 1)
    error_of(ark.get(queued), 404, "NotFound.TaskId")


def test_an_unfinished_task_past_execution_expires_after_is_expired(ark_for):
    ark = ark_for(queue_seconds=5000, generate_seconds=100)
    task_id = ark.created(body(MODEL_20, execution_expires_after=3600))
    ark.server.advance(360)  # 3600 s at speed 10
    assert status(ark, task_id) == "expired"


def test_list_filters_and_pages_newest_first(ark_for):
    ark = ark_for(**SLOW)
    a = ark.created(body(MODEL_20, text("a")))
    ark.server.advance(1)
    b = ark.created(body(MODEL_20_FAST, text("b"), service_tier="flex"))
    ark.server.advance(1)
    c = ark.created(body(MODEL_15, text("c")))
    ark.server.advance(2 * STEP - 1.5)  # a done (200.5 s old); b, c running (199.5, 198.5)
    d = ark.created(body(MODEL_20, text("d")))

    everything = ark.list().json()
    assert everything["total"] == 4
    assert [t["id"] for t in everything["items"]] == [d, c, b, a]
    assert {t["id"]: t["status"] for t in everything["items"]} == {
        a: "succeeded",
        b: "running",
        c: "running",
        d: "queued",
    }

    def ids(params):
        reply = ark.list(params)
        assert reply.status_code == 200, reply.text
        return [t["id"] for t in reply.json()["items"]], reply.json()["total"]

    assert ids({"filter.status": "running"}) == ([c, b], 2)
    assert ids({"filter.model": MODEL_20}) == ([d, a], 2)
    assert ids({"filter.service_tier": "flex"}) == ([b], 1)
    assert ids([("filter.task_ids", a), ("filter.task_ids", c)]) == ([c, a], 2)
    assert ids({"page_num": 1, "page_size": 3}) == ([d, c, b], 4)
    assert ids({"page_num": 2, "page_size": 3}) == ([a], 4)
    assert ids({"page_num": 3, "page_size": 3}) == ([], 4)
    # the official SDK's captured query, in its order
    query = "?page_num=1&page_size=10&filter.status=succeeded&filter.model=" + MODEL_20
    reply = httpx.get(
        ark.url + query + f"&filter.task_ids={a}&filter.task_ids={b}", headers=ark.headers()
    )
    assert [t["id"] for t in reply.json()["items"]] == [a]

    for params, param in (
        ({"page_size": 501}, "page_size"),
        ({"page_num": 0}, "page_num"),
        ({"page_num": "x"}, "page_num"),
        ({"filter.status": "expired"}, "filter.status"),
        ({"filter.service_tier": "online"}, "filter.service_tier"),
    ):
        error_of(ark.list(params), 400, "InvalidParameter", param)


def test_tasks_older_than_7_days_are_neither_listed_nor_readable(ark):
    task = ark.finished(body(MODEL_20, resolution="480p", duration=4))
    ark.server.advance(7 * 24 * 3600 / 10 - 100)  # speed 10
    assert ark.list().json()["total"] == 1
    ark.server.advance(200)
    assert ark.list().json() == {"total": 0, "items": []}
    error_of(ark.get(task["id"]), 404, "NotFound.TaskId")


def test_links_live_24_hours_scaled_then_expire_like_jimengs(ark):
    task = ark.finished(body(MODEL_20, resolution="480p", duration=4, return_last_frame=True))
    video_url, frame_url = task["content"]["video_url"], task["content"]["last_frame_url"]
    ark.server.advance(24 * 3600 / 10 - 120)  # speed 10: links live 8640 s
    assert ark.get(task["id"]).json()["content"]["video_url"] == video_url  # not re-signed
    assert download(video_url).status_code == 200
    assert download(frame_url).status_code == 200
    ark.server.advance(240)
    for url in (video_url, frame_url):
        expired = download(url)
        assert expired.status_code == 403 and b"AccessDenied" in expired.content
    tampered = video_url.replace("signature=", "signature=0")
    assert download(tampered).status_code == 403


def test_a_500_on_create_after_the_task_was_made_leaves_exactly_one_create(ark_for):
    ark = ark_for(fail_after_create_rate=1.0)
    error_of(ark.create(body(MODEL_20, text("paid once"))), 500, "InternalServiceError")
    creates = ark.server.requests_for(ACTION_CREATE)
    assert len(creates) == 1
    assert creates[0]["http_status"] == 500 and creates[0]["fault"] == "fail_after_create"
    tasks = list(ark.server.ark_tasks.values())
    assert len(tasks) == 1 and creates[0]["task_id"] == tasks[0].id
    assert ark.server.ark_created_bodies()[0]["content"][0]["text"] == "paid once"


def test_a_plain_500_makes_no_task_and_a_reset_makes_one_with_no_answer(ark):
    ark.server.inject("fail", action="submit")
    error = error_of(ark.create(body()), 500, "InternalServiceError")
    assert error["type"] == "InternalServerError"
    assert ark.server.ark_tasks == {}
    ark.server.inject("reset", action="submit")
    with pytest.raises(httpx.TransportError):
        ark.create(body(MODEL_20, text("lost answer")))
    assert len(ark.server.ark_tasks) == 1
    log = ark.server.requests_for(ACTION_CREATE)
    assert [e.get("fault") for e in log] == ["fail", "reset"]
    assert log[1]["http_status"] is None and log[1]["task_id"] in ark.server.ark_tasks
    ark.server.inject("fail", action="query")
    error_of(ark.list(), 500, "InternalServiceError")
    ark.server.inject("fail", action="delete")
    error_of(ark.delete(log[1]["task_id"]), 500, "InternalServiceError")


def test_account_denials_rate_and_concurrency_limits(ark_for):
    ark = ark_for(**SLOW)
    for code in ("AccessDenied", "OperationDenied.ServiceNotOpen", "AccountOverdueError"):
        ark.server.set_faults(ark_deny=code)
        assert error_of(ark.create(body()), 403, code)["type"] == "Forbidden"
        error_of(ark.list(), 403, code)
    ark.server.set_faults(ark_deny=None)
    ark.server.set_faults(max_concurrency=1)
    ark.created(body())
    error_of(ark.create(body()), 429, "InflightBatchsizeExceeded")
    ark.server.set_faults(max_concurrency=None, qps=0.001)
    ark.list()  # the bucket's one token
    error_of(ark.list(), 429, "ModelAccountRpmRateLimitExceeded")
    assert len(ark.server.ark_tasks) == 1


def test_the_request_log_records_ark_calls_without_image_data(ark):
    from sandbox_ark_support import data_url, image

    task_id = ark.created(body(MODEL_20, text(), image(data_url())))
    ark.get(task_id)
    ark.list()
    ark.delete(task_id)
    entries = [e for e in ark.server.requests if e.get("service") == "ark"]
    actions = [e["action"] for e in entries]
    assert actions == [
        "CreateContentGenerationTask",
        "GetContentGenerationTask",
        "ListContentGenerationTasks",
        "DeleteContentGenerationTask",
    ]
    create = entries[0]
    assert create["model"] == MODEL_20 and create["task_id"] == task_id
    url = create["body"]["content"][1]["image_url"]["url"]
    assert url.startswith("data:image/png;base64,<") and len(url) < 80
    assert all("sandbox-ark-key" not in str(e) for e in entries)
    assert ark.server.knows(task_id) and ark.server.task_status(task_id) == "cancelled"
