"""What the emulator answers: the service's JSON envelopes (business and gateway errors), the
video store's XML errors, byte ranges, and the two connection tricks (a reset with no answer, a
body cut short)."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import socket
import struct
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from jimeng_tui.services.jimeng import catalog
from jimeng_tui.services.jimeng.errors import BUSINESS_ERRORS, GATEWAY_ERRORS, SUCCESS_CODE

CHUNK = 1024 * 1024  # bytes per body send: fewer, larger sends keep the server's CPU low
_ZEROS = bytes(CHUNK)  # one padding chunk, sent again and again

GATEWAY_MESSAGES = {
    "MissingAuthenticationToken": "The request must contain an Authorization header.",
    "MissingSignature": "The Authorization header is malformed: {detail}.",
    "InvalidTimestamp": "{detail}",
    "InvalidActionOrVersion": "Could not find operation {action} for version {version}.",
    "InvalidAccessKey": "The access key {detail} does not exist.",
    "SignatureDoesNotMatch": (
        "The request signature we calculated does not match the signature you provided. "
        "Check your Secret Access Key and signing method. ({detail})"
    ),
}


def request_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%d%H%M%S") + secrets.token_hex(9).upper()


def _elapsed(start: float) -> str:
    return f"{(time.perf_counter() - start) * 1000:.2f}ms"


def business(code: int, start: float, detail: str = "", data: Any = None) -> JSONResponse:
    if code == SUCCESS_CODE:
        status, message = 200, "Success"
    else:
        info = BUSINESS_ERRORS[code]
        status, message = info.http_status, info.message
        if detail:
            message = f"{message}: {detail}"
    return JSONResponse(
        {
            "code": code,
            "data": data,
            "message": message,
            "request_id": request_id(),
            "status": code,
            "time_elapsed": _elapsed(start),
        },
        status_code=status,
    )


def gateway(name: str, action: str, version: str, detail: str = "") -> JSONResponse:
    info = GATEWAY_ERRORS[name]
    message = GATEWAY_MESSAGES.get(name, name).format(
        detail=detail, action=action or "(none)", version=version or "(none)"
    )
    return JSONResponse(
        {
            "ResponseMetadata": {
                "RequestId": request_id(),
                "Action": action,
                "Version": version,
                "Service": catalog.SERVICE,
                "Region": catalog.REGION,
                "Error": {"CodeN": info.code_n, "Code": name, "Message": message},
            }
        },
        status_code=info.http_status,
    )


# ---------------------------------------------------------------- connection tricks


def _cycle_transport(receive: Receive) -> asyncio.Transport | None:
    """uvicorn's transport for this request (``receive`` is a bound method of its cycle)."""
    cycle = getattr(receive, "__self__", None)
    return getattr(cycle, "transport", None)


async def _wait_disconnected(receive: Receive, timeout: float = 5.0) -> None:
    cycle = getattr(receive, "__self__", None)
    deadline = time.monotonic() + timeout
    while cycle is not None and not getattr(cycle, "disconnected", True):
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.005)


class AbortResponse(Response):
    """No answer at all: the connection is reset (RST) before a single byte is written."""

    def __init__(self) -> None:
        super().__init__(status_code=500)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        transport = _cycle_transport(receive)
        if transport is None:  # not uvicorn: the nearest thing is a cut-off answer
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-length", b"1000")],
                }
            )
            raise ConnectionAbortedError("sandbox: connection reset")
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
        await _wait_disconnected(receive)


class BlobResponse(Response):
    """Bytes made of parts (clip bytes, then optional zero padding), with a cut-off option."""

    def __init__(
        self,
        parts: list[bytes | int],
        start: int,
        end: int,
        *,
        status_code: int,
        headers: dict[str, str],
        head: bool = False,
        truncate: bool = False,
    ):
        super().__init__(status_code=status_code, headers=headers)
        self.parts = parts
        self.start = start
        self.end = end  # exclusive
        self.head = head
        self.truncate = truncate

    def _chunks(self, start: int, end: int) -> Iterator[bytes]:
        pos = 0
        for part in self.parts:
            size = part if isinstance(part, int) else len(part)
            lo, hi = max(start, pos), min(end, pos + size)
            while lo < hi:
                step = min(CHUNK, hi - lo)
                if isinstance(part, int):
                    yield _ZEROS if step == CHUNK else _ZEROS[:step]
                else:
                    yield part[lo - pos : lo - pos + step]
                lo += step
            pos += size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        if self.head:
            await send({"type": "http.response.body", "body": b""})
            return
        stop = self.end
        if self.truncate:
            stop = self.start + (self.end - self.start) // 2
        for chunk in self._chunks(self.start, stop):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        if not self.truncate:
            await send({"type": "http.response.body", "body": b""})
            return
        transport = _cycle_transport(receive)
        if transport is None:
            raise ConnectionAbortedError("sandbox: body truncated")
        transport.close()  # flushes what was written, then FIN: Content-Length is not met
        await _wait_disconnected(receive)


def tos_error(status: int, code: str, message: str) -> Response:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message></Error>\n"
    )
    return Response(body, status_code=status, media_type="application/xml")


def parse_range(value: str, total: int) -> tuple[int, int] | str | None:
    """One ``bytes=`` range as (start, end-exclusive); None → ignore (serve all);
    "unsatisfiable" → 416."""
    unit, _, spec = value.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, sep, last = spec.strip().partition("-")
    if not sep:
        return None
    try:
        if not first:
            n = int(last)
            if n <= 0:
                return "unsatisfiable"
            return max(0, total - n), total
        start = int(first)
        end = int(last) + 1 if last else total
    except ValueError:
        return None
    if start >= total:
        return "unsatisfiable"
    if end <= start:
        return None
    return start, min(end, total)
