"""The service client for a target (Jimeng 3.0 today).

Issue 14, package A: once the Runner takes a ``Service``, this becomes
``services.registry.create(name, target)`` after ``session.services.register_builtin()``.
"""

from __future__ import annotations

from collections.abc import Callable

from jimeng_tui.services.base import Target
from jimeng_tui.services.jimeng.client import JimengClient, RetrySettings
from jimeng_tui.services.jimeng.signing import Credentials


def make_client(target: Target, on_limit: Callable[[int], None]) -> JimengClient:
    credentials = Credentials(
        target.credentials.get("access_key", ""), target.credentials.get("secret_key", "")
    )
    return JimengClient(
        credentials,
        base_url=target.base_url,
        timeout=target.timeout_s,
        retry=RetrySettings(attempts=max(1, target.retries)),
        on_limit=on_limit,
    )
