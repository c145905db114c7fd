"""``jimeng-tui sandbox`` / ``python -m jimeng_tui.sandbox``: the emulator in the foreground."""

from __future__ import annotations

import argparse
import dataclasses
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jimeng_tui.sandbox import ark
from jimeng_tui.sandbox import options as o
from jimeng_tui.sandbox.argtypes import (
    ark_deny_code,
    ark_model_id,
    endpoint_pair,
    non_negative_float,
    port,
    positive_float,
    positive_int,
    probability,
)
from jimeng_tui.services.jimeng import catalog

PATCH = f"{o.IMAGE_RISK_PATCH}×{o.IMAGE_RISK_PATCH}"
EPILOG = f"""\
content triggers (put them in a prompt or an image URL):
  {o.TEXT_RISK_WORD:<22} in the prompt: submit answers 50412 Text Risk Not Pass
  {o.POST_TEXT_RISK_WORD:<22} in the prompt: submit answers 50413 Post Text Risk Not Pass
  {o.VIDEO_RISK_WORD:<22} in the prompt: the task's query answers 50516 once it is done
  {o.IMAGE_RISK_MARKER:<22} in an image URL (or an image whose top-left {PATCH} is pure
  {"":<22} magenta): submit answers 50411 Pre Img Risk Not Pass

sample input images: /samples/landscape.jpg (1280×720), /samples/portrait.png (720×1280),
  /samples/square.jpg (1024×1024), /samples/magenta-corner.png (rejected with 50411)

Ark (Seedance) on the same port under /api/v3, key {ark.DEFAULT_ARK_API_KEY} (--ark-api-key):
  every Seedance model, Bearer key (401), per-model ranges (400), unknown model (404), the
  {ark.QUEUE_LIMIT}-queued-task limit (429 QuotaExceeded), cancel/delete per status (409 for
  running or cancelled), 24 h links, last frames, token usage; the fault flags apply to it too.
  {ark.TEXT_RISK_WORD:<24} in the prompt: 400 InputTextSensitiveContentDetected
  {ark.COPYRIGHT_WORD:<24} in the prompt: 400 InputTextSensitiveContentDetected.PolicyViolation
  {ark.MODERATION_DOWN_WORD:<24} in the prompt: 400 ContentSecurityDetectionError
  {ark.VIDEO_RISK_WORD:<24} the task fails: OutputVideoSensitiveContentDetected
  {ark.VIDEO_COPYRIGHT_WORD:<24} the task fails: OutputVideoSensitiveContentDetected.PolicyViolation
  {o.IMAGE_RISK_MARKER:<24} in an image URL (or the magenta corner): 400
  {"":<24} InputImageSensitiveContentDetected

point jimeng-tui at it:
  export VOLC_ACCESSKEY={o.DEFAULT_ACCESS_KEY} VOLC_SECRETKEY={o.DEFAULT_SECRET_KEY}
  export JIMENG_VIDEO_API_URL=http://127.0.0.1:{o.DEFAULT_PORT}
  export ARK_API_KEY={ark.DEFAULT_ARK_API_KEY} ARK_BASE_URL=http://127.0.0.1:{o.DEFAULT_PORT}/api/v3
"""


@dataclass(frozen=True)
class Flag:
    """One option of the emulator; ``dest`` is a :class:`SandboxOptions` field (but host, port)."""

    flag: str
    type: Callable[[str], Any] | None
    default: Any
    metavar: str | None
    help: str
    action: str | None = None  # e.g. "append" for a repeatable flag
    field: str | None = None  # the SandboxOptions field, when not the flag's name

    @property
    def dest(self) -> str:
        return self.field or self.flag.removeprefix("--").replace("-", "_")


_D = o.SandboxOptions()
_LINK_MINUTES = catalog.VIDEO_URL_LIFETIME_S // 60
_TASK_HOURS = catalog.TASK_LIFETIME_S // 3600

