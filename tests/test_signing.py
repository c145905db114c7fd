"""Request signing: the contract's test vector, and agreement with the official SDK."""

from __future__ import annotations

import json
import random
import string
from collections import OrderedDict
from datetime import UTC, datetime, timedelta, timezone

import pytest

from jimeng_tui.services.jimeng import catalog
from jimeng_tui.services.jimeng.signing import (
    Credentials,
    canonical_host,
    canonical_query,
    compute_signature,
    parse_authorization,
    parse_x_date,
    sha256_hex,
    sign_request,
    x_date,
)

VECTOR_BODY = (
    b'{"req_key": "jimeng_t2v_v30", "prompt": "a cat", "seed": -1, "frames": 121, '
    b'"aspect_ratio": "16:9"}'
)
VECTOR_HASH = "b174131cda48726ed69ae13b4d0c79ef90700a19549dadcce3687366e3c0028f"
VECTOR_SIGNATURE = "fc1d87e93b3fb3f4ad4be3601f5f95d5d2c3e28257f1dd84b2a44c1ec214fc13"
VECTOR_QUERY = {"Action": "CVSync2AsyncSubmitTask", "Version": "2022-08-31"}


def _vector_headers(**overrides):
    kwargs = dict(
        method="POST",
        path="/",
        query=VECTOR_QUERY,
        host="visual.volcengineapi.com",
        body=VECTOR_BODY,
        credentials=Credentials("AKTESTEXAMPLE", "SKTESTEXAMPLE"),
        now=datetime(2025, 1, 1, tzinfo=UTC),
    )
    kwargs.update(overrides)
    return sign_request(**kwargs)


def test_contract_vector_byte_for_byte():
    headers = _vector_headers()
    assert headers["X-Date"] == "20250101T000000Z"
    assert headers["X-Content-Sha256"] == VECTOR_HASH
    assert headers["Host"] == "visual.volcengineapi.com"
    assert headers["Content-Type"] == "application/json"
    assert headers["Authorization"] == (
        "HMAC-SHA256 Credential=AKTESTEXAMPLE/20250101/cn-north-1/cv/request, "
        "SignedHeaders=content-type;host;x-content-sha256;x-date, "
        f"Signature={VECTOR_SIGNATURE}"
    )


def test_vector_with_default_ports_signs_the_same():
    assert _vector_headers(host="visual.volcengineapi.com:443")["Authorization"].endswith(
        VECTOR_SIGNATURE
    )
    assert _vector_headers(host="visual.volcengineapi.com:80")["Authorization"].endswith(
        VECTOR_SIGNATURE
    )
    other = _vector_headers(host="visual.volcengineapi.com:8443")
    assert other["Host"] == "visual.volcengineapi.com:8443"
    assert not other["Authorization"].endswith(VECTOR_SIGNATURE)


def test_vector_clock_in_another_timezone_is_converted_to_utc():
    beijing = datetime(2025, 1, 1, 8, 0, tzinfo=timezone(timedelta(hours=8)))
    assert _vector_headers(now=beijing)["Authorization"].endswith(VECTOR_SIGNATURE)


@pytest.mark.parametrize(
    "change",
    [
        {"body": VECTOR_BODY.replace(b"a cat", b"a dog")},
        {"credentials": Credentials("AKTESTEXAMPLE", "SKTESTEXAMPLF")},
        {"now": datetime(2025, 1, 1, 0, 0, 1, tzinfo=UTC)},
        {"query": {**VECTOR_QUERY, "Action": "CVSync2AsyncGetResult"}},
        {"host": "visual.volcengineapi.co"},
    ],
)
def test_any_change_changes_the_signature(change):
    assert not _vector_headers(**change)["Authorization"].endswith(VECTOR_SIGNATURE)


def test_secret_never_in_headers_or_repr():
    creds = Credentials("AKTESTEXAMPLE", "SKTESTEXAMPLE")
    headers = _vector_headers(credentials=creds)
    assert all("SKTESTEXAMPLE" not in v for v in headers.values())
    assert "SKTESTEXAMPLE" not in repr(creds)
    assert "SKTESTEXAMPLE" not in str(creds)


def test_canonical_helpers():
    assert canonical_query({"b": "x y", "a": "1/2+3=4&5~"}) == "a=1%2F2%2B3%3D4%265~&b=x%20y"
    assert canonical_host("h:80") == "h"
    assert canonical_host("h:443") == "h"
    assert canonical_host("h:8080") == "h:8080"
    assert canonical_host("h:10443") == "h:10443"
    assert x_date(datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)) == "20250304T050607Z"
    assert parse_x_date("20250304T050607Z") == datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


# ---- parse_authorization ------------------------------------------------------------------


def test_parse_authorization_round_trip():
    headers = _vector_headers()
    parsed = parse_authorization(headers["Authorization"])
    assert parsed.access_key == "AKTESTEXAMPLE"
    assert parsed.date == "20250101"
    assert parsed.region == catalog.REGION
    assert parsed.service == catalog.SERVICE
    assert parsed.signed_headers == ("content-type", "host", "x-content-sha256", "x-date")
    assert parsed.signature == VECTOR_SIGNATURE
    # A verifier rebuilding the signature from what it received gets the same value.
    received = {
        "content-type": headers["Content-Type"],
        "host": headers["Host"],
        "x-content-sha256": sha256_hex(VECTOR_BODY),
        "x-date": headers["X-Date"],
    }
    again = compute_signature(
        method="POST",
        path="/",
        query=VECTOR_QUERY,
        headers=received,
        signed_headers=parsed.signed_headers,
        body_hash=sha256_hex(VECTOR_BODY),
        secret_key="SKTESTEXAMPLE",
        x_date_value=headers["X-Date"],
    )
    assert again == parsed.signature


