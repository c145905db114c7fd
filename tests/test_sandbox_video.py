"""The sandbox's video links: real MP4s, caching, Range/ETag, expiry, truncation, large files."""

from __future__ import annotations

import base64
import hashlib
import io
import threading
import time
import uuid

import av
import httpx
import pytest

from jimeng_tui.sandbox.samples import sample_bytes
from jimeng_tui.sandbox.testing import query, submit
from jimeng_tui.sandbox.video import VIDEO_SIZES, ClipSpec, render_clip
from jimeng_tui.services.jimeng import catalog

T2V = "jimeng_t2v_v30"


def video_url(server, body, advance: float = 60) -> str:
    answer = submit(server, body)
    assert answer.status_code == 200, answer.text
    task_id = answer.json()["data"]["task_id"]
    server.advance(advance)
    data = query(server, body["req_key"], task_id).json()["data"]
    assert data["status"] == "done"
    return data["video_url"]


def t2v(prompt="a red kite over the sea", **extra):
    return {"req_key": T2V, "prompt": prompt, "seed": 7, "frames": 121, **extra}


def probe(data: bytes) -> tuple[int, int, int, float, float]:
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        return (
            frames,
            stream.codec_context.width,
            stream.codec_context.height,
            float(stream.average_rate),
            stream.codec_context.name,
        )


@pytest.mark.parametrize("ratio", catalog.ASPECT_RATIOS)
def test_video_is_a_real_h264_mp4_in_the_requested_ratio(sandbox, ratio):
    reply = httpx.get(video_url(sandbox, t2v(aspect_ratio=ratio)))
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "video/mp4"
    assert int(reply.headers["content-length"]) == len(reply.content)
    frames, width, height, fps, codec = probe(reply.content)
    assert (frames, fps, codec) == (121, 24.0, "h264")
    assert (width, height) == VIDEO_SIZES[ratio]
    assert catalog.nearest_aspect_ratio(width, height) == ratio


def test_ten_second_video_has_241_frames(sandbox):
    data = httpx.get(video_url(sandbox, t2v(frames=241, aspect_ratio="9:16"))).content
    frames, width, height, fps, _ = probe(data)
    assert (frames, width, height, fps) == (241, 360, 640, 24.0)
    with av.open(io.BytesIO(data)) as container:
        assert abs(container.duration / 1e6 - 10.0) < 0.1


def test_default_ratio_is_16_9(sandbox):
    body = t2v()
    data = httpx.get(video_url(sandbox, body)).content
    assert probe(data)[1:3] == (640, 360)


@pytest.mark.parametrize(
    ("sample", "size"), [("portrait.png", (360, 640)), ("square.jpg", (480, 480))]
)
def test_image_modes_take_the_first_images_ratio(sandbox, sample, size):
    body = {
        "req_key": "jimeng_i2v_first_v30",
        "prompt": "the scene comes alive",
        "binary_data_base64": [base64.b64encode(sample_bytes(sample)).decode()],
    }
    assert probe(httpx.get(video_url(sandbox, body)).content)[1:3] == size
    url_body = {"req_key": "jimeng_ti2v_v30_pro", "image_urls": [sandbox.sample_image_url(sample)]}
    assert probe(httpx.get(video_url(sandbox, url_body)).content)[1:3] == size


def test_content_differs_by_prompt_and_seed_and_repeats_otherwise(sandbox):
    a = httpx.get(video_url(sandbox, t2v("a cat"))).content
    b = httpx.get(video_url(sandbox, t2v("a dog"))).content
    c = httpx.get(video_url(sandbox, t2v("a cat", seed=8))).content
    again = httpx.get(video_url(sandbox, t2v("a cat"))).content
    assert len({a, b, c}) == 3
    assert a == again


def test_frames_move(sandbox):
    data = httpx.get(video_url(sandbox, t2v("motion check"))).content
    with av.open(io.BytesIO(data)) as container:
        images = [f.to_image() for i, f in zip(range(40), container.decode(video=0), strict=False)]
    assert images[0].tobytes() != images[20].tobytes() != images[39].tobytes()


def test_render_gives_the_asked_clip(tmp_path):
    """(How fast it renders is a benchmark's question, not a test's: a loaded CI machine.)"""
    spec = ClipSpec(121, 640, 360, f"render {uuid.uuid4()}", 1)
    assert probe(render_clip(spec)) == (121, 640, 360, 24.0, "h264")


def test_rendering_does_not_block_the_server(sandbox):
    url = video_url(sandbox, t2v(f"uncached {uuid.uuid4()}", frames=241, aspect_ratio="9:16"))
    task_id = submit(sandbox, t2v()).json()["data"]["task_id"]
    done = {}

    def download():
        done["data"] = httpx.get(url, timeout=30).content
        done["at"] = time.perf_counter()

    thread = threading.Thread(target=download)
    thread.start()
    time.sleep(0.03)
    query(sandbox, T2V, task_id)
    answered = time.perf_counter()
    thread.join()
    assert answered < done["at"]
    assert probe(done["data"])[0] == 241


