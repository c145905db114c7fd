"""The sandbox's API over a real socket: envelopes, signatures, validation, lifecycle, limits."""

from __future__ import annotations

import base64
import io
import json
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from PIL import Image

from jimeng_tui.sandbox import options as sopts
from jimeng_tui.sandbox.samples import sample_bytes
from jimeng_tui.sandbox.testing import call, query, signed_parts, submit
from jimeng_tui.services.jimeng import catalog
from jimeng_tui.services.jimeng.signing import Credentials

T2V = "jimeng_t2v_v30"
SUBMIT = catalog.ACTION_SUBMIT
RESULT = catalog.ACTION_RESULT


def t2v(**extra):
    return {"req_key": T2V, "prompt": "a cat", "seed": -1, "frames": 121, **extra}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def image_bytes(width, height, fmt="JPEG", colour=(40, 120, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buf, format=fmt)
    return buf.getvalue()


def wait_status(server, req_key, task_id, wanted, timeout=5.0):
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        answer = query(server, req_key, task_id)
        status = answer.json().get("data", {}) or {}
        seen.append(status.get("status"))
        if status.get("status") == wanted:
            return answer, seen
        time.sleep(0.03)
    raise AssertionError(f"never reached {wanted}: {seen}")


def assert_business(response, http_status, code, field=None):
    payload = response.json()
    assert response.status_code == http_status, payload
    assert payload["code"] == code
    assert payload["data"] is None
    assert payload["request_id"]
    if field:
        assert field in payload["message"], payload["message"]
    return payload


def assert_gateway(response, http_status, name, code_n):
    payload = response.json()
    assert response.status_code == http_status, payload
    error = payload["ResponseMetadata"]["Error"]
    assert (error["Code"], error["CodeN"]) == (name, code_n)
    assert payload["ResponseMetadata"]["Service"] == "cv"
    return payload


# ---------------------------------------------------------------- happy path


def test_submit_then_query_walks_in_queue_generating_done(sandbox_factory):
    # speed 10: 10 s in_queue, 10 s generating; the sandbox clock is stepped, not waited for
    server = sandbox_factory(queue_seconds=100, generate_seconds=100)
    answer = submit(server, t2v())
    payload = answer.json()
    assert answer.status_code == 200
    assert payload["code"] == 10000 and payload["message"] == "Success"
    task_id = payload["data"]["task_id"]
    assert isinstance(task_id, str) and len(task_id) == 19 and task_id.isdigit()
    assert int(task_id) > 2**53  # a float would corrupt it

    seen = []
    for step in (0, 10, 10):
        server.advance(step)
        data = query(server, T2V, task_id).json()["data"]
        seen.append(data["status"])
        if data["status"] != "done":
            assert data["video_url"] == ""
    assert seen == ["in_queue", "generating", "done"]
    assert data["video_url"].startswith(server.base_url + "/video/")
    assert httpx.head(data["video_url"]).status_code == 200


def test_lifecycle_runs_on_its_own_in_real_time(sandbox):
    task_id = submit(sandbox, t2v()).json()["data"]["task_id"]
    wait_status(sandbox, T2V, task_id, "done")


def test_done_answers_carry_fresh_links(sandbox):
    task_id = submit(sandbox, t2v()).json()["data"]["task_id"]
    first, _ = wait_status(sandbox, T2V, task_id, "done")
    time.sleep(0.01)
    second = query(sandbox, T2V, task_id)
    assert first.json()["data"]["video_url"] != second.json()["data"]["video_url"]


def test_req_json_with_aigc_meta_is_accepted(sandbox):
    task_id = submit(sandbox, t2v()).json()["data"]["task_id"]
    sandbox.advance(10)
    body = {"req_key": T2V, "task_id": task_id, "req_json": json.dumps({"aigc_meta": {"x": 1}})}
    data = call(sandbox, RESULT, body).json()["data"]
    assert data["status"] == "done" and data["aigc_meta_tagged"] is True


def test_official_sdk_is_accepted_and_parses_answers(sandbox):
    from volcengine.visual.VisualService import VisualService

    service = VisualService()
    service.set_host(sandbox.base_url.removeprefix("http://"))
    service.set_scheme("http")
    service.set_ak(sandbox.options.access_key)
    service.set_sk(sandbox.options.secret_key)
    answer = service.cv_sync2async_submit_task(
        {"req_key": T2V, "prompt": "一只猫在雪地里奔跑", "frames": 121, "aspect_ratio": "9:16"}
    )
    assert answer["code"] == 10000
    task_id = answer["data"]["task_id"]
    sandbox.advance(10)
    result = service.cv_sync2async_get_result({"req_key": T2V, "task_id": task_id})
    assert result["code"] == 10000
    assert result["data"]["status"] == "done"
    assert result["data"]["video_url"]
    # the SDK raises on non-200 answers; the sandbox's error body is in the exception
    with pytest.raises(Exception, match="50412"):
        service.cv_sync2async_submit_task({"req_key": T2V, "prompt": "a sandbox-reject cat"})
    service.set_sk("wrong")
    with pytest.raises(Exception, match="SignatureDoesNotMatch"):
        service.cv_sync2async_get_result({"req_key": T2V, "task_id": task_id})


# ---------------------------------------------------------------- gateway


def test_missing_authorization(sandbox):
    url, query_, raw, headers = signed_parts(
        sandbox.base_url, SUBMIT, t2v(), credentials=sandbox.credentials
    )
    del headers["Authorization"]
    answer = httpx.post(url, params=query_, content=raw, headers=headers)
    assert_gateway(answer, 401, "MissingAuthenticationToken", 100003)


@pytest.mark.parametrize(
    "value",
    [
        "Bearer abc",
        "HMAC-SHA256 Credential=AK/20250101/cn-north-1/cv/request",
        "HMAC-SHA256 garbage",
    ],
)
def test_malformed_authorization(sandbox, value):
    answer = submit(sandbox, t2v(), headers={"Authorization": value})
    assert_gateway(answer, 401, "MissingSignature", 100005)


def test_unknown_access_key(sandbox):
    answer = submit(sandbox, t2v(), credentials=Credentials("AKNOBODY", "x"))
    assert_gateway(answer, 401, "InvalidAccessKey", 100009)


def test_wrong_secret_key(sandbox):
    creds = Credentials(sandbox.options.access_key, "not-the-secret")
    answer = submit(sandbox, t2v(), credentials=creds)
    assert_gateway(answer, 401, "SignatureDoesNotMatch", 100010)
    assert sandbox.submitted_bodies() == []


def test_body_changed_after_signing_is_refused(sandbox):
    url, query_, raw, headers = signed_parts(
        sandbox.base_url, SUBMIT, t2v(), credentials=sandbox.credentials
    )
    answer = httpx.post(url, params=query_, content=raw.replace(b"cat", b"dog"), headers=headers)
    assert_gateway(answer, 401, "SignatureDoesNotMatch", 100010)


@pytest.mark.parametrize("minutes", [-16, 16])
def test_x_date_too_far_off(sandbox, minutes):
    now = datetime.now(UTC) + timedelta(minutes=minutes)
    answer = submit(sandbox, t2v(), now=now)
    assert_gateway(answer, 400, "InvalidTimestamp", 100006)


def test_x_date_within_fifteen_minutes_is_fine(sandbox):
    answer = submit(sandbox, t2v(), now=datetime.now(UTC) - timedelta(minutes=14))
    assert answer.status_code == 200


def test_unsorted_signed_headers_are_rebuilt_in_the_listed_order(sandbox):
    from urllib.parse import urlsplit

    from jimeng_tui.services.jimeng.signing import compute_signature, sha256_hex, x_date

    raw = json.dumps(t2v()).encode()
    now = datetime.now(UTC)
    order = ["x-date", "host", "content-type", "x-content-sha256"]
    values = {
        "content-type": "application/json",
        "host": urlsplit(sandbox.base_url).netloc,
        "x-content-sha256": sha256_hex(raw),
        "x-date": x_date(now),
    }
    query_ = {"Action": SUBMIT, "Version": catalog.API_VERSION}
    signature = compute_signature(
        method="POST",
        path="/",
        query=query_,
        headers=values,
        signed_headers=order,
        body_hash=sha256_hex(raw),
        secret_key=sandbox.options.secret_key,
        x_date_value=values["x-date"],
    )
    headers = {
        "Content-Type": values["content-type"],
        "X-Date": values["x-date"],
        "X-Content-Sha256": values["x-content-sha256"],
        "Authorization": f"HMAC-SHA256 Credential={sandbox.options.access_key}/"
        f"{values['x-date'][:8]}/cn-north-1/cv/request, SignedHeaders={';'.join(order)}, "
        f"Signature={signature}",
    }
    answer = httpx.post(sandbox.base_url + "/", params=query_, content=raw, headers=headers)
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize(
    ("action", "version"),
    [("CVSubmitTask", catalog.API_VERSION), (SUBMIT, "2020-08-26"), (RESULT, "")],
)
def test_unknown_action_or_version(sandbox, action, version):
    answer = call(sandbox, action, t2v(), version=version)
    assert_gateway(answer, 404, "InvalidActionOrVersion", 100008)


def test_extra_keys_are_accepted(sandbox_factory):
    server = sandbox_factory(extra_keys={"AKSECOND": "second-secret"})
    answer = submit(server, t2v(), credentials=Credentials("AKSECOND", "second-secret"))
    assert answer.status_code == 200


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"prompt": "a cat"}, "req_key"),
        (t2v(req_key="jimeng_t2v_v30_720p"), "req_key"),
        (t2v(frames=120), "frames"),
        (t2v(frames=150), "frames"),
        (t2v(frames="121"), "frames"),
        (t2v(aspect_ratio=""), "aspect_ratio"),
        (t2v(aspect_ratio="2:1"), "aspect_ratio"),
        (t2v(prompt=""), "prompt"),
        (t2v(prompt="   "), "prompt"),
        ({"req_key": T2V, "frames": 121}, "prompt"),
        (t2v(prompt="x" * 801), "prompt"),
        (t2v(prompt=7), "prompt"),
        (t2v(seed=-2), "seed"),
        (t2v(seed=1.5), "seed"),
        (t2v(seed=2**32), "seed"),
        (t2v(template_id="robo_arm"), "template_id"),
        (t2v(camera_strength="weak"), "camera_strength"),
        (t2v(duration=5), "duration"),
        (t2v(image_urls=["https://example.com/a.jpg"]), "image_urls"),
        (
            {"req_key": "jimeng_i2v_first_v30", "prompt": "a cat"},
            "image_urls",
        ),
        (
            {
                "req_key": "jimeng_i2v_first_v30",
                "prompt": "a cat",
                "image_urls": ["https://a/x.jpg"],
                "binary_data_base64": ["AAAA"],
            },
            "never both",
        ),
        (
            {
                "req_key": "jimeng_i2v_first_tail_v30",
                "prompt": "a cat",
                "binary_data_base64": ["AAAA"],
            },
            "binary_data_base64",
        ),
        (
            {"req_key": "jimeng_i2v_first_v30", "prompt": "a cat", "binary_data_base64": ["%%%"]},
            "binary_data_base64[0]",
        ),
        (
            {"req_key": "jimeng_i2v_first_v30", "prompt": "a", "image_urls": ["ftp://x/a.jpg"]},
            "image_urls[0]",
        ),
        (
            {"req_key": "jimeng_i2v_first_v30", "prompt": "a", "image_urls": "https://x/a.jpg"},
            "image_urls",
        ),
    ],
)
def test_invalid_submit_bodies_are_refused_naming_the_field(sandbox, body, field):
    payload = assert_business(submit(sandbox, body), 400, 50215, field)
    assert payload["message"].startswith("Input invalid for this service")
    assert sandbox.submitted_bodies() == []


