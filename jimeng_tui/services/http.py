"""What every service's HTTP client shares: the backoff between attempts, which failures prove a
request never left this machine, and the words of a transport failure.

A module beside the service packages (never inside one), so each service uses it without
importing another service.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from typing import TypedDict

import httpx

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.services.base import Target, TransportError

USER_AGENT = "jimeng-tui/0.1"
# Failures that prove the request never left this machine (so sending it again is safe).
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# An address httpx cannot send to at all: nothing was sent, and trying again cannot help.
UNSENDABLE = (httpx.UnsupportedProtocol, httpx.InvalidURL)


@dataclass(frozen=True)
class RetrySettings:
    attempts: int = 4  # total tries, the first included
    base_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, retry_number: int) -> float:
        """Full jitter: uniform in [0, min(max_delay, base_delay * 2**retry_number)]."""
        cap = min(self.max_delay, self.base_delay * (2**retry_number))
        return random.uniform(0.0, max(0.0, cap))


DEFAULT_RETRY = RetrySettings()


class ClientSettings(TypedDict):
    base_url: str
    timeout: float
    retry: RetrySettings


def client_settings(target: Target) -> ClientSettings:
    """What a service's client takes from the session's target (besides the credentials)."""
    return ClientSettings(
        base_url=target.base_url,
        timeout=target.timeout_s,
        retry=RetrySettings(attempts=max(1, target.retries)),
    )


async def pause_before(retry: RetrySettings, attempt: int) -> None:
    """The backoff's wait before attempt number ``attempt`` (none before the first, 0)."""
    if attempt:
        await asyncio.sleep(retry.delay(attempt - 1))


def checked_url(base_url: str, what: str) -> httpx.URL:
    """``base_url`` parsed; JimengError naming ``what`` ("The API URL") if it is not http(s)."""
    url = httpx.URL(base_url)
    if url.scheme not in ("http", "https") or not url.host:
        raise JimengError(f"The {what} {base_url!r} is not an http(s) URL.")
    return url


def describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def cannot_send(base_url: str, exc: BaseException) -> TransportError:
    """An address httpx refuses (``UNSENDABLE``): certainly not sent."""
    return TransportError(f"Cannot send to {base_url}: {describe(exc)}", sent=False)


def no_answer(what: str, base_url: str, exc: httpx.TransportError) -> TransportError:
    """A read that got no answer; ``sent`` unless the failure proves it never left."""
    return TransportError(
        f"The {what} to {base_url} got no answer ({describe(exc)}).",
        sent=not isinstance(exc, NOT_SENT),
    )


def gave_up(last: JimengError, tries: int) -> JimengError:
    """The error to raise after the last attempt: a transport failure says how often it tried."""
    if isinstance(last, TransportError):
        return TransportError(f"{last} Tried {tries} times.", sent=last.sent)
    return last
