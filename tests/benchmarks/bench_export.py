"""``jimeng-tui history --export`` and ``history --search`` at 100,000 rows, from process start.

Run on demand (excluded from the normal run by ``--ignore=tests/benchmarks``):

    python tests/benchmarks/bench_export.py [--rounds 7] [--rows 100000]
    pytest tests/benchmarks/bench_export.py -o addopts="" -s -q

Every figure is a ratio against the best plain way to do the same job, measured in the same
run, alternated round by round (so both see the same machine load):

- export: ``sqlite3 -csv -header`` (and ``sqlite3 -json``) writing every row of the same file
  to a file. CPU time (user + system) and peak RSS of each process, from ``wait4``. The
  goal: ≤ 1.5× the CPU, and a peak RSS under +50 MB over the same command exporting no rows.
- search: the ``sqlite3`` CLI running the store's own statements (the page and the count)
  on the same file. Wall time of the whole process, start to exit.

The synthetic history is built once and kept in ``$TMPDIR/jimeng-bench-history-<rows>`` for
the next runs (delete it to rebuild).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_support import TYPED_EN, TYPED_ZH, synthetic_jobs, user_env

ROWS = 100_000
ROUNDS = 7


def _exe() -> str:
    beside = Path(sys.executable).parent / "jimeng-tui"
    return str(beside) if beside.exists() else (shutil.which("jimeng-tui") or "jimeng-tui")


def history_home(rows: int) -> Path:
    """A JIMENG_TUI_HOME whose history holds ``rows`` synthetic jobs (built once, then kept)."""
    from jimeng_tui.store.history import History
    from jimeng_tui.store.paths import app_paths

    home = Path(tempfile.gettempdir()) / f"jimeng-bench-history-{rows}"
    db = app_paths({"JIMENG_TUI_HOME": str(home)}).history_db
    if (home / "complete").exists():
        return home
    shutil.rmtree(home, ignore_errors=True)
    db.parent.mkdir(parents=True)
    with History(db) as history:
        jobs = synthetic_jobs(rows, seed=7)
        while batch := [job for _, job in zip(range(5000), jobs, strict=False)]:
            history.add_many(batch)
    (home / "complete").touch()
    return home


def run_measured(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """(wall s, CPU s user+system, peak RSS in bytes) of one process run to its end."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} failed: {err}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def _spread(values: list[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


def export_rounds(
    home: Path, kind: str, rounds: int, before: str | None = None
) -> dict[str, list[float]]:
    """Per round: sqlite3, jimeng-tui (and with ``before``, jimeng-tui from that source tree,
    e.g. a checkout of the commit before a change), and jimeng-tui exporting no rows."""
    from jimeng_tui.store.paths import app_paths

    db = str(app_paths({"JIMENG_TUI_HOME": str(home)}).history_db)
    env = user_env(JIMENG_TUI_HOME=str(home))
    old_env = {**env, "PYTHONPATH": before} if before else None
    exe = _exe()
    mode = "-csv" if kind == "csv" else "-json"
    sql = "SELECT * FROM jobs ORDER BY created_at DESC, id DESC"
    out: dict[str, list[float]] = {
        k: [] for k in ("cpu", "ours_cpu", "rss", "idle_rss", "before_cpu", "before_rss")
    }
    with tempfile.TemporaryDirectory() as tmp:
        run_measured([exe, "history", "--since", "2099-01-01", "--export", f"{tmp}/w.{kind}"], env)
        for n in range(rounds):
            target = Path(tmp) / f"sqlite-{n}.{kind}"
            with target.open("w") as fh:
                proc = subprocess.Popen(["sqlite3", mode, "-header", db, sql], stdout=fh)
                _, _, usage = os.wait4(proc.pid, 0)
            base_cpu = usage.ru_utime + usage.ru_stime
            ours_path = Path(tmp) / f"ours-{n}.{kind}"
            _, ours_cpu, rss = run_measured([exe, "history", "--export", str(ours_path)], env)
            _, _, idle = run_measured(
                [exe, "history", "--since", "2099-01-01", "--export", f"{tmp}/idle-{n}.{kind}"],
                env,
            )
            out["cpu"].append(ours_cpu / base_cpu)
            out["ours_cpu"].append(ours_cpu)
            out["rss"].append(rss / 2**20)
            out["idle_rss"].append(idle / 2**20)
            if old_env is not None:
                old_path = Path(tmp) / f"before-{n}.{kind}"
                _, old_cpu, old_rss = run_measured(
                    [exe, "history", "--export", str(old_path)], old_env
                )
                out["before_cpu"].append(old_cpu / base_cpu)
                out["before_rss"].append(old_rss / 2**20)
                old_path.unlink()
            target.unlink()
            ours_path.unlink()
    return out