def test_body_that_is_not_json(sandbox):
    assert_business(submit(sandbox, b"{not json"), 400, 50215, "body")
    assert_business(submit(sandbox, b"[1, 2]"), 400, 50215, "body")


def test_prompt_of_exactly_800_characters_is_fine(sandbox):
    assert submit(sandbox, t2v(prompt="x" * 800)).status_code == 200


@pytest.mark.parametrize("frames", catalog.FRAME_CHOICES)
@pytest.mark.parametrize("ratio", catalog.ASPECT_RATIOS)
def test_every_documented_ratio_and_length_is_accepted(sandbox, frames, ratio):
    assert submit(sandbox, t2v(frames=frames, aspect_ratio=ratio)).status_code == 200


def recamera(**extra):
    return {
        "req_key": "jimeng_i2v_recamera_v30",
        "prompt": "a lighthouse",
        "binary_data_base64": [b64(sample_bytes("landscape.jpg"))],
        "template_id": "dynamic_orbit",
        "camera_strength": "strong",
        **extra,
    }


def test_recamera_needs_template_and_strength(sandbox):
    assert submit(sandbox, recamera()).status_code == 200
    for name in ("template_id", "camera_strength"):
        body = recamera()
        del body[name]
        assert_business(submit(sandbox, body), 400, 50215, name)
    assert_business(submit(sandbox, recamera(template_id="zoom")), 400, 50215, "template_id")
    assert_business(submit(sandbox, recamera(camera_strength="max")), 400, 50215, "camera_strength")
    assert_business(submit(sandbox, recamera(aspect_ratio="16:9")), 400, 50215, "aspect_ratio")


