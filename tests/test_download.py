"""Downloading videos over a real loopback socket: resume, ETag checks, expired links, finalizing.

The server here is a small Starlette app under uvicorn that serves byte ranges, ETags and
If-Range like an object store, and can cut a body short or refuse a link (403) on demand.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field

import httpx
import pytest
import trustme
import uvicorn
from media_support import make_video
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from jimeng_tui.jobs.download import (
    DownloadResult,
    LinkExpired,
    _direct_body,
    _widen_reads,
    download_to_part,
    finalize_video,
    meta_path,
    write_sidecar,
)
from jimeng_tui.jobs.media import MediaError, probe
from jimeng_tui.services.jimeng.errors import TransportError

CHUNK = 64 * 1024


@dataclass
class Served:
    body: bytes
    etag: str


@dataclass
class FileServer:
    """Files by name, plus faults the next requests will meet."""

    files: dict[str, Served] = field(default_factory=dict)
    truncate_next: int = 0  # this many coming bodies stop after `truncate_after` bytes
    truncate_after: int = 0
    expired: bool = False  # answer 403, like an object store past the signature's expiry
    ranges: bool = True  # False: ignore Range, always 200 with the whole file
    chunked: bool = False  # True: no Content-Length, the body goes chunked
    delay: float = 0.0  # seconds between chunks
    answer_delay: float = 0.0  # seconds before the status line and headers
    requests: list[dict[str, str]] = field(default_factory=list)
    answered: int = 0  # answers sent (after answer_delay)
    base_url: str = ""

    def put(self, name: str, body: bytes, etag: str | None = None) -> str:
        self.files[name] = Served(body, etag or f'"{hashlib.md5(body).hexdigest()}"')
        return f"{self.base_url}/v/{name}?X-Expires=3600"

    def reset(self) -> None:
        self.files.clear()
        self.requests.clear()
        self.answered = 0
        self.truncate_next = self.truncate_after = 0
        self.expired, self.ranges, self.delay, self.answer_delay = False, True, 0.0, 0.0
        self.chunked = False

    async def handle(self, request: Request) -> Response:
        self.requests.append(dict(request.headers))
        if self.answer_delay:
            await asyncio.sleep(self.answer_delay)
        self.answered += 1
        if self.expired:
            return Response("<Error><Code>AccessDenied</Code></Error>", status_code=403)
        served = self.files.get(request.path_params["name"])
        if served is None:
            return Response("not found", status_code=404)
        body, size = served.body, len(served.body)
        headers = {"ETag": served.etag, "Accept-Ranges": "bytes", "Content-Type": "video/mp4"}
        start, status = 0, 200
        wanted = request.headers.get("range")
        if_range = request.headers.get("if-range")
        if wanted and self.ranges and (if_range is None or if_range == served.etag):
            start = int(wanted.removeprefix("bytes=").split("-")[0])
            if start >= size:
                return Response(status_code=416, headers={"Content-Range": f"bytes */{size}"})
            status = 206
            headers["Content-Range"] = f"bytes {start}-{size - 1}/{size}"
        if not self.chunked:
            headers["Content-Length"] = str(size - start)
        cut = None
        if self.truncate_next > 0:
            self.truncate_next -= 1
            cut = start + self.truncate_after

        async def chunks():
            pos = start
            while pos < size:
                end = min(pos + CHUNK, size)
                if cut is not None and end >= cut:
                    yield body[pos:cut]
                    raise ConnectionAbortedError("test server cuts the body short")
                yield body[pos:end]
                pos = end
                if self.delay:
                    await asyncio.sleep(self.delay)

        return StreamingResponse(chunks(), status_code=status, headers=headers)


@pytest.fixture(scope="module")
def tls_ca():
    return trustme.CA()


@pytest.fixture(scope="module", params=["http", "https"])
def file_server(request, tls_ca, tmp_path_factory):
    """The file server, once over plain HTTP and once over TLS (the service's links are https)."""
    server_state = FileServer()
    app = Starlette(routes=[Route("/v/{name}", server_state.handle)])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    tls = {}
    if request.param == "https":
        pem = tmp_path_factory.mktemp("tls") / "server.pem"
        tls_ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(pem))
        tls = {"ssl_certfile": str(pem)}
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="critical", lifespan="off", access_log=False, **tls)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "test file server did not start"
        time.sleep(0.01)
    server_state.base_url = f"{request.param}://127.0.0.1:{port}"
    yield server_state
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture
def srv(file_server):
    file_server.reset()
    yield file_server
    file_server.reset()


