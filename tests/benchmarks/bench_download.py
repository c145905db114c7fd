"""On-demand benchmark: download_to_part against ``curl -o`` on the same loopback URL.

    /work/venv/bin/python tests/benchmarks/bench_download.py [--mb 500] [--rounds 3] [--sandbox]

A file is served from a separate process (a small threaded HTTP server using sendfile, so the
server is never the bottleneck and shares no GIL with the client), or with ``--sandbox`` from the
sandbox's video link padded to ``large_file_bytes``. Each round downloads it once with curl and
once with download_to_part in a fresh Python process that reports its wall time and the growth
of its peak RSS (VmHWM in /proc/self/status) across the download. Goals: ≥ 0.9× curl, RSS
growth < 50 MB.
"""

from __future__ import annotations

import argparse
import hashlib
import http.server
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable


# --- the file server (child process) -------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    path_on_disk: Path
    etag = '"bench-1"'

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        size = self.path_on_disk.stat().st_size
        start, status = 0, 200
        wanted = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if wanted and (if_range is None or if_range == self.etag):
            start = int(wanted.removeprefix("bytes=").split("-")[0])
            if start >= size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = 206
        self.send_response(status)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("ETag", self.etag)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(size - start))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
        self.end_headers()
        self.wfile.flush()
        with open(self.path_on_disk, "rb") as f:
            self.connection.sendfile(f, start)


def serve(path: Path) -> None:
    _Handler.path_on_disk = path
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


# --- the measured client (child process) ---------------------------------------------------


def vm_hwm_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def client(url: str, part: Path) -> None:
    import asyncio

    import httpx

    from jimeng_tui.jobs.download import download_to_part

    async def main() -> dict:
        with httpx.Client(timeout=60) as http:
            before = vm_hwm_kib()
            started = time.perf_counter()
            cpu = time.process_time()
            calls = 0

            def progress(received, total):
                nonlocal calls
                calls += 1

            result = await download_to_part(url, part, http=http, on_progress=progress)
            elapsed = time.perf_counter() - started
            return {
                "seconds": elapsed,
                "cpu_seconds": time.process_time() - cpu,
                "size": result.size,
                "sha256": result.sha256,
                "rss_growth_mb": (vm_hwm_kib() - before) / 1024,
                "progress_calls": calls,
            }

    print(json.dumps(asyncio.run(main())))


# --- the driver ----------------------------------------------------------------------------


def make_file(path: Path, size: int) -> None:
    block = os.urandom(1 << 20)
    with open(path, "wb") as f:
        written = 0
        while written < size:
            n = min(len(block), size - written)
            f.write(block[:n])
            written += n