# The emulator's options by group: `jimeng-tui sandbox` and `python -m jimeng_tui.sandbox` both
# take exactly these (add_arguments), and options_from_args maps them onto SandboxOptions.
FLAGS: dict[str, tuple[Flag, ...]] = {
    "listening": (
        Flag(
            "--host",
            None,
            o.DEFAULT_HOST,
            None,
            f"address to bind (default {o.DEFAULT_HOST}: this machine only)",
        ),
        Flag(
            "--port",
            port,
            o.DEFAULT_PORT,
            None,
            f"port to listen on (default {o.DEFAULT_PORT}; 0 picks a free port)",
        ),
    ),
    "keys": (
        Flag(
            "--access-key",
            None,
            o.DEFAULT_ACCESS_KEY,
            "AK",
            f"the access key the sandbox accepts (default {o.DEFAULT_ACCESS_KEY})",
        ),
        Flag(
            "--secret-key",
            None,
            o.DEFAULT_SECRET_KEY,
            "SK",
            f"its secret key (default {o.DEFAULT_SECRET_KEY})",
        ),
        Flag(
            "--ark-api-key",
            None,
            ark.DEFAULT_ARK_API_KEY,
            "KEY",
            f"the Ark API key the sandbox accepts as Bearer (default {ark.DEFAULT_ARK_API_KEY})",
        ),
    ),
    "timing": (
        Flag(
            "--speed",
            positive_float,
            _D.speed,
            "N",
            "divide every duration by N: queue, generation, the "
            f"{_LINK_MINUTES}-minute link lifetime and the "
            f"{_TASK_HOURS}-hour task lifetime (default {_D.speed:g})",
        ),
        Flag(
            "--queue-seconds",
            non_negative_float,
            _D.queue_seconds,
            "S",
            f"seconds a task stays in_queue, before --speed (default {_D.queue_seconds:g})",
        ),
        Flag(
            "--generate-seconds",
            non_negative_float,
            _D.generate_seconds,
            "S",
            f"seconds a task is generating, before --speed (default {_D.generate_seconds:g})",
        ),
    ),
    "limits": (
        Flag(
            "--max-concurrency",
            positive_int,
            None,
            "N",
            "tasks in_queue or generating per access key before submit answers 50430 "
            "(default: no limit)",
        ),
        Flag(
            "--qps",
            positive_float,
            None,
            "N",
            "API requests per second per access key before answering 50429 (default: no limit)",
        ),
    ),
    "fault injection (random, seeded with --seed)": (
        Flag(
            "--fail-rate",
            probability,
            0.0,
            "P",
            "probability a submit or query answers 50500 Internal Error (Ark: 500 "
            "InternalServiceError), creating no task (default 0)",
        ),
        Flag(
            "--fail-after-create-rate",
            probability,
            0.0,
            "P",
            "probability a submit/create makes its task, then answers 50500 (Ark: 500) (default 0)",
        ),
        Flag(
            "--task-fail-rate",
            probability,
            0.0,
            "P",
            "probability a task fails once done: 50516 (Ark: status failed, "
            "OutputVideoSensitiveContentDetected) (default 0)",
        ),
        Flag(
            "--reset-rate",
            probability,
            0.0,
            "P",
            "probability the connection is reset with no answer; for a submit the task IS "
            "created first (default 0)",
        ),
        Flag(
            "--slow-rate",
            probability,
            0.0,
            "P",
            "probability an answer is delayed by --slow-seconds (default 0)",
        ),
        Flag(
            "--slow-seconds",
            non_negative_float,
            _D.slow_seconds,
            "S",
            f"delay of a slow answer in seconds (default {_D.slow_seconds:g})",
        ),
        Flag(
            "--truncate-rate",
            probability,
            0.0,
            "P",
            "probability a video download is cut after half its body (Content-Length promises "
            "all of it; resume with Range) (default 0)",
        ),
        Flag(
            "--large-file-bytes",
            positive_int,
            None,
            "N",
            "serve every video padded to N bytes (still a valid MP4), for download "
            "benchmarks (default: the clip's own size)",
        ),
        Flag(
            "--seed",
            int,
            _D.seed,
            "N",
            f"seed of the fault random generator (default {_D.seed})",
        ),
    ),
    "Ark (Seedance, under /api/v3)": (
        Flag(
            "--ark-queue-limit",
            positive_int,
            ark.QUEUE_LIMIT,
            "N",
            f"queued tasks per account before create answers 429 QuotaExceeded "
            f"(default {ark.QUEUE_LIMIT}, the service's)",
        ),
        Flag(
            "--ark-deny",
            ark_deny_code,
            None,
            "CODE",
            "every Ark call answers 403 CODE, as for an account without the service: "
            + ", ".join(ark.DENY_CODES)
            + " (default: none)",
        ),
        Flag(
            "--ark-endpoint",
            endpoint_pair,
            None,
            "EP=MODEL",
            "accept endpoint id EP (ep-…) as serving MODEL; repeatable (default: none)",
            action="append",
            field="ark_endpoints",
        ),
        Flag(
            "--ark-model-not-open",
            ark_model_id,
            None,
            "MODEL",
            "create with MODEL answers 404 ModelNotOpen, as for a model the account has not "
            "activated; repeatable (default: none)",
            action="append",
            field="ark_not_open",
        ),
    ),
    "logging and cache": (
        Flag(
            "--request-log",
            Path,
            None,
            "FILE",
            "append one JSON line per request (time, action, req_key, task_id, status, body "
            "without image data) (default: none)",
        ),
        Flag(
            "--cache-dir",
            Path,
            None,
            "DIR",
            "where rendered clips are kept (default: a folder in the system temp dir)",
        ),
        Flag(
            "--task-file",
            Path,
            None,
            "FILE",
            "keep tasks in FILE, so a restarted sandbox still answers for them, as the "
            "service does for 12 h (default: tasks live as long as the sandbox)",
        ),
    ),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    for title, flags in FLAGS.items():
        group = parser.add_argument_group(title)
        for f in flags:
            extra: dict[str, Any] = {"type": f.type} if f.type is not None else {}
            if f.action:
                extra["action"] = f.action
            group.add_argument(
                f.flag, dest=f.dest, default=f.default, metavar=f.metavar, help=f.help, **extra
            )


def options_from_args(ns: argparse.Namespace) -> o.SandboxOptions:
    fields = {f.name for f in dataclasses.fields(o.SandboxOptions)}
    given = {
        f.dest: getattr(ns, f.dest)
        for flags in FLAGS.values()
        for f in flags
        if f.dest in fields and hasattr(ns, f.dest)
    }
    given["ark_endpoints"] = dict(given.get("ark_endpoints") or [])
    given["ark_not_open"] = tuple(given.get("ark_not_open") or ())
    return o.SandboxOptions(**given)


def banner(base_url: str, options: o.SandboxOptions) -> str:
    lines = [
        f"Jimeng sandbox listening on {base_url}",
        f"  access key: {options.access_key}",
        f"  secret key: {options.secret_key}",
        f"  speed ×{options.speed:g}: in_queue {options.queue_s:g} s, generating "
        f"{options.generate_s:g} s, links live {options.link_s:g} s, tasks {options.task_s:g} s",
        f"Ark (Seedance) at {base_url}/api/v3",
        f"  API key: {options.ark_api_key}",
        f"  links live {options.ark_link_s:g} s, tasks are listed {options.ark_task_s:g} s",
    ]
    extras = []
    if options.max_concurrency:
        extras.append(f"max concurrency {options.max_concurrency}")
    if options.qps:
        extras.append(f"{options.qps:g} QPS")
    for name in o.FAULT_RATES:
        if getattr(options, name):
            extras.append(f"{name.replace('_', ' ')} {getattr(options, name):g}")
    if options.ark_queue_limit != ark.QUEUE_LIMIT:
        extras.append(f"Ark queue limit {options.ark_queue_limit}")
    if options.ark_deny:
        extras.append(f"Ark calls denied with {options.ark_deny}")
    for endpoint, model in options.ark_endpoints.items():
        extras.append(f"endpoint {endpoint} → {model}")
    for model in options.ark_not_open:
        extras.append(f"{model} not activated")
    if options.large_file_bytes:
        extras.append(f"videos padded to {options.large_file_bytes} bytes")
    if extras:
        lines.append("  " + ", ".join(extras))
    for label, path in (("request log", options.request_log), ("tasks kept in", options.task_file)):
        if path:
            lines.append(f"  {label}: {path}")
    lines += [
        "",
        "Point jimeng-tui at it (in another terminal):",
        f"  export VOLC_ACCESSKEY={options.access_key}",
        f"  export VOLC_SECRETKEY={options.secret_key}",
        f"  export JIMENG_VIDEO_API_URL={base_url}",
        f"  export ARK_API_KEY={options.ark_api_key}",
        f"  export ARK_BASE_URL={base_url}/api/v3",
        "  jimeng-tui",
        "",
        "Press Ctrl-C to stop.",
    ]
    return "\n".join(lines)


def run(ns: argparse.Namespace) -> int:
    from jimeng_tui.sandbox.server import SandboxError, SandboxServer

    options = options_from_args(ns)
    server = SandboxServer(options, host=ns.host, port=ns.port)
    try:
        server.start()
    except SandboxError as exc:
        print(f"jimeng-tui sandbox: {exc}", file=sys.stderr)
        return 2

    def _terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _terminate)
    print(banner(server.base_url, options), flush=True)
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()
    print("Sandbox stopped.", flush=True)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m jimeng_tui.sandbox",
        description="A strict local emulator of the Jimeng Video 3.0 service and of Volcengine "
        "Ark's Seedance tasks (signature and key checks, validation, task lifecycle, real MP4 "
        "links, limits and fault injection).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    ns = build_parser().parse_args(argv)
    return run(ns)
