"""Downloading the generated video (DESIGN.md, "Files on disk").

``download_to_part`` streams the video URL into ``NAME.mp4.part`` and resumes: a part left by an
earlier attempt or an earlier run is continued with ``Range`` + ``If-Range`` (the ETag), a dropped
connection is resumed up to ``max_resumes`` times, and an answer for a different file (the ETag
changed, the server ignored the range) starts again from zero. The ETag and size the part belongs
to are kept beside it in ``NAME.mp4.part.meta`` so that a later run (or the same run with a fresh
URL after :class:`LinkExpired`) can resume safely. Each request runs in a worker thread with a
sync ``httpx.Client`` (the event loop only hears about progress), and a plain body is read
past h11 straight from the socket; see :class:`_Attempt`.

``finalize_video`` checks the part is a video and moves it to its final name without ever
overwriting a file; ``write_sidecar`` writes ``NAME.json`` next to ``NAME.mp4``.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import h11
import httpx

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.jobs.media import MediaInfo, probe, temp_path
from jimeng_tui.jobs.saving import ensure_free_space
from jimeng_tui.services.base import TransportError

WRITE_BATCH = 1024 * 1024  # bytes received before each write and hash
HASH_AHEAD = 4  # writes the hashing thread may lag behind
READ_SIZE = 1024 * 1024  # largest socket read (httpcore's default is 64 KiB)
PROGRESS_INTERVAL = 0.1  # seconds: on_progress is called at most ~10 times a second
HASH_READ = 1024 * 1024
META_SUFFIX = ".meta"
STOP_WAIT_S = 5.0  # longest a cancel waits for the part to be written and hashed

# Errors after which a new request may continue where the last one stopped.
_DROPPED = (httpx.NetworkError, httpx.TimeoutException, httpx.RemoteProtocolError)
_RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
_CONTENT_RANGE = re.compile(r"bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)", re.IGNORECASE)


class LinkExpired(JimengError):
    """The video URL was refused (403): its signature expired. A fresh URL is needed."""

    def __init__(self, status: int = 403):
        self.status = status
        super().__init__(
            f"The video link was refused (HTTP {status}); it has probably expired. "
            "A fresh link is needed to continue the download."
        )


class DownloadFailed(TransportError):
    """The download could not be completed; ``status`` is the HTTP status when there was one."""

    def __init__(self, message: str, *, status: int | None = None):
        self.status = status
        super().__init__(message, sent=True)


@dataclass(frozen=True)
class DownloadResult:
    path: Path
    size: int
    sha256: str
    etag: str | None
    resumed: int  # how many times the download continued from a part instead of from zero


class _Restart(Exception):
    """The bytes on disk do not belong to what the server sends now: start from zero."""


class _Dropped(Exception):
    """The body ended early or the server answered with a transient error."""


def meta_path(part: Path) -> Path:
    return part.with_name(part.name + META_SUFFIX)


def _read_meta(part: Path) -> dict[str, Any]:
    try:
        data = json.loads(meta_path(part).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_meta(part: Path, etag: str | None, total: int | None) -> None:
    path = meta_path(part)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"etag": etag, "total": total}), "utf-8")
    os.replace(tmp, path)


class _Digest:
    """SHA-256 of the first ``size`` bytes of the part."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self.size = 0

    def update(self, data: bytes | memoryview) -> None:
        self._sha.update(data)
        self.size += len(data)

    def hexdigest(self) -> str:
        return self._sha.hexdigest()

    @classmethod
    def of_file(cls, part: Path, size: int) -> _Digest:
        digest = cls()
        with open(part, "rb") as f:
            while digest.size < size:
                block = f.read(min(HASH_READ, size - digest.size))
                if not block:
                    raise _Restart  # the part shrank under us
                digest.update(block)
        return digest


def _parse_content_range(value: str | None) -> tuple[int | None, int | None, int | None]:
    """``bytes 100-199/1000`` → (100, 199, 1000); ``bytes */1000`` → (None, None, 1000)."""
    m = _CONTENT_RANGE.match(value or "")
    if not m:
        return None, None, None
    start = int(m.group(1)) if m.group(1) is not None else None
    end = int(m.group(2)) if m.group(2) is not None else None
    total = int(m.group(3)) if m.group(3) != "*" else None
    return start, end, total


