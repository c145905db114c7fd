"""The HTTP side of a video download: reading a plain body straight from the socket, parsing
ranges and headers, and reporting progress at a steady pace (used by :mod:`.download`)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h11
import httpx

READ_SIZE = 1024 * 1024  # largest socket read (httpcore's default is 64 KiB)
HASH_READ = 1024 * 1024
PROGRESS_INTERVAL = 0.1  # seconds: on_progress is called at most ~10 times a second
_CONTENT_RANGE = re.compile(r"bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)", re.IGNORECASE)


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


class _Restart(Exception):
    """The bytes on disk do not belong to what the server sends now: start from zero."""


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
