"""Volcengine "HMAC-SHA256" v4 request signing (api-contract.md, "Request signing").

Pure functions: the caller passes the clock, so the sandbox can verify with the same code.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from jimeng_tui.services.jimeng.catalog import REGION, SERVICE

ALGORITHM = "HMAC-SHA256"
SIGNED_HEADERS: tuple[str, ...] = ("content-type", "host", "x-content-sha256", "x-date")
X_DATE_FORMAT = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class Credentials:
    access_key: str
    secret_key: str

    def __repr__(self) -> str:  # never let the secret reach a log or a traceback
        return f"Credentials(access_key={self.access_key!r}, secret_key='***')"

    __str__ = __repr__


def x_date(now: datetime) -> str:
    return now.astimezone(UTC).strftime(X_DATE_FORMAT)


def parse_x_date(value: str) -> datetime:
    return datetime.strptime(value, X_DATE_FORMAT).replace(tzinfo=UTC)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def _encode(value: str) -> str:
    return quote(value, safe="-_.~")


def canonical_query(query: Mapping[str, str] | Iterable[tuple[str, str]]) -> str:
    items = list(query.items()) if isinstance(query, Mapping) else list(query)
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(items))


def canonical_host(host: str) -> str:
    """The host as signed: a default port (80, 443) is dropped, any other kept."""
    for port in (":80", ":443"):
        if host.endswith(port):
            return host[: -len(port)]
    return host


def signing_key(secret_key: str, date: str, region: str = REGION, service: str = SERVICE) -> bytes:
    k_date = _hmac(secret_key.encode("utf-8"), date)
    k_region = _hmac(k_date, region)
    k_service = _hmac(k_region, service)
    return _hmac(k_service, "request")


def compute_signature(
    *,
    method: str,
    path: str,
    query: Mapping[str, str] | Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    signed_headers: Iterable[str],
    body_hash: str,
    secret_key: str,
    x_date_value: str,
    region: str = REGION,
    service: str = SERVICE,
) -> str:
    """The hex signature over the headers named in ``signed_headers``, in that order.

    ``headers`` maps lowercase names to values. Signing sorts the list; a verifier passes the
    request's own ``SignedHeaders`` order (some official examples send it unsorted).
    """
    names = list(signed_headers)
    canonical_headers = "".join(f"{name}:{headers[name].strip()}\n" for name in names)
    canonical_request = "\n".join(
        [
            method.upper(),
            path or "/",
            canonical_query(query),
            canonical_headers,
            ";".join(names),
            body_hash,
        ]
    )
    date = x_date_value[:8]
    scope = f"{date}/{region}/{service}/request"
    string_to_sign = "\n".join(
        [ALGORITHM, x_date_value, scope, sha256_hex(canonical_request.encode("utf-8"))]
    )
    key = signing_key(secret_key, date, region, service)
    return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def sign_request(
    *,
    method: str,
    path: str,
    query: Mapping[str, str] | Iterable[tuple[str, str]],
    host: str,
    body: bytes,
    credentials: Credentials,
    now: datetime,
    content_type: str = "application/json",
    region: str = REGION,
    service: str = SERVICE,
) -> dict[str, str]:
    """The headers to send: Content-Type, Host, X-Date, X-Content-Sha256 and Authorization."""
    date_value = x_date(now)
    body_hash = sha256_hex(body)
    header_values = {
        "content-type": content_type,
        "host": canonical_host(host),
        "x-content-sha256": body_hash,
        "x-date": date_value,
    }
    signature = compute_signature(
        method=method,
        path=path,
        query=query,
        headers=header_values,
        signed_headers=SIGNED_HEADERS,
        body_hash=body_hash,
        secret_key=credentials.secret_key,
        x_date_value=date_value,
        region=region,
        service=service,
    )
    authorization = (
        f"{ALGORITHM} Credential={credentials.access_key}/{date_value[:8]}/{region}/{service}"
        "/request, "
        f"SignedHeaders={';'.join(SIGNED_HEADERS)}, Signature={signature}"
    )
    return {
        "Content-Type": content_type,
        "Host": header_values["host"],
        "X-Date": date_value,
        "X-Content-Sha256": body_hash,
        "Authorization": authorization,
    }


@dataclass(frozen=True)
class ParsedAuthorization:
    access_key: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(value: str) -> ParsedAuthorization:
    """Split an Authorization header; raises ValueError when it is not the v4 shape."""
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM or not rest:
        raise ValueError("not an HMAC-SHA256 authorization")
    parts: dict[str, str] = {}
    for piece in rest.split(","):
        key, sep, val = piece.strip().partition("=")
        if not sep:
            raise ValueError(f"malformed authorization part {piece.strip()!r}")
        parts[key] = val
    try:
        credential = parts["Credential"].split("/")
        signed = tuple(h.strip().lower() for h in parts["SignedHeaders"].split(";") if h.strip())
        signature = parts["Signature"]
    except KeyError as exc:
        raise ValueError(f"authorization lacks {exc.args[0]}") from None
    if len(credential) != 5 or credential[4] != "request":
        raise ValueError("malformed credential scope")
    return ParsedAuthorization(
        access_key=credential[0],
        date=credential[1],
        region=credential[2],
        service=credential[3],
        signed_headers=signed,
        signature=signature,
    )