def _int_header(response: httpx.Response, name: str) -> int | None:
    try:
        return int(response.headers[name])
    except (KeyError, ValueError):
        return None


def _http11_connection(response: httpx.Response) -> Any:
    """httpcore's HTTP/1.1 connection carrying ``response``, or None (HTTP/2, other internals).

    Private to httpcore: every use below is best effort and checks what it finds.
    """
    obj: Any = response.stream
    for _ in range(8):
        connection = getattr(obj, "_connection", None)
        if isinstance(getattr(connection, "READ_NUM_BYTES", None), int):
            return connection
        obj = getattr(obj, "_stream", None) or getattr(obj, "_httpcore_stream", None)
        if obj is None:
            break
    return None


def _widen_reads(response: httpx.Response, size: int = READ_SIZE) -> bool:
    """Let this response's HTTP/1.1 connection read up to ``size`` bytes per socket read.

    httpcore reads 64 KiB at a time; for a video body that per-read Python overhead costs about
    twice the CPU of larger reads (tests/benchmarks/bench_download.py). Limited to this one
    connection: when httpcore's internals differ, nothing changes.
    """
    connection = _http11_connection(response)
    if connection is None:
        return False
    connection.READ_NUM_BYTES = max(connection.READ_NUM_BYTES, size)
    return True


@dataclass(frozen=True)
class _DirectBody:
    """Where the rest of a plain ``Content-Length`` body can be read without h11."""

    sock: socket.socket
    buffered: bytes  # body bytes h11 read along with the headers
    length: int  # the body's length, ``buffered`` included
    read_timeout: float | None  # the request's, as httpcore would apply it to each read


def _direct_body(response: httpx.Response) -> _DirectBody | None:
    """The socket to read this response's body from directly, or None to use ``iter_raw``.

    h11 copies every body chunk four times on the way out (into its buffer, two slices,
    httpcore's ``bytes``): for a big video that costs more CPU than receiving it. Once h11 has
    parsed the headers, the body of a ``Content-Length`` response is simply the next bytes on
    the socket (after what h11 already holds), so they are read into reused buffers instead. The
    connection is then closed with the response, never reused: h11 did not see the body.
    Anything unexpected (chunked, encoded, HTTP/2, TLS inside TLS to an HTTPS proxy, other
    httpcore internals) returns None.
    """
    if response.http_version != "HTTP/1.1":
        return None
    headers = response.headers
    if "transfer-encoding" in headers or headers.get("content-encoding", "identity") != "identity":
        return None
    length = _int_header(response, "content-length")
    connection = _http11_connection(response)
    h11_state = getattr(connection, "_h11_state", None)
    stream = response.extensions.get("network_stream")
    if length is None or h11_state is None or stream is None:
        return None
    sock = stream.get_extra_info("socket")
    tls = stream.get_extra_info("ssl_object")
    # Only the two cases known to yield the body: a plain socket, or an ssl.SSLSocket whose
    # own TLS is the stream's. Anything else (TLS run in memory over the socket, as to an
    # HTTPS proxy) means the socket carries ciphertext.
    plain = tls is None and type(sock) is socket.socket
    own_tls = (
        isinstance(sock, ssl.SSLSocket)
        and tls is not None
        and tls is getattr(sock, "_sslobj", None)
    )
    if not (plain or own_tls):
        return None
    if getattr(h11_state, "their_state", None) is not h11.SEND_BODY:
        return None
    try:
        buffered, closed = h11_state.trailing_data
    except (AttributeError, TypeError, ValueError):
        return None
    if closed or not isinstance(buffered, bytes) or len(buffered) > length:
        return None
    timeout = response.request.extensions.get("timeout", {}).get("read")
    return _DirectBody(sock, buffered, length, timeout)