def trusting(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


@pytest.fixture
def http(tls_ca):
    with httpx.Client(timeout=10, verify=trusting(tls_ca)) as client:
        yield client


def blob(size: int, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(size)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def test_full_download(srv, http, tmp_path):
    data = blob(3_000_000)
    url = srv.put("clip.mp4", data)
    seen: list[tuple[int, int | None]] = []
    part = tmp_path / "videos" / "clip.mp4.part"
    result = await download_to_part(
        url, part, http=http, on_progress=lambda r, t: seen.append((r, t))
    )
    assert isinstance(result, DownloadResult)
    assert part.read_bytes() == data
    assert (result.path, result.size, result.sha256) == (part, len(data), sha(data))
    assert result.etag == srv.files["clip.mp4"].etag
    assert result.resumed == 0
    assert seen[-1] == (len(data), len(data))
    assert all(t == len(data) for _, t in seen)
    assert [r for r, _ in seen] == sorted(r for r, _ in seen)
    assert len(srv.requests) == 1 and "range" not in srv.requests[0]


async def test_dropped_connection_is_resumed_with_range_and_if_range(srv, http, tmp_path):
    data = blob(2_500_000, seed=2)
    url = srv.put("clip.mp4", data)
    srv.truncate_next, srv.truncate_after = 2, 700_000
    part = tmp_path / "clip.mp4.part"
    result = await download_to_part(url, part, http=http)
    assert result.sha256 == sha(data)
    assert part.read_bytes() == data
    assert result.resumed == 2
    assert len(srv.requests) == 3
    etag = srv.files["clip.mp4"].etag
    assert srv.requests[1]["range"] == "bytes=700000-"
    assert srv.requests[1]["if-range"] == etag
    assert srv.requests[2]["range"] == "bytes=1400000-"


async def test_too_many_drops_keep_the_part_and_the_next_call_finishes_it(srv, http, tmp_path):
    data = blob(1_000_000, seed=3)
    url = srv.put("clip.mp4", data)
    srv.truncate_next, srv.truncate_after = 3, 100_000
    part = tmp_path / "clip.mp4.part"
    with pytest.raises(TransportError, match="after 3 attempts"):
        await download_to_part(url, part, http=http, max_resumes=2)
    assert part.stat().st_size == 300_000
    result = await download_to_part(url, part, http=http)
    assert result.sha256 == sha(data)
    assert result.resumed == 1
    assert srv.requests[-1]["range"] == "bytes=300000-"
    assert srv.requests[-1]["if-range"] == srv.files["clip.mp4"].etag


async def test_a_part_left_by_an_earlier_run_is_resumed(srv, http, tmp_path):
    """Not even the ETag is known: the bytes on disk are hashed and the rest is fetched."""
    data = blob(1_500_000, seed=4)
    url = srv.put("clip.mp4", data)
    part = tmp_path / "clip.mp4.part"
    part.write_bytes(data[:600_000])
    result = await download_to_part(url, part, http=http)
    assert result.sha256 == sha(data)
    assert result.resumed == 1
    assert srv.requests[0]["range"] == "bytes=600000-"
    assert part.read_bytes() == data


async def test_changed_etag_restarts_from_zero(srv, http, tmp_path):
    old, new = blob(1_200_000, seed=5), blob(1_100_000, seed=6)
    url = srv.put("clip.mp4", old)
    srv.truncate_next, srv.truncate_after = 1, 500_000
    part = tmp_path / "clip.mp4.part"
    with pytest.raises(TransportError):
        await download_to_part(url, part, http=http, max_resumes=0)
    assert part.stat().st_size == 500_000
    old_etag = srv.files["clip.mp4"].etag
    srv.put("clip.mp4", new)  # the object behind the URL changed
    result = await download_to_part(url, part, http=http)
    assert srv.requests[-1]["range"] == "bytes=500000-"
    assert srv.requests[-1]["if-range"] == old_etag  # so the server answered 200 + the new file
    assert result.sha256 == sha(new)
    assert part.read_bytes() == new
    assert result.resumed == 0
    assert result.etag == srv.files["clip.mp4"].etag


async def test_server_without_range_support_restarts_from_zero(srv, http, tmp_path):
    data = blob(800_000, seed=7)
    url = srv.put("clip.mp4", data)
    srv.ranges = False
    part = tmp_path / "clip.mp4.part"
    part.write_bytes(data[:300_000])
    result = await download_to_part(url, part, http=http)
    assert result.sha256 == sha(data)
    assert part.read_bytes() == data


async def test_expired_link_raises_and_a_fresh_link_resumes_the_same_part(srv, http, tmp_path):
    data = blob(2_000_000, seed=8)
    url = srv.put("clip.mp4", data)
    srv.truncate_next, srv.truncate_after = 1, 900_000
    part = tmp_path / "clip.mp4.part"
    srv.expired = False

    # The first attempt is cut short, the resume meets an expired link.
    async def cut_then_expire():
        while len(srv.requests) < 1:
            await asyncio.sleep(0.005)
        srv.expired = True

    with pytest.raises(LinkExpired) as err:
        await asyncio.gather(download_to_part(url, part, http=http), cut_then_expire())
    assert "expired" in str(err.value)
    assert part.stat().st_size == 900_000
    srv.expired = False
    fresh = url.replace("X-Expires=3600", "X-Expires=7200&sig=new")
    result = await download_to_part(fresh, part, http=http)
    assert result.sha256 == sha(data)
    assert result.resumed == 1
    assert srv.requests[-1]["range"] == "bytes=900000-"
    assert srv.requests[-1]["if-range"] == srv.files["clip.mp4"].etag


async def test_complete_part_gets_416_and_is_accepted(srv, http, tmp_path):
    data = blob(400_000, seed=9)
    url = srv.put("clip.mp4", data)
    part = tmp_path / "clip.mp4.part"
    first = await download_to_part(url, part, http=http)
    again = await download_to_part(url, part, http=http)
    assert again.sha256 == first.sha256 == sha(data)
    assert again.size == len(data)
    assert srv.requests[-1]["range"] == f"bytes={len(data)}-"


async def test_part_longer_than_the_file_is_downloaded_again(srv, http, tmp_path):
    data = blob(300_000, seed=10)
    url = srv.put("clip.mp4", data)
    part = tmp_path / "clip.mp4.part"
    part.write_bytes(blob(500_000, seed=11))
    result = await download_to_part(url, part, http=http)
    assert result.sha256 == sha(data)
    assert part.read_bytes() == data


async def test_other_http_errors_are_transport_errors_with_the_status(srv, http, tmp_path):
    with pytest.raises(TransportError) as err:
        await download_to_part(f"{srv.base_url}/v/missing.mp4", tmp_path / "x.part", http=http)
    assert err.value.status == 404
    assert "404" in str(err.value)


@pytest.mark.parametrize("url", ["", "ftp://example.invalid/v.mp4", "http://"])
async def test_unusable_urls_are_clear_transport_errors(http, tmp_path, url):
    with pytest.raises(TransportError, match="Downloading the video failed"):
        await download_to_part(url, tmp_path / "x.part", http=http)


async def test_unreachable_server_gives_up_after_max_resumes(http, tmp_path):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    with pytest.raises(TransportError, match="after 2 attempts"):
        await download_to_part(
            f"http://127.0.0.1:{port}/v.mp4", tmp_path / "x.part", http=http, max_resumes=1
        )


async def test_progress_is_reported_at_most_about_ten_times_a_second(srv, http, tmp_path):
    data = blob(2_000_000, seed=12)
    url = srv.put("clip.mp4", data)
    srv.delay = 0.01  # ~31 chunks → about 0.35 s
    calls: list[float] = []
    started = time.monotonic()
    await download_to_part(
        url, tmp_path / "c.part", http=http, on_progress=lambda r, t: calls.append(time.monotonic())
    )
    elapsed = time.monotonic() - started
    assert 2 <= len(calls) <= elapsed * 10 + 3


async def test_finalize_moves_a_real_video_and_never_overwrites(srv, http, tmp_path):
    video = make_video(tmp_path / "source.mp4", 48, size=(160, 96))
    url = srv.put("clip.mp4", video.read_bytes())
    out = tmp_path / "videos"
    part = out / "clip.mp4.part"
    result = await download_to_part(url, part, http=http)
    dest, info = await asyncio.to_thread(finalize_video, part, out / "clip.mp4")
    assert dest == out / "clip.mp4"
    assert info == probe(dest)
    assert (info.frames, info.width, info.height) == (48, 160, 96)
    assert hashlib.sha256(dest.read_bytes()).hexdigest() == result.sha256
    assert not part.exists() and not meta_path(part).exists()

    # A second download aimed at the same name: refused, the existing file untouched.
    other = make_video(tmp_path / "other.mp4", 24, size=(160, 96))
    url2 = srv.put("other.mp4", other.read_bytes())
    part2 = out / "other.mp4.part"
    await download_to_part(url2, part2, http=http)
    with pytest.raises(FileExistsError):
        finalize_video(part2, dest)
    assert probe(dest).frames == 48
    assert part2.exists()


async def test_cancelled_download_keeps_its_bytes_for_the_next_attempt(srv, http, tmp_path):
    data = blob(3_000_000, seed=13)
    url = srv.put("clip.mp4", data)
    srv.delay = 0.01
    part = tmp_path / "clip.mp4.part"
    seen: list[int] = []
    task = asyncio.create_task(
        download_to_part(url, part, http=http, on_progress=lambda r, t: seen.append(r))
    )
    while not seen or seen[-1] < 1_000_000:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    kept = part.stat().st_size
    assert 1_000_000 <= kept < len(data)
    assert part.read_bytes() == data[:kept]
    srv.delay = 0.0
    result = await download_to_part(url, part, http=http)
    assert result.sha256 == sha(data)
    assert srv.requests[-1]["range"] == f"bytes={kept}-"


async def test_cancel_during_a_stalled_body_is_prompt_and_keeps_what_arrived(srv, http, tmp_path):
    data = blob(1_000_000, seed=14)
    url = srv.put("clip.mp4", data)
    srv.delay = 30.0  # one chunk, then the server goes quiet
    part = tmp_path / "clip.mp4.part"
    before = set(threading.enumerate())
    task = asyncio.create_task(download_to_part(url, part, http=http))
    while not srv.requests:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.3)  # the first chunk has arrived; the read is now waiting
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # the blocked read was woken: the worker ends (it does not sit out the 30 s the server
    # stays quiet, nor the 10 s read timeout)
    workers = [t for t in threading.enumerate() if t.name == "jimeng-download" and t not in before]
    for worker in workers:
        worker.join(timeout=5.0)
    assert not [w for w in workers if w.is_alive()]
    assert part.read_bytes() == data[:CHUNK]
    srv.delay = 0.0
    result = await download_to_part(url, part, http=http)
    assert result.sha256 == sha(data)
    assert srv.requests[-1]["range"] == f"bytes={CHUNK}-"


async def test_cancel_before_the_answer_is_prompt_and_leaves_no_part(srv, http, tmp_path):
    data = blob(500_000, seed=15)
    url = srv.put("clip.mp4", data)
    srv.answer_delay = 1.0
    part = tmp_path / "clip.mp4.part"
    task = asyncio.create_task(download_to_part(url, part, http=http))
    while not srv.requests:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert srv.answered == 0  # the cancel did not wait for the answer
    await asyncio.sleep(1.5)  # the answer has come and gone: nothing was written
    assert not part.exists() and not meta_path(part).exists()
    srv.answer_delay = 0.0
    result = await download_to_part(url, part, http=http)
    assert result.sha256 == sha(data) and part.read_bytes() == data


async def test_the_event_loop_stays_responsive_during_a_download(srv, http, tmp_path):
    """The TUI downloads on its event loop while the user types: the loop keeps running (many
    ticks) all along the download, not only before it starts and after it ends. Counted, not
    timed, so a loaded machine only makes the download longer."""
    data = blob(4_000_000, seed=16)
    url = srv.put("big.mp4", data)
    srv.delay = 0.01  # ~61 chunks: the download spans several progress reports
    received = 0
    seen_partial: set[int] = set()  # progress the ticking loop saw, strictly between 0 and all
    ticks = 0
    done = False

    def on_progress(got: int, total: int | None) -> None:
        nonlocal received
        received = got

    async def ticker():
        nonlocal ticks
        while not done:
            await asyncio.sleep(0.001)
            ticks += 1
            if 0 < received < len(data):
                seen_partial.add(received)

    ticking = asyncio.create_task(ticker())
    try:
        result = await download_to_part(
            url, tmp_path / "big.mp4.part", http=http, on_progress=on_progress
        )
    finally:
        done = True
        await ticking
        srv.delay = 0.0
    assert result.sha256 == sha(data)
    assert ticks > 50  # a blocked loop would tick a handful of times at most
    assert len(seen_partial) >= 3, seen_partial  # ...and it ticked while the bytes came in


async def test_a_failed_write_leaves_a_clean_part_the_next_call_completes(
    srv, http, tmp_path, monkeypatch
):
    """E.g. a full disk: nothing lands past the failed write, so resuming gives the file."""
    import jimeng_tui.jobs.download as download

    data = blob(6_000_000, seed=17)
    url = srv.put("clip.mp4", data)
    part = tmp_path / "clip.mp4.part"
    real_write = download._write_all
    calls = 0

    def failing_write(f, chunks):
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError(28, "No space left on device")
        real_write(f, chunks)

    monkeypatch.setattr(download, "_write_all", failing_write)
    with pytest.raises(OSError, match="No space"):
        await download_to_part(url, part, http=http)
    kept = part.read_bytes()
    assert 0 < len(kept) < len(data)
    assert kept == data[: len(kept)]
    monkeypatch.setattr(download, "_write_all", real_write)
    result = await download_to_part(url, part, http=http)
    assert result.sha256 == sha(data) and part.read_bytes() == data
    assert srv.requests[-1]["range"] == f"bytes={len(kept)}-"


def test_finalize_without_hard_links_still_never_overwrites(tmp_path, monkeypatch):
    """On file systems without hard links (FAT, some shares) the name is claimed exclusively."""
    import jimeng_tui.jobs.finalize as finalize

    def no_links(src, dst):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(finalize.os, "link", no_links)
    part = make_video(tmp_path / "a.mp4.part", 48, size=(160, 96))
    dest, info = finalize_video(part, tmp_path / "a.mp4")
    assert info.frames == 48 and dest.exists() and not part.exists()
    other = make_video(tmp_path / "b.mp4.part", 24, size=(160, 96))
    with pytest.raises(FileExistsError):
        finalize_video(other, dest)
    assert probe(dest).frames == 48
    assert other.exists()


async def test_broken_file_is_a_media_error_and_the_part_is_kept(srv, http, tmp_path):
    url = srv.put("clip.mp4", b"<html><body>Service Unavailable</body></html>" * 100)
    part = tmp_path / "clip.mp4.part"
    await download_to_part(url, part, http=http)
    with pytest.raises(MediaError):
        finalize_video(part, tmp_path / "clip.mp4")
    assert part.exists()
    assert not (tmp_path / "clip.mp4").exists()


def test_large_socket_reads_are_enabled(srv, http):
    """Guards the 2× CPU saving measured by bench_download.py against httpcore changes."""
    url = srv.put("clip.mp4", blob(10_000))
    with http.stream("GET", url) as response:
        assert _widen_reads(response)
        response.read()


def test_plain_bodies_are_read_straight_from_the_socket(srv, http):
    """Guards the h11 bypass (bench_download.py: 0.77x curl through h11, ~1.1x without)."""
    data = blob(200_000, seed=21)
    url = srv.put("clip.mp4", data)
    with http.stream("GET", url) as response:
        body = _direct_body(response)
        assert body is not None and body.length == len(data)
        assert body.read_timeout == 10
        if url.startswith("https"):
            assert isinstance(body.sock, ssl.SSLSocket)


async def test_chunked_bodies_go_through_h11_and_still_resume(srv, http, tmp_path):
    data = blob(1_500_000, seed=22)
    url = srv.put("clip.mp4", data)
    srv.chunked = True
    with http.stream("GET", url) as response:
        assert "content-length" not in response.headers
        assert _direct_body(response) is None
    srv.requests.clear()
    srv.truncate_next, srv.truncate_after = 1, 400_000
    part = tmp_path / "clip.mp4.part"
    result = await download_to_part(url, part, http=http)
    assert part.read_bytes() == data and result.sha256 == sha(data)
    assert result.resumed == 1 and srv.requests[1]["range"] == "bytes=400000-"


async def test_a_stalled_body_times_out_and_is_resumed(srv, tls_ca, tmp_path):
    """The client's read timeout holds for bodies read past h11 too."""
    data = blob(3 * CHUNK, seed=23)
    url = srv.put("clip.mp4", data)
    srv.delay = 0.6  # one chunk at once, then a pause longer than the timeout
    part = tmp_path / "clip.mp4.part"
    with httpx.Client(timeout=0.25, verify=trusting(tls_ca)) as http:
        result = await download_to_part(url, part, http=http)
    assert part.read_bytes() == data and result.sha256 == sha(data)
    assert result.resumed == 2
    assert [r.get("range") for r in srv.requests] == [
        None,
        f"bytes={CHUNK}-",
        f"bytes={2 * CHUNK}-",
    ]


async def test_one_client_downloads_one_file_after_another(srv, http, tmp_path):
    """A connection whose body was read past h11 is closed, never reused half-read."""
    first, second = blob(900_000, seed=24), blob(1_100_000, seed=25)
    urls = srv.put("a.mp4", first), srv.put("b.mp4", second)
    for url, data, name in zip(urls, (first, second), "ab", strict=True):
        result = await download_to_part(url, tmp_path / f"{name}.mp4.part", http=http)
        assert result.sha256 == sha(data)


def one_shot_server(reply: bytes) -> tuple[str, threading.Thread]:
    """A server that answers one connection with ``reply`` in a single send, then closes."""
    listener = socket.create_server(("127.0.0.1", 0))

    def answer() -> None:
        with listener:
            conn, _ = listener.accept()
            with conn:
                conn.recv(65536)
                conn.sendall(reply)

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/clip.mp4", thread


async def test_body_bytes_that_came_with_the_headers_are_kept(http, tmp_path):
    data = blob(30_000, seed=26)
    head = f'HTTP/1.1 200 OK\r\nContent-Length: {len(data)}\r\nETag: "x"\r\n\r\n'.encode()
    url, thread = one_shot_server(head + data)
    with http.stream("GET", url) as response:
        body = _direct_body(response)
        assert body is not None and 0 < len(body.buffered) <= len(data)
        assert data.startswith(body.buffered)
    thread.join(5)
    url, thread = one_shot_server(head + data)
    result = await download_to_part(url, tmp_path / "clip.mp4.part", http=http)
    assert result.sha256 == sha(data) and result.size == len(data)
    thread.join(5)


def test_sidecar_is_written_next_to_the_video(tmp_path):
    video = tmp_path / "2026-03-14_一只猫_123.mp4"
    video.write_bytes(b"")
    data = {
        "prompt": "一只猫在雨中跳舞",
        "task_id": "7392616336519610409",
        "timings": {"saved": 1.5},
    }
    path = write_sidecar(video, data)
    assert path == tmp_path / "2026-03-14_一只猫_123.json"
    text = path.read_text("utf-8")
    assert "一只猫在雨中跳舞" in text  # not \\u escapes
    assert text.startswith('{\n  "prompt"')
    assert json.loads(text) == data
    write_sidecar(video, {**data, "prompt": "again"})
    assert json.loads(path.read_text("utf-8"))["prompt"] == "again"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([video.name, path.name])


# ------------------------------------------------------------------ against the sandbox's links

T2V = "jimeng_t2v_v30"


def finished_task(server, prompt: str = "a red kite over the sea") -> tuple[str, str]:
    """Submit a text-to-video task to the sandbox and wait for its video link."""
    from jimeng_tui.sandbox import testing

    answer = testing.submit(server, {"req_key": T2V, "prompt": prompt, "frames": 121, "seed": 7})
    task_id = answer.json()["data"]["task_id"]
    return task_id, fresh_link(server, task_id)


def fresh_link(server, task_id: str) -> str:
    from jimeng_tui.sandbox import testing

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        data = testing.query(server, T2V, task_id).json()["data"]
        if data["status"] == "done":
            return data["video_url"]
        time.sleep(0.05)
    raise AssertionError("the sandbox task did not finish")


def video_requests(server) -> list[dict]:
    return [r for r in server.requests if r.get("action") == "GetVideo"]


async def test_sandbox_video_survives_dropped_connections(sandbox, http, tmp_path):
    _, url = await asyncio.to_thread(finished_task, sandbox)
    clean = await download_to_part(url, tmp_path / "clean.mp4.part", http=http)
    sandbox.inject("truncate", 2, action="video")
    part = tmp_path / "clip.mp4.part"
    result = await download_to_part(url, part, http=http)
    assert result.resumed == 2
    assert (result.size, result.sha256) == (clean.size, clean.sha256)
    ranges = [r.get("range") for r in video_requests(sandbox)][-3:]
    assert ranges[0] is None and all(r and r.startswith("bytes=") for r in ranges[1:])
    dest, info = await asyncio.to_thread(finalize_video, part, tmp_path / "clip.mp4")
    assert dest.stat().st_size == clean.size
    assert (info.frames, info.fps) == (121, 24.0)
    assert info.duration_s == pytest.approx(121 / 24, abs=1 / 24)


async def test_sandbox_expired_link_then_fresh_link_resumes(sandbox, http, tmp_path):
    task_id, url = await asyncio.to_thread(finished_task, sandbox, "a lighthouse at dusk")
    part = tmp_path / "clip.mp4.part"
    sandbox.inject("truncate", 1, action="video")
    with pytest.raises(TransportError):
        await download_to_part(url, part, http=http, max_resumes=0)
    kept = part.stat().st_size
    assert kept > 0
    sandbox.advance(sandbox.options.link_lifetime_s / sandbox.options.speed + 1)
    with pytest.raises(LinkExpired):
        await download_to_part(url, part, http=http)
    assert part.stat().st_size == kept
    url2 = await asyncio.to_thread(fresh_link, sandbox, task_id)
    assert url2 != url
    result = await download_to_part(url2, part, http=http)
    assert result.resumed == 1
    assert video_requests(sandbox)[-1]["range"] == f"bytes={kept}-"
    _, info = await asyncio.to_thread(finalize_video, part, tmp_path / "clip.mp4")
    assert info.frames == 121
