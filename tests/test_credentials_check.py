"""Keys are checked for shape on entry (with the precise mistake) and proved by a test
connection that creates nothing: one signed status query for a made-up task."""

from __future__ import annotations

import pytest

from jimeng_tui.services.jimeng.credentials_check import (
    access_key_problem,
    check_connection,
    secret_key_problem,
)
from jimeng_tui.services.jimeng.signing import Credentials

REAL_LOOKING_AK = "AKLTYjI3ZGY1MGM2NjI3NDAzMGE5NTVkYzgzM2E4ZjM4NjM"
REAL_LOOKING_SK = "WVRSak1ESmtZVGsxWkRnME5EWTNNMkUwTjJRME5XSXlaR1V4TnpCaFpHUQ=="


@pytest.mark.parametrize(
    ("access", "secret"),
    [
        (REAL_LOOKING_AK, REAL_LOOKING_SK),
        ("AKSANDBOXJIMENGTUI0001", "sandbox-secret-key"),  # the sandbox's own keys
        ("  AKLTFIRSTRUN0000KEY1\n", "very-secret-value "),  # blanks around are dropped
    ],
)
def test_keys_of_the_right_shape_pass(access, secret):
    assert access_key_problem(access, secret) is None
    assert secret_key_problem(secret, access) is None


@pytest.mark.parametrize(
    ("access", "secret", "expected"),
    [
        ("hello", REAL_LOOKING_SK, "starts with AK (like AKLT…); this one starts with 'he'"),
        (REAL_LOOKING_SK, REAL_LOOKING_AK, "the two keys look swapped"),
        ("AKLT 1234 5678 9012 345", REAL_LOOKING_SK, "space or line break inside"),
        ('"AKLT12345678901234"', REAL_LOOKING_SK, "remove the quotes"),
        ("VOLC_ACCESSKEY=AKLT12345678901234", REAL_LOOKING_SK, "not the whole line"),
        ("AKLT123", REAL_LOOKING_SK, "the access key is 7 characters"),
        ("AKLT1234567890123.", REAL_LOOKING_SK, "has '.'"),
        ("AKLТ1234567890123456", REAL_LOOKING_SK, "not plain ASCII"),  # a Cyrillic Т
    ],
)
def test_access_key_mistakes_are_named(access, secret, expected):
    assert expected in (access_key_problem(access, secret) or "")


@pytest.mark.parametrize(
    ("secret", "expected"),
    [
        ("short", "the secret key is 5 characters"),
        (REAL_LOOKING_AK, "the secret key is the access key again"),
        ("export VOLC_SECRETKEY=abcdefghijklmnopqrstuvwxyz", "not the whole line"),
        ("abcdefghijklmnop#qrstu", "only letters, digits and + / = _ -"),
    ],
)
def test_secret_key_mistakes_are_named_without_quoting_it(secret, expected):
    problem = secret_key_problem(secret, REAL_LOOKING_AK) or ""
    assert expected in problem
    if len(secret) > 6 and secret != REAL_LOOKING_AK:
        assert secret not in problem and secret[-8:] not in problem


async def test_connection_check_proves_keys_and_creates_nothing(sandbox):
    good = sandbox.credentials
    check = await check_connection(good, base_url=sandbox.base_url)
    assert check.ok and "the keys work" in check.message and "no task" in check.message
    wrong_secret = Credentials(good.access_key, "not-the-right-secret-key")
    check = await check_connection(wrong_secret, base_url=sandbox.base_url)
    assert not check.ok and "SignatureDoesNotMatch" in check.message
    assert "secret key does not belong" in check.message
    assert "not-the-right" not in check.message
    unknown = Credentials("AKLTNOBODYHASTHISKEY00", good.secret_key)
    check = await check_connection(unknown, base_url=sandbox.base_url)
    assert not check.ok and "does not know this access key" in check.message
    # three status queries, one attempt each; no submit, no task
    assert len(sandbox.requests_for("CVSync2AsyncGetResult")) == 3
    assert sandbox.requests_for("CVSync2AsyncSubmitTask") == []
    assert sandbox.tasks == {}


async def test_connection_check_says_when_the_service_is_unreachable():
    check = await check_connection(
        Credentials("AKLT12345678901234", "abcdefghijklmnopq"), base_url="http://127.0.0.1:9"
    )
    assert not check.ok and "Could not connect to http://127.0.0.1:9" in check.message
    assert "The keys were not tested" in check.message and "Tried 1 times" not in check.message