class _Progress:
    """Calls ``on_progress`` on the event loop, at most every ``PROGRESS_INTERVAL`` seconds.

    The worker thread receiving the body reports through :meth:`post`; nothing is delivered
    after :meth:`close` (a cancelled download may still have reports queued on the loop).
    """

    def __init__(self, callback: Callable[[int, int | None], None] | None):
        self.callback = callback
        self.loop = asyncio.get_running_loop()
        self.last = 0.0
        self.posted = 0.0  # when the worker thread last posted (only ever touched there)
        self.reported: tuple[int, int | None] | None = None
        self.closed = False

    def __call__(self, received: int, total: int | None, *, force: bool = False) -> None:
        if self.callback is None or self.closed or self.reported == (received, total):
            return
        now = time.monotonic()
        if force or now - self.last >= PROGRESS_INTERVAL:
            self.last = now
            self.reported = (received, total)
            self.callback(received, total)

    def post(self, received: int, total: int | None, *, force: bool = False) -> None:
        """From the worker thread: schedule a report on the loop (throttled here already)."""
        if self.callback is None:
            return
        now = time.monotonic()
        if force or now - self.posted >= PROGRESS_INTERVAL:
            self.posted = now
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody listens
                self.loop.call_soon_threadsafe(self._deliver, received, total)

    def _deliver(self, received: int, total: int | None) -> None:
        self(received, total, force=True)

    def close(self) -> None:
        self.closed = True


@dataclass
class _State:
    """What an attempt learns that the next one needs (written only by the running attempt)."""

    etag: str | None
    total: int | None
    digest: _Digest | None
    resumed: int = 0


class _Stopped(Exception):
    """The task awaiting the attempt was cancelled before the attempt touched the part."""


def _write_all(f: BinaryIO, chunks: list[bytes] | list[memoryview]) -> None:
    for chunk in chunks:
        f.write(chunk)


def _hash_all(digest: _Digest, chunks: list[bytes] | list[memoryview]) -> None:
    for chunk in chunks:
        digest.update(chunk)


class _PartSink:
    """Appends to the part in the receiving thread and hashes in a second one, in order.

    The hash (~0.3 s of CPU per 500 MB) then runs beside the next reads instead of after them.
    :meth:`write` returns once the bytes are in the file; their hash lags at most
    ``HASH_AHEAD`` writes behind, and :meth:`drain` waits for it. A failed write raises at
    once, and what follows it is neither written nor hashed.
    """

    def __init__(self, f: BinaryIO, digest: _Digest):
        self.f, self.digest = f, digest
        self._hasher = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="jimeng-hash")
        self._hashing: collections.deque[concurrent.futures.Future[None]] = collections.deque()
        # Made as needed (none for bodies read through h11, one for a small video), at most
        # one more than hashes may be pending: the next one to fill is then always free.
        self._buffers: list[bytearray] = []
        self._next = 0

    def buffer(self) -> memoryview:
        """A free buffer to receive into (its earlier contents are hashed already)."""
        if self._next == len(self._buffers):
            self._buffers.append(bytearray(WRITE_BATCH))
        view = memoryview(self._buffers[self._next])
        self._next = (self._next + 1) % (HASH_AHEAD + 1)
        return view

    def write(self, chunks: list[bytes] | list[memoryview]) -> None:
        _write_all(self.f, chunks)
        self._hashing.append(self._hasher.submit(_hash_all, self.digest, chunks))
        while len(self._hashing) > HASH_AHEAD:
            self._hashing.popleft().result()

    def drain(self) -> None:
        try:
            while self._hashing:
                self._hashing.popleft().result()
        finally:
            self._hasher.shutdown()


