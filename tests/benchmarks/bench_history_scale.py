"""What grows with the history's size: open (first page + count), search and export, at 10,000,
100,000 and 1,000,000 rows (README "Scale on paper").

Run on demand (the 1,000,000-row history takes ~10 minutes to build, once, kept in $TMPDIR):

    python tests/benchmarks/bench_history_scale.py [--sizes 10000,100000,1000000] [--repeat 3]

In-process, through the store and the export the app and the CLI use; each figure is the
median of ``--repeat`` runs, wall time (CPU time for exports, and the ``sqlite3 -csv`` CLI's
CPU on the same file beside it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_export import history_home
from bench_support import TYPED_ZH

from jimeng_tui.jobs.export import export_history
from jimeng_tui.store.history import History, HistoryQuery
from jimeng_tui.store.paths import app_paths


def _median(fn, repeat: int, clock=time.perf_counter) -> float:
    times = []
    for _ in range(repeat):
        start = clock()
        fn()
        times.append(clock() - start)
    return statistics.median(times)


def sqlite_csv_cpu(db: Path, out: Path) -> float:
    sql = "SELECT * FROM jobs ORDER BY created_at DESC, id DESC"
    with out.open("w") as fh:
        proc = subprocess.Popen(["sqlite3", "-csv", "-header", str(db), sql], stdout=fh)
        _, _, usage = os.wait4(proc.pid, 0)
    out.unlink()
    return usage.ru_utime + usage.ru_stime


def measure(rows: int, repeat: int) -> None:
    home = history_home(rows)
    db = app_paths({"JIMENG_TUI_HOME": str(home)}).history_db
    history = History(db)
    newest = HistoryQuery(limit=100)
    print(f"{rows:,} rows (load {os.getloadavg()[0]:.1f}):", flush=True)
    page = _median(lambda: history.query(newest), repeat)
    count = _median(lambda: history.count(HistoryQuery(limit=None)), repeat)
    print(f"  open: first page {page * 1e3:.1f} ms, count {count * 1e3:.1f} ms", flush=True)
    for label, text in (("ASCII", "sunset"), ("CJK", TYPED_ZH[:2]), ("CJK 1", TYPED_ZH[:1])):
        q = HistoryQuery(text=text, limit=100)
        page = _median(lambda q=q: history.query(q), repeat)
        count = _median(lambda q=q: history.count(q), repeat)
        matches = history.count(q)
        print(
            f"  search {text!r} ({label}, {matches:,} matches): page {page * 1e3:.1f} ms, "
            f"count {count * 1e3:.1f} ms",
            flush=True,
        )
    with tempfile.TemporaryDirectory() as tmp:
        base = sqlite_csv_cpu(db, Path(tmp) / "sqlite.csv")
        for kind in ("csv", "json"):
            n = [0]

            def export(kind=kind, n=n) -> None:
                n[0] += 1
                out = Path(tmp) / f"out-{n[0]}.{kind}"
                export_history(history, HistoryQuery(limit=None), out)
                out.unlink()

            cpu = _median(export, repeat, clock=time.process_time)
            print(
                f"  export {kind}: {cpu:.2f} s CPU ({cpu / rows * 1e6:.1f} µs a row); "
                f"sqlite3 -csv {base:.2f} s",
                flush=True,
            )
    history.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for rows in (int(s) for s in args.sizes.split(",")):
        measure(rows, args.repeat)


if __name__ == "__main__":
    main()