def report_export(home: Path, rounds: int, before: str | None = None) -> None:
    for kind in ("csv", "json"):
        r = export_rounds(home, kind, rounds, before)
        extra = [rss - idle for rss, idle in zip(r["rss"], r["idle_rss"], strict=True)]
        print(
            f"history --export all.{kind}: CPU {statistics.median(r['ours_cpu']):.2f} s; "
            f"× sqlite3 -{kind} CPU (min/median/max over {rounds} rounds) {_spread(r['cpu'])} "
            f"(goal ≤ 1.5); peak RSS {statistics.median(r['rss']):.0f} MiB, "
            f"+{statistics.median(extra):.0f} MiB over exporting no rows (goal < +50)"
        )
        if before:
            old_extra = [o - i for o, i in zip(r["before_rss"], r["idle_rss"], strict=True)]
            print(
                f"  before ({before}): × sqlite3 CPU {_spread(r['before_cpu'])}; peak RSS "
                f"+{statistics.median(old_extra):.0f} MiB over exporting no rows"
            )


def search_rounds(home: Path, text: str, rounds: int, before: str | None = None) -> list[float]:
    """Paired ratios: ``jimeng-tui history --search TEXT`` / the sqlite3 CLI running the same
    page query and count (the statements the store builds for it)."""
    from jimeng_tui.store.history import History, HistoryQuery
    from jimeng_tui.store.history_query import where_clause
    from jimeng_tui.store.paths import app_paths

    db = app_paths({"JIMENG_TUI_HOME": str(home)}).history_db
    with History(db) as history:
        q = HistoryQuery(text=text, limit=50)
        history.query(q)
        statements = list(history.last_statements)
        where, args = where_clause(q)
    statements.append((f"SELECT COUNT(*) FROM jobs{where}", args))
    script = "".join(_inline(sql, a) + ";\n" for sql, a in statements)
    env = user_env(JIMENG_TUI_HOME=str(home))
    ours_cmd = [_exe(), "history", "--search", text]
    base_cmd = ["sqlite3", str(db), script]
    run_measured(ours_cmd, env)  # writes the .pyc files
    old_env = {**env, "PYTHONPATH": before} if before else None
    if old_env is not None:
        run_measured(ours_cmd, old_env)
    wall, cpu, bases, ourses, old_wall, old_cpu = [], [], [], [], [], []
    for _ in range(rounds):
        base, base_cpu, _ = run_measured(base_cmd)
        ours, ours_cpu, _ = run_measured(ours_cmd, env)
        wall.append(ours / base)
        cpu.append(ours_cpu / base_cpu)
        bases.append(base)
        ourses.append(ours)
        if old_env is not None:
            old, old_used, _ = run_measured(ours_cmd, old_env)
            old_wall.append(old / base)
            old_cpu.append(old_used / base_cpu)
    print(
        f"  sqlite3 {statistics.median(bases) * 1000:.0f} ms, "
        f"jimeng-tui {statistics.median(ourses) * 1000:.0f} ms (medians); "
        f"CPU ratio {_spread(cpu)}"
    )
    if old_env is not None:
        print(f"  before: wall ratio {_spread(old_wall)}, CPU ratio {_spread(old_cpu)}")
    return wall


def _inline(sql: str, args: list) -> str:
    """``sql`` with its ``?`` replaced by SQL literals (for the sqlite3 CLI)."""
    parts = sql.split("?")
    assert len(parts) == len(args) + 1, (sql, args)
    out = parts[0]
    for arg, rest in zip(args, parts[1:], strict=True):
        literal = "'" + arg.replace("'", "''") + "'" if isinstance(arg, str) else repr(arg)
        out += literal + rest
    return out


def report_search(home: Path, rounds: int, before: str | None = None) -> None:
    for label, text in (("ASCII", TYPED_EN.split()[0]), ("CJK", TYPED_ZH[:2]), ("CJK", "猫")):
        ratios = search_rounds(home, text, rounds, before)
        print(
            f"history --search {text!r} ({label}): × sqlite3 CLI (page + count), whole process "
            f"(min/median/max over {rounds} rounds) {_spread(ratios)} (goal ≤ 1.5)"
        )


def test_export_and_search_100k():
    home = history_home(ROWS)
    print()
    report_export(home, 3)
    report_search(home, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--only", choices=("export", "search"))
    parser.add_argument("--before", help="also run jimeng-tui from this source tree")
    ns = parser.parse_args()
    home = history_home(ns.rows)
    print(f"{ns.rows:,} rows in {home}; load average {os.getloadavg()[0]:.1f}")
    if ns.only != "search":
        report_export(home, ns.rounds, ns.before)
    if ns.only != "export":
        report_search(home, ns.rounds, ns.before)


if __name__ == "__main__":
    main()