def _shut_down(response: httpx.Response) -> None:
    """Wake a worker blocked reading ``response``'s socket (the read then sees end of file)."""
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            # The plain socket's shutdown even for TLS: ssl.SSLSocket.shutdown also drops its
            # SSL object, which the reading thread is still using.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Attempt:
    """One request for the video, run from start to finish in a worker thread.

    A sync ``httpx.Client`` sends the request; the body is read with blocking socket reads,
    which release the GIL, so the event loop does nothing per chunk: it only gets progress
    reports. A plain ``Content-Length`` body is read straight from the socket
    (:func:`_direct_body`), anything else through h11. This thread writes the part and a
    second one hashes it (:class:`_PartSink`). Whatever arrived before an error or a stop is
    written and hashed before :meth:`run` returns or raises, so a resume continues after it.
    """

    def __init__(
        self,
        http: httpx.Client,
        url: str,
        part: Path,
        offset: int,
        state: _State,
        progress: _Progress,
    ):
        self.http, self.url, self.part, self.offset = http, url, part, offset
        self.state, self.progress = state, progress
        self._lock = threading.Lock()
        self._stopped = False
        self._writing = False  # the worker has claimed the part: stopping must wait for it
        self._response: httpx.Response | None = None

    def stop(self) -> bool:
        """From the loop: make the worker stop soon. Returns whether it is writing the part
        (then the caller waits for it: a few ms, as the socket read is woken at once)."""
        with self._lock:
            self._stopped = True
            writing, response = self._writing, self._response
            # Under the lock: the worker clears the response (under it too) before the
            # connection goes back to the pool, so this never cuts a connection that another
            # download has taken meanwhile.
            if writing and response is not None:
                _shut_down(response)
        return writing

    def run(self) -> None:
        """Fetch the rest of the file into the part (blocking). Raises ``_Restart``,
        ``_Dropped``, ``LinkExpired``, ``DownloadFailed`` or an httpx error like before."""
        offset, state = self.offset, self.state
        headers = {"Accept-Encoding": "identity"}
        if offset:
            headers["Range"] = f"bytes={offset}-"
            if state.etag and not state.etag.startswith("W/"):  # If-Range needs a strong one
                headers["If-Range"] = state.etag
        with self.http.stream("GET", self.url, headers=headers) as response:
            with self._lock:
                self._response = response
            try:
                status = response.status_code
                if status == 403:
                    raise LinkExpired(status)
                if status == 416 and offset:
                    _, _, full = _parse_content_range(response.headers.get("content-range"))
                    full = full if full is not None else state.total
                    if full is not None and full == offset:
                        return  # the part was already complete
                    raise _Restart
                if status in _RETRY_STATUS:
                    raise _Dropped(f"the server answered HTTP {status}")
                if status not in (200, 206):
                    raise DownloadFailed(
                        f"Downloading the video failed: the server answered HTTP {status}.",
                        status=status,
                    )
                new_etag = response.headers.get("etag")
                if status == 206:
                    start, _, full = _parse_content_range(response.headers.get("content-range"))
                    if start != offset:
                        raise _Restart
                    if offset and state.etag and new_etag and new_etag != state.etag:
                        raise _Restart
                    changed_size = state.total is not None and full not in (None, state.total)
                    if offset and changed_size:
                        raise _Restart
                    expected = full
                    if expected is None:
                        length = _int_header(response, "content-length")
                        expected = offset + length if length is not None else None
                else:  # 200: the whole file (fresh, or If-Range said the file changed)
                    offset = 0
                    expected = _int_header(response, "content-length")
                ensure_free_space(self.part.parent, None if expected is None else expected - offset)
                with self._lock:
                    if self._stopped:
                        raise _Stopped
                    self._writing = True
                if status == 206 and offset:
                    state.resumed += 1
                if status == 200:
                    state.digest = _Digest()
                state.etag = new_etag or (state.etag if status == 206 else None)
                state.total = expected
                _write_meta(self.part, state.etag, state.total)

                received = self._receive(response, offset)
                self.progress.post(received, state.total, force=True)
                if state.total is not None and received < state.total:
                    raise _Dropped(f"the connection closed after {received} of {state.total} bytes")
                if state.total is not None and received > state.total:
                    raise _Restart
            finally:
                # the connection goes back to the pool now: a later stop() must not shut
                # down a socket another download may be reading
                with self._lock:
                    self._response = None

    def _receive(self, response: httpx.Response, offset: int) -> int:
        """Append the body to the part from ``offset``; returns the part's size afterwards.

        On an error or a stop, what arrived before it is written and hashed first, so a resume
        continues after it.
        """
        digest = self.state.digest
        assert digest is not None and digest.size == offset
        self.progress.post(offset, self.state.total, force=True)
        direct = _direct_body(response)
        with open(self.part, "r+b" if offset else "wb") as f:
            if offset:  # "wb" truncated already
                f.seek(offset)
                f.truncate()
            sink = _PartSink(f, digest)
            try:
                if direct is not None:
                    return self._receive_direct(direct, sink, offset)
                _widen_reads(response)
                return self._receive_chunks(response, sink, offset)
            finally:
                sink.drain()

    def _receive_chunks(self, response: httpx.Response, sink: _PartSink, received: int) -> int:
        """Through h11 (``iter_raw``), in batches of about ``WRITE_BATCH`` bytes."""
        batch: list[bytes] = []
        batch_len = 0
        try:
            for chunk in response.iter_raw():
                batch.append(chunk)
                batch_len += len(chunk)
                if batch_len >= WRITE_BATCH:
                    chunks, size = batch, batch_len
                    batch, batch_len = [], 0  # cleared first: a failed write is not retried
                    sink.write(chunks)
                    received += size
                    self.progress.post(received, self.state.total)
                if self._stopped:
                    break
        finally:
            if batch:  # what arrived before an error or a stop
                sink.write(batch)
                received += batch_len
        return received

    def _receive_direct(self, body: _DirectBody, sink: _PartSink, received: int) -> int:
        """Straight from the socket into the sink's buffers (see :func:`_direct_body`)."""
        remaining = body.length - len(body.buffered)
        if body.buffered:
            sink.write([body.buffered])
            received += len(body.buffered)
        timeout = body.read_timeout
        body.sock.settimeout(timeout)
        while remaining > 0 and not self._stopped:
            view = sink.buffer()
            wanted = min(len(view), remaining)
            filled = 0
            try:
                while filled < wanted:
                    n = body.sock.recv_into(view[filled:wanted])
                    if n == 0:
                        break  # closed early (or shut down by stop()); checked by the caller
                    filled += n
            except TimeoutError as exc:
                raise httpx.ReadTimeout(f"no data for {timeout} s") from exc
            except OSError as exc:  # reset, TLS error, shut down under a blocked read
                raise httpx.ReadError(str(exc) or type(exc).__name__) from exc
            finally:
                if filled:  # what arrived before an error or a stop
                    sink.write([view[:filled]])
                    received += filled
                    remaining -= filled
            self.progress.post(received, self.state.total)
            if filled < wanted:
                break
        return received


