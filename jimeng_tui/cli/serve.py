"""``jimeng-tui serve``: the studio in a web browser, through textual-serve (issue 18).

Each browser tab gets its own ``jimeng-tui`` process (the same history and the same claims as
in a terminal, so two tabs never drive one job). Loopback by default; any other address needs a
token (from ``--token``, ``JIMENG_TUI_SERVE_TOKEN`` or ``[serve] token``; else a new one,
printed). The web part is in ``cli/serve_web.py``; this module stays cheap for the parser.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import secrets
import shlex
import socket
import sys

from jimeng_tui.cli.commands import ParserSpec
from jimeng_tui.cli.flags import Flag, flag_adder

HELP = "serve the studio to a web browser (textual-serve)"
DESCRIPTION = (
    "Serve the studio to a web browser. Every browser tab runs its own jimeng-tui process on "
    "this machine (same history, same files, same job claims as the terminal app). Bound to "
    "127.0.0.1 by default; on any other address a token is required (printed at start, or set "
    "with --token, JIMENG_TUI_SERVE_TOKEN or [serve] token in config.toml). In the browser, "
    "o downloads a saved video to the browser."
)
EPILOG = """\
examples:
  jimeng-tui serve                          http://127.0.0.1:8000 on this machine
  jimeng-tui serve --sandbox                the same against the built-in emulator
  jimeng-tui serve --host 0.0.0.0 --public-url https://studio.example.com
                                            behind a TLS proxy (see the README, "Browser mode")
  ssh -L 8000:127.0.0.1:8000 HOST           reach a remote loopback server safely
"""
LOOPBACK_NAMES = ("localhost", "ip6-localhost")


SERVE_FLAGS = (
    Flag("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)"),
    Flag("--port", type=int, default=8000, help="port to listen on (8000)"),
    Flag(
        "--token",
        default=None,
        help="the token browsers must give (default: [serve] token, else a new one; "
        "always required off loopback)",
    ),
    Flag(
        "--public-url",
        default=None,
        help="the address browsers use, when a proxy is in front (e.g. https://studio.example.com)",
    ),
)
PARSER = ParserSpec(HELP, DESCRIPTION, EPILOG, flag_adder((None, SERVE_FLAGS)))


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def app_command(sandbox: bool) -> str:
    """The command each browser session runs: this Python, this jimeng-tui."""
    return shlex.join([sys.executable, "-m", "jimeng_tui", *(["--sandbox"] if sandbox else [])])


def check_port(host: str, port: int) -> None:
    from jimeng_tui.cli.errors import UsageError

    if not 1 <= port <= 65535:
        raise UsageError(f"--port {port} is not a port number (1-65535)")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            raise UsageError(
                f"cannot listen on {host}:{port} ({exc.strerror or exc}); "
                f"try another port: jimeng-tui serve --port {port + 1}"
            ) from None


def configured_token() -> str:
    from jimeng_tui.session.config import load_config
    from jimeng_tui.store.paths import app_paths

    return load_config(app_paths(os.environ), os.environ).config.serve.token


def cmd_serve(ns: argparse.Namespace) -> int:
    from jimeng_tui.cli.errors import PROG, UsageError

    host, port = ns.host, ns.port
    check_port(host, port)
    token = ns.token if ns.token is not None else configured_token()
    if ns.token is not None and not token.strip():
        raise UsageError("--token is empty; give a long random one, or leave it out")
    generated = False
    if not token and not is_loopback(host):
        token, generated = secrets.token_urlsafe(24), True
    shown_host = f"[{host}]" if ":" in host else host
    public_url = (ns.public_url or "").rstrip("/") or None
    url = public_url or f"http://{shown_host}:{port}"
    lines = [f"{PROG}: serving the studio{' (sandbox)' if ns.sandbox else ''} at {url}"]
    if token:
        lines.append(
            f"  open {url}/?token={token}" if generated else f"  open {url}/?token=<your token>"
        )
        if generated:
            lines.append("  (a new token each start; set [serve] token in config.toml to keep one)")
    if not is_loopback(host):
        lines.append(
            "  not loopback: put it behind TLS, e.g. `caddy reverse-proxy --from "
            f"studio.example.com --to 127.0.0.1:{port}` (serve on 127.0.0.1 then) and pass "
            "--public-url https://studio.example.com; or keep 127.0.0.1 and use "
            f"`ssh -L {port}:127.0.0.1:{port} THIS-HOST`"
        )
    lines.append("  one jimeng-tui per browser tab; Ctrl+C stops the server (and the tabs' apps)")
    print("\n".join(lines), flush=True)
    # The browser's terminal cannot answer the image query the app makes before it starts.
    os.environ["JIMENG_TUI_NO_IMAGES"] = "1"
    from jimeng_tui.cli.serve_web import serve

    serve(app_command(ns.sandbox), host=host, port=port, token=token or None, public_url=public_url)
    return 0