def test_parse_authorization_accepts_unsorted_lists_and_spacing():
    value = (
        "HMAC-SHA256 Credential=AK/20250101/cn-north-1/cv/request,"
        "SignedHeaders=X-Date;Host;Content-Type;X-Content-Sha256,  Signature=abc"
    )
    parsed = parse_authorization(value)
    assert parsed.signed_headers == ("x-date", "host", "content-type", "x-content-sha256")
    assert parsed.signature == "abc"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "Bearer abc",
        "HMAC-SHA256",
        "HMAC-SHA256 Credential=AK/20250101/cn-north-1/cv/request, SignedHeaders=host",
        "HMAC-SHA256 Credential=AK/20250101/cv/request, SignedHeaders=host, Signature=x",
        "HMAC-SHA256 Credential=AK/20250101/cn-north-1/cv/other, SignedHeaders=host, Signature=x",
        "HMAC-SHA256 garbage",
    ],
)
def test_parse_authorization_rejects_malformed(value):
    with pytest.raises(ValueError):
        parse_authorization(value)


# ---- cross-check against the official SDK -------------------------------------------------

volc_signer = pytest.importorskip("volcengine.auth.SignerV4")
from volcengine.auth.SignParam import SignParam  # noqa: E402
from volcengine.Credentials import Credentials as VolcCredentials  # noqa: E402

PROMPT_PIECES = [
    "a cat",
    "一只金毛犬在向日葵田里奔跑",
    "🐕🌻",
    "温暖的午后阳光 ☀️",
    'quote " and backslash \\',
    "tab\tnewline\n",
    "emoji 👩‍👩‍👧 family",
    "漢字と かな",
]
RESERVED = " /+=&~?#%:;,@!$'()*[]中文🎬"


def _random_text(rng: random.Random, alphabet: str, low: int = 1, high: int = 12) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))


def _random_case(rng: random.Random):
    body = {
        "req_key": rng.choice([m.req_key for m in catalog.MODES.values()]),
        "prompt": " ".join(rng.choice(PROMPT_PIECES) for _ in range(rng.randint(1, 4))),
        "seed": rng.choice([-1, rng.randint(0, catalog.SEED_MAX)]),
        "frames": rng.choice(catalog.FRAME_CHOICES),
    }
    if rng.random() < 0.5:
        body["aspect_ratio"] = rng.choice(catalog.ASPECT_RATIOS)
    if rng.random() < 0.3:
        body["task_id"] = str(rng.randint(10**18, 10**19))
    raw = json.dumps(body, ensure_ascii=rng.random() < 0.5).encode("utf-8")
    query = {
        "Action": rng.choice([catalog.ACTION_SUBMIT, catalog.ACTION_RESULT]),
        "Version": catalog.API_VERSION,
    }
    alphabet = string.ascii_letters + string.digits + RESERVED + "-_."
    for _ in range(rng.randint(0, 4)):
        query[_random_text(rng, alphabet)] = _random_text(rng, alphabet, 0, 16)
    base = rng.choice(
        ["visual.volcengineapi.com", "127.0.0.1", "localhost", "open.volcengineapi.com"]
    )
    port = rng.choice([None, 80, 443, 8420, 8080, 10443])
    host = base if port is None else f"{base}:{port}"
    secret = _random_text(rng, string.ascii_letters + string.digits + "/+=", 8, 40)
    access = "AK" + _random_text(rng, string.ascii_uppercase + string.digits, 8, 20)
    now = datetime(2020, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randint(0, 400_000_000))
    return body, raw, query, host, access, secret, now


def _sdk_authorization(raw, query, host, access, secret, now):
    param = SignParam()
    param.set_method("POST")
    param.set_path("/")
    param.set_host(host)
    param.set_body(raw)
    param.set_query(OrderedDict(query))
    param.set_header_list(OrderedDict([("Content-Type", "application/json"), ("Host", host)]))
    # sign_only takes its clock from the param (it formats param.date, no timezone maths),
    # so freezing the clock is handing it the same UTC instant as naive UTC.
    param.set_date(now.astimezone(UTC).replace(tzinfo=None))
    creds = VolcCredentials(access, secret, catalog.SERVICE, catalog.REGION)
    result = volc_signer.SignerV4.sign_only(param, creds)
    return result


def test_sdk_reproduces_contract_vector():
    result = _sdk_authorization(
        VECTOR_BODY,
        VECTOR_QUERY,
        "visual.volcengineapi.com",
        "AKTESTEXAMPLE",
        "SKTESTEXAMPLE",
        datetime(2025, 1, 1, tzinfo=UTC),
    )
    assert result.xContextSha256 == VECTOR_HASH
    assert result.xSignature == VECTOR_SIGNATURE
    assert result.authorization == _vector_headers()["Authorization"]


def test_agrees_with_official_sdk_on_generated_requests():
    rng = random.Random(20250101)
    cases = 250
    ports_seen = set()
    for _ in range(cases):
        _body, raw, query, host, access, secret, now = _random_case(rng)
        ports_seen.add(host.rpartition(":")[2] if ":" in host else None)
        ours = sign_request(
            method="POST",
            path="/",
            query=query,
            host=host,
            body=raw,
            credentials=Credentials(access, secret),
            now=now,
        )
        sdk = _sdk_authorization(raw, query, host, access, secret, now)
        assert ours["Authorization"] == sdk.authorization, (raw, query, host, now)
        assert ours["X-Content-Sha256"] == sdk.xContextSha256
        assert ours["X-Date"] == sdk.xdate
    assert {None, "80", "443", "8420"} <= ports_seen
