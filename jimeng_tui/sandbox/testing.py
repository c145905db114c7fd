"""Raw signed calls to a sandbox, for tests that must not depend on ``api/client.py``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from jimeng_tui.services.jimeng import catalog
from jimeng_tui.services.jimeng.signing import Credentials, sign_request


def signed_parts(
    base_url: str,
    action: str,
    body: dict[str, Any] | bytes,
    *,
    credentials: Credentials,
    now: datetime | None = None,
    version: str = catalog.API_VERSION,
) -> tuple[str, dict[str, str], bytes, dict[str, str]]:
    """(url, query, raw body, headers) of a signed API request."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    query = {"Action": action, "Version": version}
    headers = sign_request(
        method="POST",
        path="/",
        query=query,
        host=urlsplit(base_url).netloc,
        body=raw,
        credentials=credentials,
        now=now or datetime.now(UTC),
    )
    return base_url.rstrip("/") + "/", query, raw, headers


def call(
    server: Any,
    action: str,
    body: dict[str, Any] | bytes,
    *,
    credentials: Credentials | None = None,
    now: datetime | None = None,
    version: str = catalog.API_VERSION,
    headers: dict[str, str] | None = None,
    http: httpx.Client | None = None,
) -> httpx.Response:
    """POST a signed request to ``server`` (a SandboxServer, or anything with ``base_url`` and
    ``credentials``); ``headers`` are added or replaced after signing."""
    url, query, raw, signed = signed_parts(
        server.base_url,
        action,
        body,
        credentials=credentials or server.credentials,
        now=now,
        version=version,
    )
    signed.update(headers or {})
    return (http or shared_client()).post(url, params=query, content=raw, headers=signed)


_client: httpx.Client | None = None


def shared_client() -> httpx.Client:
    """One plain-HTTP client for the process (building one costs ~50 ms of TLS setup)."""
    global _client
    if _client is None:
        _client = httpx.Client(timeout=30.0, trust_env=False)
    return _client


def submit(server: Any, body: dict[str, Any], **kwargs: Any) -> httpx.Response:
    return call(server, catalog.ACTION_SUBMIT, body, **kwargs)


def query(server: Any, req_key: str, task_id: str, **kwargs: Any) -> httpx.Response:
    return call(server, catalog.ACTION_RESULT, {"req_key": req_key, "task_id": task_id}, **kwargs)