def test_rendered_clips_are_kept_on_disk(sandbox):
    prompt = f"disk {uuid.uuid4()}"
    httpx.get(video_url(sandbox, t2v(prompt)))
    files = list(sandbox.options.cache_dir.glob("*.mp4"))
    key = ClipSpec(121, 640, 360, prompt, 7).key
    assert any(f.stem == key for f in files)


# ---------------------------------------------------------------- HTTP semantics


def test_range_etag_and_if_range(sandbox):
    url = video_url(sandbox, t2v())
    full = httpx.get(url)
    etag = full.headers["etag"]
    total = len(full.content)
    assert full.headers["accept-ranges"] == "bytes"

    part = httpx.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.content == full.content[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{total}"
    assert part.headers["content-length"] == "100"

    tail = httpx.get(url, headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.content == full.content[-50:]
    rest = httpx.get(url, headers={"Range": f"bytes={total - 10}-"})
    assert rest.content == full.content[-10:]

    matching = httpx.get(url, headers={"Range": "bytes=0-9", "If-Range": etag})
    assert matching.status_code == 206 and matching.content == full.content[:10]
    stale = httpx.get(url, headers={"Range": "bytes=0-9", "If-Range": '"something-else"'})
    assert stale.status_code == 200 and stale.content == full.content

    beyond = httpx.get(url, headers={"Range": f"bytes={total}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{total}"

    head = httpx.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(total) and head.headers["etag"] == etag


def test_truncated_download_resumes_with_range_to_identical_bytes(sandbox):
    url = video_url(sandbox, t2v("truncate me"))
    full = httpx.get(url).content
    sandbox.set_faults(truncate_rate=1.0)
    received = bytearray()
    with httpx.Client() as http, http.stream("GET", url) as reply:
        assert int(reply.headers["content-length"]) == len(full)
        etag = reply.headers["etag"]
        with pytest.raises(httpx.RemoteProtocolError):
            for chunk in reply.iter_bytes():
                received += chunk
    assert 0 < len(received) < len(full)
    sandbox.set_faults(truncate_rate=0.0)
    rest = httpx.get(url, headers={"Range": f"bytes={len(received)}-", "If-Range": etag})
    assert rest.status_code == 206
    resumed = bytes(received) + rest.content
    assert hashlib.sha256(resumed).hexdigest() == hashlib.sha256(full).hexdigest()
    log = sandbox.requests_for("GetVideo")
    assert [e.get("fault") for e in log] == [None, "truncate", None]


def test_expired_link_is_403_and_a_new_query_gives_a_fresh_one(sandbox):
    answer = submit(sandbox, t2v())
    task_id = answer.json()["data"]["task_id"]
    sandbox.advance(60)
    url = query(sandbox, T2V, task_id).json()["data"]["video_url"]
    assert httpx.head(url).status_code == 200
    sandbox.advance(sandbox.options.link_s + 1)
    expired = httpx.get(url)
    assert expired.status_code == 403
    assert b"expired" in expired.content
    fresh = query(sandbox, T2V, task_id).json()["data"]["video_url"]
    assert httpx.get(fresh).status_code == 200


def test_link_lifetime_scales_with_speed(sandbox_factory):
    server = sandbox_factory(speed=3600.0, queue_seconds=0, generate_seconds=0)
    assert (server.options.link_s, server.options.task_s) == (1.0, 12.0)
    before = time.time()
    url = video_url(server, t2v(), advance=0)
    expires_ms = int(url.split("expires=")[1].split("&")[0])
    assert before + 1.0 <= expires_ms / 1000 <= time.time() + 1.0
    server.advance(1.5)
    assert httpx.head(url).status_code == 403


def test_tampered_link_is_refused(sandbox):
    url = video_url(sandbox, t2v())
    assert httpx.get(url.replace("signature=", "signature=0")).status_code == 403
    assert httpx.get(url.split("?")[0]).status_code == 403


def test_large_file_bytes_pads_to_a_still_valid_mp4(sandbox_factory):
    size = 3_000_000
    server = sandbox_factory(large_file_bytes=size)
    url = video_url(server, t2v())
    reply = httpx.get(url)
    assert len(reply.content) == size == int(reply.headers["content-length"])
    assert probe(reply.content)[0] == 121
    middle = httpx.get(url, headers={"Range": "bytes=2000000-2000099"})
    assert middle.status_code == 206 and middle.content == reply.content[2_000_000:2_000_100]