def test_ti2v_pro_with_an_image_needs_no_prompt_but_takes_no_ratio(sandbox):
    body = {
        "req_key": "jimeng_ti2v_v30_pro",
        "binary_data_base64": [b64(sample_bytes("portrait.png"))],
        "frames": 241,
    }
    assert submit(sandbox, body).status_code == 200
    assert_business(submit(sandbox, {**body, "aspect_ratio": "9:16"}), 400, 50215, "aspect_ratio")
    text_only = {"req_key": "jimeng_ti2v_v30_pro", "prompt": "a cat", "aspect_ratio": "21:9"}
    assert submit(sandbox, text_only).status_code == 200
    assert_business(
        submit(sandbox, {"req_key": "jimeng_ti2v_v30_pro", "frames": 121}), 400, 50215, "prompt"
    )


def i2v(data: bytes):
    return {"req_key": "jimeng_i2v_first_v30", "prompt": "a cat", "binary_data_base64": [b64(data)]}


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (image_bytes(640, 480, "WEBP"), "JPEG or PNG"),
        (image_bytes(640, 480, "GIF"), "JPEG or PNG"),
        (b"plain text, not an image", "not a readable"),
        (image_bytes(319, 640), "short side"),
        (image_bytes(4097, 2000), "at most 4096"),
        (image_bytes(1000, 333), "long side / short side"),
    ],
)
def test_bad_images_are_refused_naming_the_field(sandbox, data, why):
    payload = assert_business(submit(sandbox, i2v(data)), 400, 50215, "binary_data_base64[0]")
    assert why in payload["message"]


