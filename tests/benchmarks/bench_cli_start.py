"""Start-time benchmark of the headless CLI.

Compares ``jimeng-tui generate --help`` (and a few other headless commands) with a bare
``python -c pass`` and reports the ratio; also lists the heavy modules each one imports.

    /work/venv/bin/python tests/benchmarks/bench_cli_start.py [--runs 15]

Also collected by pytest when run explicitly (``pytest tests/benchmarks/bench_cli_start.py``);
the suite's default run ignores tests/benchmarks.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_support import user_env

HEAVY = ("textual", "av", "PIL", "httpx", "starlette", "uvicorn", "sqlite3", "rich")

PROBE = """
import json, sys
from jimeng_tui.cli.entry import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = {heavy!r}
loaded = {{m.split('.')[0] for m, module in sys.modules.items() if module is not None}}
print(json.dumps(sorted(loaded & set(heavy))))
"""


def _exe() -> str:
    beside = Path(sys.executable).parent / "jimeng-tui"
    return str(beside) if beside.exists() else (shutil.which("jimeng-tui") or "jimeng-tui")


def _time(cmd: list[str], env: dict[str, str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
        )
        times.append(time.perf_counter() - start)
    return times


def _heavy_modules(args: list[str], env: dict[str, str]) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        return json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return ["?"]


def measure(runs: int = 15) -> dict[str, dict[str, float | list[str]]]:
    home = tempfile.mkdtemp(prefix="jimeng-bench-")
    env = user_env(JIMENG_TUI_HOME=home)
    exe = _exe()
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "jimeng-tui --version": [exe, "--version"],
        "jimeng-tui generate --help": [exe, "generate", "--help"],
        "jimeng-tui locate": [exe, "locate"],
        "jimeng-tui history": [exe, "history"],
    }
    _time(commands["jimeng-tui generate --help"], env, 2)  # warm the file cache
    results: dict[str, dict[str, float | list[str]]] = {}
    for name, cmd in commands.items():
        times = _time(cmd, env, runs)
        results[name] = {"median_s": statistics.median(times), "min_s": min(times)}
        if name.startswith("jimeng-tui"):
            results[name]["heavy_imports"] = _heavy_modules(cmd[1:], env)
    base = results["python -c pass"]["median_s"]
    for entry in results.values():
        entry["ratio"] = float(entry["median_s"]) / float(base)
    shutil.rmtree(home, ignore_errors=True)
    return results


def report(results) -> str:
    lines = [f"{'command':<30} {'median':>9} {'min':>9} {'× python':>9}  heavy imports"]
    for name, r in results.items():
        heavy = ", ".join(r.get("heavy_imports", [])) or "-"
        lines.append(
            f"{name:<30} {r['median_s'] * 1000:>7.0f}ms {r['min_s'] * 1000:>7.0f}ms "
            f"{r['ratio']:>8.1f}×  {heavy}"
        )
    return "\n".join(lines)


def test_generate_help_starts_quickly():
    results = measure(runs=7)
    print("\n" + report(results))
    assert results["jimeng-tui generate --help"]["heavy_imports"] == []
    # argparse + the catalog only: a few times a bare interpreter, far from Textual's ~0.5 s
    assert results["jimeng-tui generate --help"]["ratio"] < 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    ns = parser.parse_args()
    print(report(measure(ns.runs)))


if __name__ == "__main__":
    main()