async def _run_attempt(attempt: _Attempt) -> None:
    """Run ``attempt`` in its own thread. When the awaiting task is cancelled, the worker is
    stopped; if it was writing the part, this waits (blocking, a few ms) until the part is
    complete and hashed, so it never changes under a later attempt."""
    future: concurrent.futures.Future[None] = concurrent.futures.Future()

    def work() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            attempt.run()
        except BaseException as exc:
            future.set_exception(exc)
        else:
            future.set_result(None)

    # A daemon thread: one still waiting for a slow server after a cancel never holds up exit.
    threading.Thread(target=work, name="jimeng-download", daemon=True).start()
    try:
        await asyncio.wrap_future(future)
    except asyncio.CancelledError:
        if attempt.stop():
            with contextlib.suppress(Exception):  # a few ms; bounded in case a disk hangs
                future.result(timeout=STOP_WAIT_S)
        raise


async def download_to_part(
    url: str,
    part: Path,
    *,
    http: httpx.Client,
    on_progress: Callable[[int, int | None], None] | None = None,
    max_resumes: int = 5,
) -> DownloadResult:
    """Download ``url`` into ``part``, continuing whatever ``part`` already holds.

    ``http`` is a sync client: each request runs in a worker thread (see :class:`_Attempt`),
    ``on_progress`` is called on the event loop. Raises :class:`LinkExpired` on 403 (the part
    is kept; call again with a fresh URL and the same part to resume), :class:`DownloadFailed`
    (a ``TransportError``) for other HTTP errors and when the connection dropped more than
    ``max_resumes`` times.
    """
    if not isinstance(http, httpx.Client):
        raise TypeError("download_to_part needs a sync httpx.Client (it runs in a worker thread)")
    part = Path(part)
    part.parent.mkdir(parents=True, exist_ok=True)
    meta = _read_meta(part)
    state = _State(
        etag=meta.get("etag") if isinstance(meta.get("etag"), str) else None,
        total=meta.get("total") if isinstance(meta.get("total"), int) else None,
        digest=None,
    )
    progress = _Progress(on_progress)
    drops = 0
    last_problem = ""

    try:
        while True:
            offset = part.stat().st_size if part.exists() else 0
            try:
                if offset == 0:
                    state.digest = _Digest()
                elif state.digest is None or state.digest.size != offset:
                    state.digest = await asyncio.to_thread(_Digest.of_file, part, offset)
                await _run_attempt(_Attempt(http, url, part, offset, state, progress))
                break
            except _Restart:
                last_problem = "the server sent a different file than the partial download"
                part.unlink(missing_ok=True)
                meta_path(part).unlink(missing_ok=True)
                state.etag, state.total, state.digest = None, None, None
            except (*_DROPPED, _Dropped) as exc:
                last_problem = str(exc) or type(exc).__name__
            except (httpx.HTTPError, httpx.InvalidURL) as exc:  # e.g. no URL, unsupported scheme
                raise DownloadFailed(f"Downloading the video failed: {exc}.") from exc
            drops += 1
            if drops > max_resumes:
                raise DownloadFailed(
                    f"Downloading the video failed after {drops} attempts ({last_problem}). "
                    "The partial file is kept; the next attempt continues it."
                )
            await asyncio.sleep(min(0.2 * drops, 2.0))

        size = part.stat().st_size
        digest = state.digest
        if digest is None or digest.size != size:
            try:
                digest = await asyncio.to_thread(_Digest.of_file, part, size)
            except _Restart:
                raise DownloadFailed(
                    "The downloaded file changed while it was being checked; the next "
                    "attempt downloads it again."
                ) from None
        total = state.total
        progress(size, total if total is not None else size, force=True)
    finally:
        progress.close()
    return DownloadResult(
        path=part, size=size, sha256=digest.hexdigest(), etag=state.etag, resumed=state.resumed
    )