def test_image_over_the_size_limit_is_refused(sandbox):
    # a valid JPEG followed by padding (decoders ignore trailing bytes): only the size is wrong
    data = image_bytes(640, 480) + bytes(catalog.IMAGE_MAX_BYTES)
    payload = assert_business(submit(sandbox, i2v(data)), 400, 50215, "bytes")
    assert "binary_data_base64[0]" in payload["message"]


def test_images_at_the_limits_are_accepted(sandbox):
    assert submit(sandbox, i2v(image_bytes(320, 960, "PNG"))).status_code == 200
    assert submit(sandbox, i2v(image_bytes(4096, 2048))).status_code == 200


def test_first_tail_needs_matching_ratios(sandbox):
    body = {
        "req_key": "jimeng_i2v_first_tail_v30_1080",
        "prompt": "a flower opens",
        "binary_data_base64": [b64(sample_bytes("landscape.jpg")), b64(image_bytes(1920, 1080))],
    }
    assert submit(sandbox, body).status_code == 200
    body["binary_data_base64"][1] = b64(sample_bytes("portrait.png"))
    assert_business(submit(sandbox, body), 400, 50215, "binary_data_base64[1]")


def test_sample_urls_work_as_image_urls(sandbox):
    body = {
        "req_key": "jimeng_i2v_first_tail_v30",
        "prompt": "a flower opens",
        "image_urls": [sandbox.sample_image_url("square.jpg")] * 2,
    }
    assert submit(sandbox, body).status_code == 200
    body["image_urls"][1] = sandbox.base_url + "/samples/missing.jpg"
    assert_business(submit(sandbox, body), 400, 50215, "image_urls[1]")


def test_samples_are_the_documented_images(sandbox):
    for name, size, fmt in [
        ("landscape.jpg", (1280, 720), "JPEG"),
        ("portrait.png", (720, 1280), "PNG"),
        ("square.jpg", (1024, 1024), "JPEG"),
    ]:
        reply = httpx.get(sandbox.sample_image_url(name))
        assert reply.status_code == 200
        with Image.open(io.BytesIO(reply.content)) as image:
            assert (image.size, image.format) == (size, fmt)
    assert httpx.get(sandbox.base_url + "/samples/nope.gif").status_code == 404


# ---------------------------------------------------------------- content review


def test_text_risk_word(sandbox):
    assert_business(submit(sandbox, t2v(prompt=f"a {sopts.TEXT_RISK_WORD} cat")), 400, 50412)
    assert sandbox.submitted_bodies() == []


