"""Downloading the generated video (DESIGN.md, "Files on disk").

``download_to_part`` streams the video URL into ``NAME.mp4.part`` and resumes: a part left by an
earlier attempt or an earlier run is continued with ``Range`` + ``If-Range`` (the ETag), a dropped
connection is resumed up to ``max_resumes`` times, and an answer for a different file (the ETag
changed, the server ignored the range) starts again from zero. The ETag and size the part belongs
to are kept beside it in ``NAME.mp4.part.meta`` so that a later run (or the same run with a fresh
URL after :class:`LinkExpired`) can resume safely.

``finalize_video`` checks the part is a video and moves it to its final name without ever
overwriting a file; ``write_sidecar`` writes ``NAME.json`` next to ``NAME.mp4``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import httpx

from jimeng_tui.api.errors import JimengError, TransportError
from jimeng_tui.jobs.media import MediaInfo, probe, temp_path

WRITE_BATCH = 1024 * 1024  # bytes gathered before each write + hash
READ_SIZE = 1024 * 1024  # largest socket read (httpcore's default is 64 KiB)
PROGRESS_INTERVAL = 0.1  # seconds: on_progress is called at most ~10 times a second
HASH_READ = 1024 * 1024
META_SUFFIX = ".meta"

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

    def update(self, data: bytes) -> None:
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


def _widen_reads(response: httpx.Response, size: int = READ_SIZE) -> bool:
    """Let this response's HTTP/1.1 connection read up to ``size`` bytes per socket read.

    httpcore reads 64 KiB at a time; for a video body that per-read Python overhead costs about
    twice the CPU of larger reads (tests/benchmarks/bench_download.py). Best effort and limited to
    this one connection: when httpcore's internals differ, nothing changes.
    """
    obj: Any = response.stream
    for _ in range(8):
        connection = getattr(obj, "_connection", None)
        current = getattr(connection, "READ_NUM_BYTES", None)
        if isinstance(current, int):
            if current < size:
                connection.READ_NUM_BYTES = size
            return True
        obj = getattr(obj, "_stream", None) or getattr(obj, "_httpcore_stream", None)
        if obj is None:
            break
    return False


class _Progress:
    def __init__(self, callback: Callable[[int, int | None], None] | None):
        self.callback = callback
        self.last = 0.0
        self.reported: tuple[int, int | None] | None = None

    def __call__(self, received: int, total: int | None, *, force: bool = False) -> None:
        if self.callback is None or self.reported == (received, total):
            return
        now = time.monotonic()
        if force or now - self.last >= PROGRESS_INTERVAL:
            self.last = now
            self.reported = (received, total)
            self.callback(received, total)


async def _receive(
    response: httpx.Response,
    part: Path,
    offset: int,
    digest: _Digest,
    total: int | None,
    progress: _Progress,
) -> int:
    """Append the body to ``part`` from ``offset``; returns the part's size afterwards.

    Writing and hashing run in a worker thread, one batch behind the network, so the event loop
    only receives (hashlib and file writes release the GIL). Whatever arrived before an error is
    on disk and hashed when this returns or raises, so a resume continues after it.
    """
    received = offset
    progress(received, total, force=True)
    batch: list[bytes] = []
    batch_len = 0
    pending: concurrent.futures.Future[None] | None = None

    def write(f: BinaryIO, chunks: list[bytes]) -> None:
        for chunk in chunks:
            f.write(chunk)
            digest.update(chunk)

    with (
        open(part, "r+b" if offset else "wb", buffering=0) as f,
        concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="jimeng-download") as pool,
    ):
        f.seek(offset)
        f.truncate()
        try:
            async for chunk in response.aiter_raw():
                batch.append(chunk)
                batch_len += len(chunk)
                if batch_len >= WRITE_BATCH:
                    if pending is not None:
                        await asyncio.wrap_future(pending)
                    pending = pool.submit(write, f, batch)
                    received += batch_len
                    batch, batch_len = [], 0
                    progress(received, total)
        finally:
            # Blocking on purpose (at most one batch): the file must be complete even when
            # the task is being cancelled.
            if pending is not None:
                pending.result()
            if batch:
                write(f, batch)
                received += batch_len
    return received


async def download_to_part(
    url: str,
    part: Path,
    *,
    http: httpx.AsyncClient,
    on_progress: Callable[[int, int | None], None] | None = None,
    max_resumes: int = 5,
) -> DownloadResult:
    """Download ``url`` into ``part``, continuing whatever ``part`` already holds.

    Raises :class:`LinkExpired` on 403 (the part is kept; call again with a fresh URL and the
    same part to resume), :class:`DownloadFailed` (a ``TransportError``) for other HTTP errors
    and when the connection dropped more than ``max_resumes`` times.
    """
    part = Path(part)
    part.parent.mkdir(parents=True, exist_ok=True)
    meta = _read_meta(part)
    etag: str | None = meta.get("etag") if isinstance(meta.get("etag"), str) else None
    total: int | None = meta.get("total") if isinstance(meta.get("total"), int) else None
    progress = _Progress(on_progress)
    digest: _Digest | None = None
    drops = 0
    resumed = 0
    last_problem = ""

    while True:
        offset = part.stat().st_size if part.exists() else 0
        try:
            if offset == 0:
                digest = _Digest()
            elif digest is None or digest.size != offset:
                digest = await asyncio.to_thread(_Digest.of_file, part, offset)
            headers = {"Accept-Encoding": "identity"}
            if offset:
                headers["Range"] = f"bytes={offset}-"
                if etag and not etag.startswith("W/"):  # If-Range needs a strong validator
                    headers["If-Range"] = etag
            async with http.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status == 403:
                    raise LinkExpired(status)
                if status == 416 and offset:
                    _, _, full = _parse_content_range(response.headers.get("content-range"))
                    full = full if full is not None else total
                    if full is not None and full == offset:
                        break  # the part was already complete
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
                    if offset and etag and new_etag and new_etag != etag:
                        raise _Restart
                    if offset and total is not None and full is not None and full != total:
                        raise _Restart
                    expected = full
                    if expected is None:
                        length = _int_header(response, "content-length")
                        expected = offset + length if length is not None else None
                    if offset:
                        resumed += 1
                else:  # 200: the whole file (fresh, or If-Range said the file changed)
                    offset = 0
                    digest = _Digest()
                    expected = _int_header(response, "content-length")
                etag, total = new_etag or (etag if status == 206 else None), expected
                await asyncio.to_thread(_write_meta, part, etag, total)

                _widen_reads(response)
                received = await _receive(response, part, offset, digest, total, progress)
                progress(received, total, force=True)
                if total is not None and received < total:
                    raise _Dropped(f"the connection closed after {received} of {total} bytes")
                if total is not None and received > total:
                    raise _Restart
                break
        except _Restart:
            last_problem = "the server sent a different file than the partial download"
            part.unlink(missing_ok=True)
            meta_path(part).unlink(missing_ok=True)
            etag, total, digest = None, None, None
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
    if digest is None or digest.size != size:
        digest = await asyncio.to_thread(_Digest.of_file, part, size)
    progress(size, total if total is not None else size, force=True)
    return DownloadResult(
        path=part, size=size, sha256=digest.hexdigest(), etag=etag, resumed=resumed
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


def write_sidecar(video: Path, data: dict) -> Path:
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
