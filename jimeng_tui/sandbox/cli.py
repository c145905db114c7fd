"""``jimeng-tui sandbox`` / ``python -m jimeng_tui.sandbox``: the emulator in the foreground."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from jimeng_tui.cli.argtypes import non_negative_float, positive_float, positive_int
from jimeng_tui.sandbox import options as o
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

point jimeng-tui at it:
  export VOLC_ACCESSKEY={o.DEFAULT_ACCESS_KEY} VOLC_SECRETKEY={o.DEFAULT_SECRET_KEY}
  export JIMENG_VIDEO_API_URL=http://127.0.0.1:{o.DEFAULT_PORT}
"""


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{value} is not a probability between 0 and 1")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port (0-65535; 0 picks a free one)")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    d = o.SandboxOptions()
    net = parser.add_argument_group("listening")
    net.add_argument(
        "--host",
        default=o.DEFAULT_HOST,
        help=f"address to bind (default {o.DEFAULT_HOST}: this machine only)",
    )
    net.add_argument(
        "--port",
        type=_port,
        default=o.DEFAULT_PORT,
        help=f"port to listen on (default {o.DEFAULT_PORT}; 0 picks a free port)",
    )
    keys = parser.add_argument_group("keys")
    keys.add_argument(
        "--access-key",
        default=o.DEFAULT_ACCESS_KEY,
        metavar="AK",
        help=f"the access key the sandbox accepts (default {o.DEFAULT_ACCESS_KEY})",
    )
    keys.add_argument(
        "--secret-key",
        default=o.DEFAULT_SECRET_KEY,
        metavar="SK",
        help=f"its secret key (default {o.DEFAULT_SECRET_KEY})",
    )
    timing = parser.add_argument_group("timing")
    timing.add_argument(
        "--speed",
        type=positive_float,
        default=d.speed,
        metavar="N",
        help="divide every duration by N: queue, generation, the "
        f"{catalog.VIDEO_URL_LIFETIME_S // 60}-minute link lifetime and the "
        f"{catalog.TASK_LIFETIME_S // 3600}-hour task lifetime (default {d.speed:g})",
    )
    timing.add_argument(
        "--queue-seconds",
        type=non_negative_float,
        default=d.queue_seconds,
        metavar="S",
        help=f"seconds a task stays in_queue, before --speed (default {d.queue_seconds:g})",
    )
    timing.add_argument(
        "--generate-seconds",
        type=non_negative_float,
        default=d.generate_seconds,
        metavar="S",
        help=f"seconds a task is generating, before --speed (default {d.generate_seconds:g})",
    )
    limits = parser.add_argument_group("limits")
    limits.add_argument(
        "--max-concurrency",
        type=positive_int,
        default=None,
        metavar="N",
        help="tasks in_queue or generating per access key before submit answers 50430 "
        "(default: no limit)",
    )
    limits.add_argument(
        "--qps",
        type=positive_float,
        default=None,
        metavar="N",
        help="API requests per second per access key before answering 50429 (default: no limit)",
    )
    faults = parser.add_argument_group("fault injection (random, seeded with --seed)")
    faults.add_argument(
        "--fail-rate",
        type=_rate,
        default=0.0,
        metavar="P",
        help="probability a submit or query answers 50500 Internal Error, creating no task "
        "(default 0)",
    )
    faults.add_argument(
        "--reset-rate",
        type=_rate,
        default=0.0,
        metavar="P",
        help="probability the connection is reset with no answer; for a submit the task IS "
        "created first (default 0)",
    )
    faults.add_argument(
        "--slow-rate",
        type=_rate,
        default=0.0,
        metavar="P",
        help="probability an answer is delayed by --slow-seconds (default 0)",
    )
    faults.add_argument(
        "--slow-seconds",
        type=non_negative_float,
        default=d.slow_seconds,
        metavar="S",
        help=f"delay of a slow answer in seconds (default {d.slow_seconds:g})",
    )
    faults.add_argument(
        "--truncate-rate",
        type=_rate,
        default=0.0,
        metavar="P",
        help="probability a video download is cut after half its body (Content-Length promises "
        "all of it; resume with Range) (default 0)",
    )
    faults.add_argument(
        "--large-file-bytes",
        type=positive_int,
        default=None,
        metavar="N",
        help="serve every video padded to N bytes (still a valid MP4), for download "
        "benchmarks (default: the clip's own size)",
    )
    faults.add_argument(
        "--seed",
        type=int,
        default=d.seed,
        metavar="N",
        help=f"seed of the fault random generator (default {d.seed})",
    )
    misc = parser.add_argument_group("logging and cache")
    misc.add_argument(
        "--request-log",
        type=Path,
        default=None,
        metavar="FILE",
        help="append one JSON line per request (time, action, req_key, task_id, status, body "
        "without image data) (default: none)",
    )
    misc.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="where rendered clips are kept (default: a folder in the system temp dir)",
    )
    misc.add_argument(
        "--task-file",
        type=Path,
        default=None,
        metavar="FILE",
        help="keep tasks in FILE, so a restarted sandbox still answers for them, as the "
        "service does for 12 h (default: tasks live as long as the sandbox)",
    )


def options_from_args(ns: argparse.Namespace) -> o.SandboxOptions:
    return o.SandboxOptions(
        access_key=ns.access_key,
        secret_key=ns.secret_key,
        speed=ns.speed,
        queue_seconds=ns.queue_seconds,
        generate_seconds=ns.generate_seconds,
        max_concurrency=ns.max_concurrency,
        qps=ns.qps,
        fail_rate=ns.fail_rate,
        reset_rate=ns.reset_rate,
        slow_rate=ns.slow_rate,
        slow_seconds=ns.slow_seconds,
        truncate_rate=ns.truncate_rate,
        large_file_bytes=ns.large_file_bytes,
        request_log=ns.request_log,
        cache_dir=getattr(ns, "cache_dir", None),
        task_file=getattr(ns, "task_file", None),
        seed=getattr(ns, "seed", 0),
    )


def banner(base_url: str, options: o.SandboxOptions) -> str:
    lines = [
        f"Jimeng sandbox listening on {base_url}",
        f"  access key: {options.access_key}",
        f"  secret key: {options.secret_key}",
        f"  speed ×{options.speed:g}: in_queue {options.queue_s:g} s, generating "
        f"{options.generate_s:g} s, links live {options.link_s:g} s, tasks {options.task_s:g} s",
    ]
    extras = []
    if options.max_concurrency:
        extras.append(f"max concurrency {options.max_concurrency}")
    if options.qps:
        extras.append(f"{options.qps:g} QPS")
    for name in o.FAULT_RATES:
        if getattr(options, name):
            extras.append(f"{name.replace('_', ' ')} {getattr(options, name):g}")
    if options.large_file_bytes:
        extras.append(f"videos padded to {options.large_file_bytes} bytes")
    if extras:
        lines.append("  " + ", ".join(extras))
    if options.request_log:
        lines.append(f"  request log: {options.request_log}")
    if options.task_file:
        lines.append(f"  tasks kept in: {options.task_file}")
    lines += [
        "",
        "Point jimeng-tui at it (in another terminal):",
        f"  export VOLC_ACCESSKEY={options.access_key}",
        f"  export VOLC_SECRETKEY={options.secret_key}",
        f"  export JIMENG_VIDEO_API_URL={base_url}",
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
        description="A strict local emulator of the Jimeng Video 3.0 service (signature checks, "
        "validation, task lifecycle, real MP4 links, limits and fault injection).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    ns = build_parser().parse_args(argv)
    return run(ns)