def run_curl(url: str, out: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one ``curl -o``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(["curl", "-sS", "-o", str(out), url], check=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def hash_seconds(path: Path) -> float:
    """How long SHA-256 of a finished file takes (what curl would add to match our check)."""
    started = time.perf_counter()
    with open(path, "rb") as f:
        hashlib.file_digest(f, "sha256")
    return time.perf_counter() - started


def run_client(url: str, part: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [PY, __file__, "--client", url, str(part)], capture_output=True, text=True, env=env
    )
    if proc.returncode != 0:
        raise SystemExit(f"download_to_part failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def sandbox_url(size: int):
    """A video link from the sandbox, padded to ``size`` bytes (needs the sandbox package)."""
    sys.path.insert(0, str(ROOT))
    import asyncio

    from jimeng_tui.sandbox.options import SandboxOptions
    from jimeng_tui.sandbox.server import SandboxServer
    from jimeng_tui.services.jimeng.client import JimengClient

    server = SandboxServer(
        SandboxOptions(large_file_bytes=size, queue_seconds=0.01, generate_seconds=0.01)
    ).start()

    async def get() -> str:
        async with JimengClient(server.credentials, base_url=server.base_url) as api:
            sub = await api.submit({"req_key": "jimeng_t2v_v30", "prompt": "bench", "seed": 1})
            for _ in range(200):
                res = await api.get_result("jimeng_t2v_v30", sub.task_id)
                if res.video_url:
                    return res.video_url
                await asyncio.sleep(0.05)
        raise RuntimeError("the sandbox task did not finish")

    return server, asyncio.run(get())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sandbox", action="store_true", help="serve from the sandbox")
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path("/dev/shm") if Path("/dev/shm").is_dir() else None,
        help="where both clients write (default /dev/shm: measures the clients, not the disk)",
    )
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--client", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    if args.client:
        client(args.client[0], Path(args.client[1]))
        return 0
    if not shutil.which("curl"):
        print("curl is not installed", file=sys.stderr)
        return 2

    size = args.mb * 1024 * 1024
    with tempfile.TemporaryDirectory(prefix="bench-download-", dir=args.dir) as tmp:
        folder = Path(tmp)
        server_proc = None
        sandbox = None
        if args.sandbox:
            sandbox, url = sandbox_url(size)
            source = "sandbox"
        else:
            make_file(folder / "big.mp4", size)
            server_proc = subprocess.Popen(
                [PY, __file__, "--serve", str(folder / "big.mp4")],
                stdout=subprocess.PIPE,
                text=True,
            )
            port = int(server_proc.stdout.readline())
            url = f"http://127.0.0.1:{port}/big.mp4"
            source = "sendfile server (separate process)"
        try:
            curl_times, ours, curl_hash_times = [], [], []
            for n in range(args.rounds):
                os.sync()
                c, c_cpu = run_curl(url, folder / "curl.out")
                hash_s = hash_seconds(folder / "curl.out")
                (folder / "curl.out").unlink()
                os.sync()
                r = run_client(url, folder / "ours.part")
                (folder / "ours.part").unlink()
                for p in folder.glob("ours.part*"):
                    p.unlink()
                curl_times.append((c, c_cpu))
                curl_hash_times.append(c + hash_s)
                ours.append(r)
                print(
                    f"round {n + 1}: curl {size / c / 1e6:7.1f} MB/s ({c_cpu:.2f} s CPU)   "
                    f"download_to_part {size / r['seconds'] / 1e6:7.1f} MB/s "
                    f"({r['cpu_seconds']:.2f} s CPU)   ratio {c / r['seconds']:.2f}   "
                    f"peak RSS +{r['rss_growth_mb']:.1f} MB   "
                    f"progress calls {r['progress_calls']}",
                    flush=True,
                )
        finally:
            if server_proc:
                server_proc.terminate()
                server_proc.wait()
            if sandbox:
                sandbox.stop()

    best_curl = min(c for c, _ in curl_times)
    best_ours = min(r["seconds"] for r in ours)
    ratio = best_curl / best_ours
    pairs = zip(curl_times, ours, strict=True)
    median_ratio = statistics.median(c / r["seconds"] for (c, _), r in pairs)
    rss = max(r["rss_growth_mb"] for r in ours)
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"

    print(
        f"\n{args.mb} MB over loopback from the {source}, written to {args.dir or 'the temp dir'}"
    )
    print(f"best curl            {size / best_curl / 1e6:8.1f} MB/s")
    print(f"best download_to_part {size / best_ours / 1e6:7.1f} MB/s")
    print(f"throughput ratio     {ratio:8.2f}× curl   (best vs best; goal ≥ 0.90)")
    print(f"median round ratio   {median_ratio:8.2f}× curl")
    fair = min(curl_hash_times) / best_ours
    print(f"vs curl + sha256     {fair:8.2f}×       (curl -o, then hashlib over its file)")
    print(
        f"CPU seconds (median) curl {statistics.median(c for _, c in curl_times):.2f}, "
        f"download_to_part {statistics.median(r['cpu_seconds'] for r in ours):.2f}"
    )
    print(f"load average (1 min) {load}  (other work on the machine skews the ratio)")
    print(f"peak RSS growth      {rss:8.1f} MB     (goal < 50)")
    return 0 if ratio >= 0.9 and rss < 50 else 1


if __name__ == "__main__":
    sys.exit(main())
