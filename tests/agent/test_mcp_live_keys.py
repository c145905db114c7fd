"""``jimeng-tui mcp`` with an account's keys (a sandbox in this process plays the service, so
its request log counts the submits): an idempotency key outlives a restart of the server, and
no key ever shows in a tool result, on stderr or in the log file."""

from __future__ import annotations

import json
import os

import pytest
from mcp_support import call, errlog_path, mcp_session, ok, text_of

from jimeng_tui.store.paths import app_paths

pytestmark = pytest.mark.slow


async def test_a_key_used_again_after_a_restart_is_the_same_job_and_no_key_leaks(
    sandbox_factory, tmp_path
):
    server = sandbox_factory(request_log=tmp_path / "requests.jsonl")
    env = {
        "VOLC_ACCESSKEY": server.options.access_key,
        "VOLC_SECRETKEY": server.options.secret_key,
        "JIMENG_VIDEO_API_URL": server.base_url,
        "JIMENG_VIDEO_POLL_INTERVAL": "0.2",
    }
    said: list[str] = []
    args = {"prompt": "A paper boat", "idempotency_key": "boat-7", "wait_seconds": 50}
    async with mcp_session(sandbox=False, env=env) as session:
        first = await call(session, "generate", **args)
        said += [text_of(first), json.dumps(first.structured_content)]
    async with mcp_session(sandbox=False, env=env) as session:
        again = await call(session, "generate", **args)
        status = await call(session, "job_status", job_id=ok(first)["job"]["job_id"])
        said += [text_of(again), json.dumps(again.structured_content), text_of(status)]
    assert ok(first)["job"]["status"] == "saved" and ok(again)["reused"] is True
    assert ok(again)["job"]["job_id"] == ok(first)["job"]["job_id"]
    assert len(server.submitted_bodies()) == 1  # one paid task across both servers
    log_file = app_paths(os.environ).log_file
    said += [errlog_path().read_text("utf-8"), log_file.read_text("utf-8")]
    for secret in (server.options.secret_key, server.options.access_key):
        assert all(secret not in text for text in said)


async def test_without_keys_generate_says_how_to_set_them_and_nothing_is_written():
    async with mcp_session(sandbox=False) as session:
        models = ok(await call(session, "list_models"))
        refused = await call(session, "generate", prompt="No account")
    assert models["services"][0]["service"] == "jimeng3"
    assert (
        refused.is_error
        and "VOLC_ACCESSKEY" in text_of(refused)
        and "--sandbox" in text_of(refused)
    )
    assert "no credentials" in errlog_path().read_text("utf-8")
    assert not app_paths(os.environ).history_db.exists() or not _live_jobs()


def _live_jobs() -> list:
    from jimeng_tui.store.history import History, HistoryQuery

    with History(app_paths(os.environ).history_db) as history:
        return history.query(HistoryQuery(limit=None))
