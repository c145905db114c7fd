"""Checking keys before they are saved: their shape (typing and pasting mistakes, said
precisely) and a test connection that proves them without creating a task.

The test is one signed status query for a task id nobody has (``CVSync2AsyncGetResult``): the
gateway checks the signature before anything else, so a bad key or secret comes back as
InvalidAccessKey / SignatureDoesNotMatch, while good keys get the service's own answer about the
made-up task (``not_found``, or 50215 for an id it cannot read). Nothing is submitted, nothing
billed. No message here ever contains the secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.services.jimeng import catalog
from jimeng_tui.services.jimeng.errors import BusinessError, GatewayError, TransportError
from jimeng_tui.services.jimeng.signing import Credentials

KEY_MIN, KEY_MAX = 16, 128
ACCESS_CHARS = re.compile(r"[A-Za-z0-9_\-]+")
SECRET_CHARS = re.compile(r"[A-Za-z0-9+/=_\-]+")  # base64, also its URL-safe form
# a whole line pasted: VOLC_ACCESSKEY=…, export VOLC_SECRETKEY=…, access_key: …
ASSIGNMENT = re.compile(r"^(export\s+)?\w*(key|secret|access)\w*\s*[=:]\s*[^=\s]", re.I)
PROBE_TASK_ID = "0"  # a task id no task has
PROBE_REQ_KEY = catalog.MODES[catalog.DEFAULT_MODE].req_key


def _common_problem(what: str, value: str) -> str | None:
    if not value:
        return f"enter the {what}"
    if ASSIGNMENT.match(value):
        return f"paste only the {what} itself, not the whole line (NAME=…)"
    if value[0] in "\"'" or value[-1] in "\"'":
        return f"remove the quotes around the {what}"
    if any(ch.isspace() for ch in value):
        return f"the {what} has a space or line break inside: paste it again as one word"
    if not value.isascii():
        return f"the {what} has a character that is not plain ASCII (a look-alike letter?)"
    return None


def _length_problem(what: str, value: str, hint: str) -> str | None:
    if KEY_MIN <= len(value) <= KEY_MAX:
        return None
    return f"the {what} is {len(value)} characters; it should be {KEY_MIN} to {KEY_MAX} ({hint})"


def access_key_problem(access_key: str, secret_key: str = "") -> str | None:
    """What is wrong with an access key ID's shape, or None."""
    value = access_key.strip()
    problem = _common_problem("access key", value)
    if problem:
        return problem
    if not value.startswith("AK"):
        if secret_key.strip().startswith("AK"):
            return "the two keys look swapped: the access key ID is the one starting with AK"
        return f"an access key ID starts with AK (like AKLT…); this one starts with {value[:2]!r}"
    if not ACCESS_CHARS.fullmatch(value):
        bad = next(ch for ch in value if not ACCESS_CHARS.fullmatch(ch))
        return f"an access key ID has only letters and digits; this one has {bad!r}"
    return _length_problem("access key", value, "copy the whole ID from the console")


def secret_key_problem(secret_key: str, access_key: str = "") -> str | None:
    """What is wrong with a secret key's shape, or None (never quoting the secret)."""
    value = secret_key.strip()
    problem = _common_problem("secret key", value)
    if problem:
        return problem
    if value == access_key.strip():
        return "the secret key is the access key again: paste the secret key here"
    if value.startswith("AK") and not access_key.strip().startswith("AK"):
        return "the two keys look swapped: the access key ID is the one starting with AK"
    if not SECRET_CHARS.fullmatch(value):
        return "a secret key has only letters, digits and + / = _ - ; this one has others"
    return _length_problem("secret key", value, "copy the whole key: it is shown once")


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    message: str


AUTH_PROBLEMS = {
    "InvalidAccessKey": "the service does not know this access key ID",
    "SignatureDoesNotMatch": "the secret key does not belong to this access key ID",
    "AccessDenied": "the keys work, but this account may not use Jimeng Video "
    "(enable it in the console)",
    "InvalidTimestamp": "this computer's clock is off by more than 15 minutes",
}


async def check_connection(
    credentials: Credentials, *, base_url: str = catalog.DEFAULT_API_URL, timeout: float = 15.0
) -> ConnectionCheck:
    """One signed status query for a made-up task: proves the keys, creates nothing."""
    from jimeng_tui.services.jimeng.client import JimengClient, RetrySettings

    client = JimengClient(
        credentials, base_url=base_url, timeout=timeout, retry=RetrySettings(attempts=1)
    )
    try:
        result = await client.get_result(PROBE_REQ_KEY, PROBE_TASK_ID)
    except GatewayError as exc:
        said = AUTH_PROBLEMS.get(exc.name, str(exc))
        return ConnectionCheck(False, f"{said} ({exc.name}). Nothing was created.")
    except BusinessError as exc:
        if exc.code == 50215:  # it read our request (signature fine) and refused the made-up id
            return ConnectionCheck(True, "the keys work: the service answered (no task created)")
        return ConnectionCheck(False, f"the service answered {exc.code}: {exc}")
    except TransportError as exc:
        said = str(exc).removesuffix(" Tried 1 times.")
        return ConnectionCheck(False, f"{said} The keys were not tested: check the network.")
    except JimengError as exc:
        return ConnectionCheck(False, str(exc))
    finally:
        await client.aclose()
    return ConnectionCheck(
        True, f"the keys work: the service answered ({result.status}; no task was created)"
    )