def _link_no_overwrite(src: Path, dest: Path) -> None:
    """Give ``src`` the name ``dest`` unless ``dest`` exists (FileExistsError).

    ``src`` usually stays (a second link); without hard links it is moved.
    """
    try:
        os.link(src, dest)
        return
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno == errno.EXDEV:
            raise
    # No hard links here (FAT, some network shares): claim the name exclusively, then replace
    # our own empty placeholder.
    fd = os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    os.close(fd)
    os.replace(src, dest)


def _move_no_overwrite(src: Path, dest: Path) -> None:
    try:
        _link_no_overwrite(src, dest)
    except OSError as exc:
        if isinstance(exc, FileExistsError) or exc.errno != errno.EXDEV:
            raise
        # Different file systems: copy next to dest first, then move that.
        tmp = temp_path(dest)
        try:
            shutil.copyfile(src, tmp)
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            _link_no_overwrite(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
    src.unlink(missing_ok=True)


def finalize_video(part: Path, dest: Path) -> tuple[Path, MediaInfo]:
    """Check ``part`` is a video, then give it the name ``dest``; returns (dest, info).

    Raises ``MediaError`` (the part is kept) when it is not a video, and ``FileExistsError``
    when ``dest`` exists: nothing is ever overwritten, pick another name with ``unique_path``.
    Blocking; callers use ``asyncio.to_thread``.
    """
    part, dest = Path(part), Path(dest)
    info = probe(part)
    with open(part, "rb+") as f:  # the bytes are on disk before the name says "done"
        os.fsync(f.fileno())
    dest.parent.mkdir(parents=True, exist_ok=True)
    _move_no_overwrite(part, dest)
    meta_path(part).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        dir_fd = os.open(dest.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return dest, info


def write_sidecar(video: Path, data: dict[str, Any]) -> Path:
    """Write ``data`` as ``NAME.json`` next to ``NAME.mp4`` (atomically); returns its path."""
    video = Path(video)
    path = video.with_suffix(".json")
    tmp = temp_path(path)
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