def test_post_text_risk_word(sandbox):
    answer = submit(sandbox, t2v(prompt=f"a {sopts.POST_TEXT_RISK_WORD} cat"))
    assert_business(answer, 400, 50413)


def test_image_risk_marker_in_url_and_magenta_corner(sandbox):
    body = {
        "req_key": "jimeng_i2v_first_v30",
        "prompt": "a cat",
        "image_urls": [f"https://example.com/{sopts.IMAGE_RISK_MARKER}.jpg"],
    }
    assert_business(submit(sandbox, body), 400, 50411)
    assert_business(submit(sandbox, i2v(sample_bytes("magenta-corner.png"))), 400, 50411)
    url_body = {**body, "image_urls": [sandbox.sample_image_url("magenta-corner.png")]}
    assert_business(submit(sandbox, url_body), 400, 50411)


def test_video_risk_word_fails_the_task_when_done(sandbox):
    answer = submit(sandbox, t2v(prompt=f"a {sopts.VIDEO_RISK_WORD} cat"))
    task_id = answer.json()["data"]["task_id"]
    assert query(sandbox, T2V, task_id).json()["data"]["status"] == "in_queue"
    sandbox.advance(10)
    assert_business(query(sandbox, T2V, task_id), 400, 50516)


# ---------------------------------------------------------------- query rules


def test_query_with_another_req_key_is_invalid(sandbox):
    task_id = submit(sandbox, t2v()).json()["data"]["task_id"]
    assert_business(query(sandbox, "jimeng_t2v_v30_1080p", task_id), 400, 50215, "req_key")


def test_unknown_task_is_not_found(sandbox):
    payload = query(sandbox, T2V, "7392616336519610409").json()
    assert payload["code"] == 10000
    assert payload["data"]["status"] == "not_found"


def test_task_older_than_twelve_scaled_hours_is_not_found(sandbox):
    task_id = submit(sandbox, t2v()).json()["data"]["task_id"]
    sandbox.advance(sandbox.options.task_s - 5)
    assert query(sandbox, T2V, task_id).json()["data"]["status"] == "done"
    sandbox.advance(10)
    assert query(sandbox, T2V, task_id).json()["data"]["status"] == "not_found"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"req_key": T2V, "task_id": 7392616336519610409}, "task_id"),
        ({"req_key": T2V}, "task_id"),
        ({"task_id": "7392616336519610409"}, "req_key"),
        ({"req_key": T2V, "task_id": "1", "req_json": {"aigc_meta": {}}}, "req_json"),
        ({"req_key": T2V, "task_id": "1", "req_json": "{nope"}, "req_json"),
        ({"req_key": T2V, "task_id": "1", "prompt": "x"}, "prompt"),
    ],
)
def test_invalid_query_bodies(sandbox, body, field):
    assert_business(call(sandbox, RESULT, body), 400, 50215, field)


def test_forced_expired_status(sandbox):
    task_id = submit(sandbox, t2v()).json()["data"]["task_id"]
    sandbox.force_status(task_id, "expired")
    assert query(sandbox, T2V, task_id).json()["data"]["status"] == "expired"


# ---------------------------------------------------------------- limits


def test_concurrency_limit_releases_when_a_task_finishes(sandbox_factory):
    # speed 10: each task runs 20 s of sandbox time; the clock is stepped
    server = sandbox_factory(max_concurrency=2, queue_seconds=100, generate_seconds=100)
    first = submit(server, t2v()).json()["data"]["task_id"]
    server.advance(5)
    second = submit(server, t2v()).json()["data"]["task_id"]
    refused = assert_business(submit(server, t2v()), 429, 50430)
    assert "Concurrent" in refused["message"]
    assert len(server.submitted_bodies()) == 2
    server.advance(16)  # the first is done, the second still generating
    assert query(server, T2V, first).json()["data"]["status"] == "done"
    assert query(server, T2V, second).json()["data"]["status"] == "generating"
    assert submit(server, t2v()).status_code == 200
    assert_business(submit(server, t2v()), 429, 50430)
    assert len(server.submitted_bodies()) == 3


def test_concurrency_limit_is_per_access_key(sandbox_factory):
    other = Credentials("AKOTHER", "other-secret")
    server = sandbox_factory(max_concurrency=1, extra_keys={other.access_key: other.secret_key})
    assert submit(server, t2v()).status_code == 200
    assert_business(submit(server, t2v()), 429, 50430)
    assert submit(server, t2v(), credentials=other).status_code == 200


