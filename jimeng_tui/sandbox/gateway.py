"""The emulator's gateway: checks a request's HMAC-SHA256 v4 signature the way the service's
gateway does (with ``jimeng_tui.services.jimeng.signing``)."""

from __future__ import annotations

import hmac
import time
from urllib.parse import parse_qsl

from starlette.requests import Request

from jimeng_tui.sandbox.options import MAX_CLOCK_SKEW_S
from jimeng_tui.services.jimeng import catalog
from jimeng_tui.services.jimeng.signing import (
    canonical_host,
    compute_signature,
    parse_authorization,
    parse_x_date,
    sha256_hex,
)


class GatewayFailure(Exception):
    def __init__(self, name: str, detail: str = ""):
        self.name = name
        self.detail = detail
        super().__init__(f"{name}: {detail}")


def verify_signature(request: Request, raw: bytes, keys: dict[str, str]) -> str:
    """The access key of a correctly signed request; raises GatewayFailure otherwise."""
    headers = request.headers
    authorization = headers.get("authorization")
    if not authorization:
        raise GatewayFailure("MissingAuthenticationToken")
    try:
        auth = parse_authorization(authorization)
    except ValueError as exc:
        raise GatewayFailure("MissingSignature", str(exc)) from None
    secret = keys.get(auth.access_key)
    if secret is None:
        raise GatewayFailure("InvalidAccessKey", auth.access_key)
    x_date_value = headers.get("x-date", "")
    try:
        signed_at = parse_x_date(x_date_value)
    except ValueError:
        raise GatewayFailure(
            "InvalidTimestamp", "The X-Date header is missing or not YYYYMMDDTHHMMSSZ."
        ) from None
    skew = abs(time.time() - signed_at.timestamp())
    if skew > MAX_CLOCK_SKEW_S:
        raise GatewayFailure(
            "InvalidTimestamp",
            f"The request time {x_date_value} is {int(skew)} s away from the server time "
            f"(at most {MAX_CLOCK_SKEW_S} s allowed).",
        )
    if (auth.date, auth.region, auth.service) != (
        x_date_value[:8],
        catalog.REGION,
        catalog.SERVICE,
    ):
        raise GatewayFailure(
            "SignatureDoesNotMatch",
            f"credential scope {auth.date}/{auth.region}/{auth.service} should be "
            f"{x_date_value[:8]}/{catalog.REGION}/{catalog.SERVICE}",
        )
    missing = [name for name in ("host", "x-date") if name not in auth.signed_headers]
    if missing:
        raise GatewayFailure("SignatureDoesNotMatch", f"{missing[0]} must be signed")
    absent = [name for name in auth.signed_headers if name not in headers]
    if absent:
        raise GatewayFailure("SignatureDoesNotMatch", f"signed header {absent[0]} was not sent")
    values = {name: headers[name] for name in auth.signed_headers}
    query = parse_qsl(request.url.query, keep_blank_values=True)
    body_hash = sha256_hex(raw)
    hosts = [values["host"]]
    if canonical_host(values["host"]) != values["host"]:
        hosts.append(canonical_host(values["host"]))
    for host in hosts:
        expected = compute_signature(
            method=request.method,
            path=request.url.path,
            query=query,
            headers={**values, "host": host},
            signed_headers=auth.signed_headers,
            body_hash=body_hash,
            secret_key=secret,
            x_date_value=x_date_value,
        )
        if hmac.compare_digest(expected, auth.signature.lower()):
            return auth.access_key
    raise GatewayFailure("SignatureDoesNotMatch", "signature mismatch")
