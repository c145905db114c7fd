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
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import httpx

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.jobs.download_body import (
    _Digest,
    _DirectBody,
    _int_header,
    _parse_content_range,
    _Progress,
    _Restart,
)
from jimeng_tui.jobs.download_body import (
    _direct_body as _direct_body,
)
from jimeng_tui.jobs.download_body import (
    _widen_reads as _widen_reads,
)
from jimeng_tui.jobs.finalize import (
    _read_meta,
    _write_meta,
)
from jimeng_tui.jobs.finalize import (
    finalize_video as finalize_video,
)
from jimeng_tui.jobs.finalize import (
    meta_path as meta_path,
)
from jimeng_tui.jobs.finalize import (
    write_sidecar as write_sidecar,
)
from jimeng_tui.jobs.saving import ensure_free_space
from jimeng_tui.services.base import TransportError

WRITE_BATCH = 1024 * 1024  # bytes received before each write and hash
HASH_AHEAD = 4  # writes the hashing thread may lag behind
STOP_WAIT_S = 5.0  # longest a cancel waits for the part to be written and hashed

# Errors after which a new request may continue where the last one stopped.
_DROPPED = (httpx.NetworkError, httpx.TimeoutException, httpx.RemoteProtocolError)
_RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})


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


class _Dropped(Exception):
    """The body ended early or the server answered with a transient error."""


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