def test_qps_limit(sandbox_factory):
    server = sandbox_factory(qps=1)
    codes = [submit(server, t2v()).json()["code"] for _ in range(4)]
    assert codes[0] == 10000
    assert 50429 in codes
    assert len(server.submitted_bodies()) == codes.count(10000)
    time.sleep(1.1)
    assert submit(server, t2v()).status_code == 200


def test_limits_can_change_at_runtime(sandbox):
    sandbox.set_faults(max_concurrency=1)
    assert submit(sandbox, t2v()).status_code == 200
    assert_business(submit(sandbox, t2v()), 429, 50430)
    sandbox.set_faults(max_concurrency=None)
    assert submit(sandbox, t2v()).status_code == 200


# ---------------------------------------------------------------- faults


def test_fail_rate_answers_50500_and_creates_no_task(sandbox_factory):
    server = sandbox_factory(fail_rate=1.0)
    assert_business(submit(server, t2v()), 500, 50500)
    assert_business(query(server, T2V, "1234567890123456789"), 500, 50500)
    assert server.submitted_bodies() == []
    server.set_faults(fail_rate=0.0)
    assert submit(server, t2v()).status_code == 200


def test_reset_on_submit_drops_the_connection_after_creating_the_task(sandbox):
    sandbox.set_faults(reset_rate=1.0)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        submit(sandbox, t2v(prompt="the dangerous case"))
    bodies = sandbox.submitted_bodies()
    assert [b["prompt"] for b in bodies] == ["the dangerous case"]
    entry = sandbox.requests_for(SUBMIT)[-1]
    assert entry["fault"] == "reset" and entry["task_id"] in sandbox.tasks
    sandbox.set_faults(reset_rate=0.0)
    assert submit(sandbox, t2v()).status_code == 200


def test_reset_on_query(sandbox):
    task_id = submit(sandbox, t2v()).json()["data"]["task_id"]
    sandbox.inject("reset", action="query")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        query(sandbox, T2V, task_id)
    assert query(sandbox, T2V, task_id).status_code == 200


def test_one_shot_faults(sandbox):
    sandbox.inject("fail", count=2, action="submit")
    assert submit(sandbox, t2v()).json()["code"] == 50500
    assert submit(sandbox, t2v()).json()["code"] == 50500
    assert submit(sandbox, t2v()).json()["code"] == 10000


def test_slow_answers(sandbox_factory):
    server = sandbox_factory(slow_rate=1.0, slow_seconds=0.5)
    started = time.monotonic()
    answer = submit(server, t2v())
    assert answer.status_code == 200
    assert time.monotonic() - started >= 0.5
    with pytest.raises(httpx.ReadTimeout):
        submit(server, t2v(), http=httpx.Client(timeout=0.2))
    time.sleep(0.4)
    # the timed-out submit still created its task
    assert len(server.submitted_bodies()) == 2


def test_fault_rng_is_seeded(sandbox_factory):
    def pattern(seed):
        server = sandbox_factory(fail_rate=0.5, seed=seed)
        return [submit(server, t2v()).json()["code"] for _ in range(8)]

    assert pattern(3) == pattern(3)
    assert set(pattern(3)) == {10000, 50500}


# ---------------------------------------------------------------- request log


def test_request_log_in_memory_and_as_json_lines(sandbox_factory, tmp_path):
    log = tmp_path / "requests.jsonl"
    server = sandbox_factory(request_log=log)
    body = i2v(sample_bytes("square.jpg"))
    task_id = submit(server, body).json()["data"]["task_id"]
    query(server, "jimeng_i2v_first_v30", task_id)
    submit(server, t2v(), credentials=Credentials("AKNOBODY", "x"))
    entries = server.requests
    assert [e["action"] for e in entries] == [SUBMIT, RESULT, SUBMIT]
    first = entries[0]
    assert first["req_key"] == "jimeng_i2v_first_v30"
    assert first["task_id"] == task_id
    assert first["http_status"] == 200 and first["code"] == 10000
    assert first["body"]["binary_data_base64"][0].startswith("<")  # redacted
    assert entries[1]["task_status"] == "in_queue"
    assert entries[2]["http_status"] == 401 and entries[2]["error"] == "InvalidAccessKey"
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [line["action"] for line in lines] == [e["action"] for e in entries]
    text = log.read_text()
    assert body["binary_data_base64"][0][:40] not in text
    assert server.options.secret_key not in text
    assert "secret" not in repr(server.options).replace("secret_key='***'", "")
