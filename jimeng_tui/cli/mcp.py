"""``jimeng-tui mcp``: the agent server (an MCP server on the job queue, ``jimeng_tui/agent``).

Imported when its parser is built (``PARSER``, from the command table: the top stays cheap); the
server, the engine and the MCP SDK load when the command runs.
"""

from __future__ import annotations

import argparse
import os

from jimeng_tui.cli.commands import ParserSpec
from jimeng_tui.cli.errors import UsageError
from jimeng_tui.cli.flags import Flag, flag_adder
from jimeng_tui.sandbox.argtypes import port

HELP = "serve agents over the Model Context Protocol (stdio, or --http)"
DESCRIPTION = (
    "Serve jimeng-tui to AI agents over the Model Context Protocol: tools to list models, "
    "generate (with an idempotency key, so a retried call never pays twice), wait for, list, "
    "cancel, retry and re-run jobs. Jobs go into the same history as the app and the other "
    "commands, and survive a restart of the server (unfinished ones are resumed when it "
    "starts). Speaks MCP over stdio (the default: an MCP client starts it) or, with --http, "
    "streamable HTTP."
)
EPILOG = """\
client set-up (the mcpServers entry of Claude Desktop, Cursor, ...):
  {"mcpServers": {"jimeng": {"command": "jimeng-tui", "args": ["mcp"]}}}
  add "--sandbox" to the args to try it offline: a local emulator, nothing is billed

HTTP:
  --http PORT listens on 127.0.0.1 only. --host ADDRESS listens elsewhere and then needs a
  bearer token: --new-token (made and printed once), --token-file FILE, $JIMENG_TUI_MCP_TOKEN,
  or [mcp] token in config.toml.

examples:
  jimeng-tui mcp                         stdio, for an MCP client to start
  jimeng-tui mcp --sandbox               the same on the local emulator
  jimeng-tui mcp --http 8765             streamable HTTP at http://127.0.0.1:8765/mcp
  jimeng-tui mcp --http 8765 --host 0.0.0.0 --new-token
"""


TRANSPORT_FLAGS = (
    Flag(
        "--http",
        type=port,
        metavar="PORT",
        default=None,
        help="serve streamable HTTP on PORT (0 picks a free one) instead of stdio",
    ),
    Flag(
        "--host",
        metavar="ADDRESS",
        default=None,
        help="listen on ADDRESS instead of 127.0.0.1 (needs a bearer token; with --http)",
    ),
    Flag(
        "--token-file",
        metavar="FILE",
        default=None,
        help="the bearer token HTTP clients must send: the file's first line (default: "
        "$JIMENG_TUI_MCP_TOKEN, else [mcp] token in config.toml)",
    ),
    Flag(
        "--new-token",
        action="store_true",
        help="make a random bearer token for this run and print it once on stderr",
    ),
)
PARSER = ParserSpec(HELP, DESCRIPTION, EPILOG, flag_adder(("transport", TRANSPORT_FLAGS)))


def _configured() -> str:
    """``[mcp] token`` from config.toml ("" when none; a bad config is said by the server)."""
    from jimeng_tui.session.config import load_config
    from jimeng_tui.store.config import ConfigError
    from jimeng_tui.store.paths import app_paths

    try:
        return load_config(app_paths(os.environ), os.environ).config.mcp.token
    except ConfigError:
        return ""


def cmd_mcp(ns: argparse.Namespace) -> int:
    from jimeng_tui.agent.http_auth import LOOPBACK_HOSTS, new_token, token_from
    from jimeng_tui.agent.serve import ServeOptions, run, say

    http = ns.http is not None
    if not http and (ns.host or ns.token_file or ns.new_token):
        raise UsageError("--host, --token-file and --new-token go with --http PORT", field="http")
    if ns.new_token and ns.token_file:
        raise UsageError("give --new-token or --token-file, not both", field="new_token")
    try:
        token = None if ns.new_token else token_from(os.environ, ns.token_file, _configured())
    except ValueError as exc:
        raise UsageError(str(exc), field="token_file") from None
    host = ns.host or "127.0.0.1"
    if ns.new_token:
        token = new_token()
    if http and host not in LOOPBACK_HOSTS and not token:
        raise UsageError(
            f"--host {host} would let other machines spend this account's money: give a bearer "
            "token with --new-token (printed once), --token-file FILE, $JIMENG_TUI_MCP_TOKEN "
            "or [mcp] token in config.toml; nothing was started",
            field="host",
        )
    if ns.new_token:
        say(f"bearer token for this run (send it as 'Authorization: Bearer TOKEN'): {token}")
    options = ServeOptions(
        sandbox=bool(ns.sandbox), http_port=ns.http, host=host, token=token if http else None
    )
    try:
        return run(options, os.environ)
    except OSError as exc:
        if http:
            message = f"cannot listen on {host}:{ns.http}: {exc.strerror}"
            raise UsageError(message, field="http") from None
        raise


__all__ = ["PARSER", "cmd_mcp"]
