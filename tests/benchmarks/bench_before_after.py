"""Two source trees in alternate rounds of the same run: polling CPU, history keystroke, and
the headless first screen (issue 14: the architecture step within 5 % of before).

Run on demand (not in CI):

    python tests/benchmarks/bench_before_after.py --before DIR [--rounds 5] [--only polling]

Each round runs, in a fresh process each, this tree's benchmark and then the same benchmark
against the tree in DIR (the order swapped every other round, so neither side always runs
first), and prints the round's figures with the load average. The measuring code is this
tree's for both sides: DIR's package is put first on ``PYTHONPATH`` (its dependencies must be
installed in this interpreter's environment), and the in-process benchmarks are run from a
scratch folder holding DIR's ``tests/conftest.py``, ``bench_support.py`` and pytest settings
with this tree's benchmark file beside them (they import either tree's names).

- polling: ``bench_engine_polling.py``'s 500 jobs at 1 s, engine CPU per poll and the bare
  httpx loop with the same 32 requests in flight; both sides poll this tree's sandbox.
- history: ``bench_history_screen.py``, every keystroke painted at 100,000 rows (median, p95,
  max) and the screen's open.
- tui: ``bench_tui.py``'s headless first frame and whole screen, each over a bare app's
  first frame run just before it.

The first screen in a real terminal has its own ``bench_terminal.py --before DIR``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOW = HERE.parents[1]
sys.path.insert(0, str(HERE))

from bench_support import user_env  # noqa: E402
from bench_tui import BARE, OURS, _run_script  # noqa: E402

FIGURES = {
    "polling": (
        "bench_engine_polling.py::test_engine_polling_cpu_against_a_bare_httpx_loop",
        {
            "engine ms/poll": r"engine: \d+ polls, ([\d.]+) ms CPU per poll",
            "bare(32) ms/poll": r"bare httpx loop, 32 in flight: \d+ polls, ([\d.]+) ms",
            "engine/bare(32)": r"32 in flight: .*?engine ×([\d.]+)",
            "engine polls": r"engine: (\d+) polls",
        },
    ),
    "history": (
        "bench_history_screen.py",
        {
            "key median ms": r"every keystroke painted: median ([\d.]+) ms",
            "key p95 ms": r"every keystroke painted: .*?p95 ([\d.]+) ms",
            "key max ms": r"every keystroke painted: .*?max ([\d.]+) ms",
            "open median ms": r"first page painted: median ([\d.]+) ms",
        },
    ),
}


def scratch_tests(before: Path, bench: str) -> Path:
    """A folder where this tree's ``bench`` runs with ``before``'s conftest and support."""
    root = Path(tempfile.mkdtemp(prefix="bench-before-"))
    (root / "tests" / "benchmarks").mkdir(parents=True)
    shutil.copy(before / "pyproject.toml", root / "pyproject.toml")
    shutil.copy(before / "tests" / "conftest.py", root / "tests" / "conftest.py")
    shutil.copy(before / "tests" / "benchmarks" / "bench_support.py", root / "tests" / "benchmarks")
    shutil.copy(HERE / bench, root / "tests" / "benchmarks" / bench)
    return root


def run_pytest(tree: Path, root: Path, target: str) -> dict[str, float]:
    """``target`` under ``root``/tests/benchmarks with ``tree``'s package; its figures."""
    name = target.split("::")[0]
    _, patterns = next(v for v in FIGURES.values() if v[0].split("::")[0] == name)
    env = user_env(PYTHONPATH=str(tree), BENCH_SANDBOX_TREE=str(NOW))
    out = subprocess.run(
        [sys.executable, "-m", "pytest", f"tests/benchmarks/{target}", "-o", "addopts=",
         "-p", "no:cacheprovider", "-s", "-q"],
        cwd=root, env=env, capture_output=True, text=True,
    )  # fmt: skip
    figures = {}
    for label, pattern in patterns.items():
        found = re.search(pattern, out.stdout)
        if found is None:  # a failed run is reported and left out, the others go on
            errors = [line for line in out.stdout.splitlines() if line.startswith("E ")]
            print(f"{tree}: the run failed: {' | '.join(errors[-6:])[:1500]}", flush=True)
            return {}
        figures[label] = float(found.group(1))
    return figures


def run_tui(tree: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as home:
        env = user_env(JIMENG_TUI_HOME=home, PYTHONPATH=str(tree))
        bare = _run_script(BARE, env)[0]
        first, whole = _run_script(OURS, env)
    return {"first frame ×bare": first / bare, "whole screen ×bare": whole / bare}


def spread(values: list[float]) -> str:
    return f"{min(values):.3g} / {statistics.median(values):.3g} / {max(values):.3g}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the older source tree")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", choices=("polling", "history", "tui"), action="append")
    ns = parser.parse_args()
    before = Path(ns.before).resolve()
    # `python -c` puts the current folder first on sys.path: out of both trees
    os.chdir(tempfile.gettempdir())
    sides = {"now": NOW, "before": before}
    roots = {"now": NOW, "before": None}
    for which in ns.only or ("tui", "polling", "history"):
        results: dict[str, dict[str, list[float]]] = {"now": {}, "before": {}}
        loads: list[float] = []
        target = FIGURES[which][0] if which != "tui" else ""
        if target:
            roots["before"] = scratch_tests(before, target.split("::")[0])
        else:  # headless first screen: warm the .pyc files of both trees
            run_tui(NOW), run_tui(before)
        for n in range(ns.rounds):
            order = ("now", "before") if n % 2 == 0 else ("before", "now")
            for side in order:
                load = os.getloadavg()[0]
                loads.append(load)
                got = (
                    run_tui(sides[side])
                    if not target
                    else run_pytest(sides[side], roots[side], target)
                )
                for label, value in got.items():
                    results[side].setdefault(label, []).append(value)
                shown = ", ".join(f"{k} {v:.3f}" for k, v in got.items())
                print(f"{which} round {n + 1} {side:6} (load {load:.1f}): {shown}", flush=True)
        print(f"\n{which}: {ns.rounds} rounds, load {min(loads):.1f}–{max(loads):.1f}")
        for label in results["now"]:
            now, old = results["now"][label], results["before"][label]
            ratio = statistics.median(now) / statistics.median(old)
            print(
                f"  {label}: now {spread(now)}, before {spread(old)} (min / median / max); "
                f"now/before of the medians {ratio:.3f}"
            )
        print(flush=True)
        if target and roots["before"] is not None:
            shutil.rmtree(roots["before"], ignore_errors=True)


if __name__ == "__main__":
    main()
