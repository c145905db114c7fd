"""A history whose rows exercise every export column (tests/test_export_stream.py).

Its CSV and JSON exports as written by the export before it streamed (main at ac4bd20, TZ
America/New_York) are kept in tests/fixtures/export_before.{csv,json}; rebuild them with

    TZ=America/New_York PYTHONPATH=<old checkout> python tests/helpers/export_fixture.py OUT_DIR

Since issue 16 the fixtures end with the cost columns (cost, currency, tokens), appended to the
old bytes: every earlier column is unchanged (test_export_stream.py checks that too).
"""

from __future__ import annotations

import sys
from pathlib import Path

from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.domain.meta import BatchOrigin, JobMeta
from jimeng_tui.store.history import History

TZ = "America/New_York"  # a zone with summer time: offsets -05:00 and -04:00
T0 = 1_762_063_200.0  # 2025-11-02 06:00 UTC, the night New York leaves summer time


def fixture_jobs() -> list[Job]:
    prompts = [
        "一只猫在草地上奔跑",
        'quotes "and", commas\nand a newline\r\nand CRLF',
        "plain",
        "  leading and trailing spaces  ",
        "",
        "emoji 🎬 and tab\there",
    ]
    jobs = []
    for i in range(60):
        prompt = prompts[i % len(prompts)] + (f" {i}" if i % 3 else "")
        params: dict = {"prompt": prompt, "mode": "t2v_720p", "duration": 5, "fps": 24}
        if i % 2:
            params["seed"] = i * 7919
        if i % 4 == 1:
            params.update(aspect_ratio="9:16", camera_template="hitchcock", camera_strength=0.5)
        if i % 5 == 2:
            params.update(first_image="/in/first 一.png", last_image="/in/last,2.png")
        if i % 7 == 3:
            params.update(watermark=True, extra_list=[1, "二", None], nested={"b": 1, "a": False})
        if i % 11 == 4:
            params.update(_internal="kept in JSON only", duration=10.0, fps=24.5)
        meta = JobMeta()
        if i % 6 == 5:
            meta = JobMeta(
                batch=BatchOrigin(path="/in/b.jsonl", sha256="x" * 64, line=i),
                sent_body={"req_key": "jimeng_t2v_v30", "prompt": 'says "output"'},
                endpoint="http://127.0.0.1:9",
                output=f"clip-{i}.mp4" if i % 12 == 5 else None,
            )
        state = (JobState.SAVED, JobState.FAILED, JobState.CANCELLED, JobState.GENERATING)[i % 4]
        created = T0 - 3 * 3600 + i * 337 + (0.9999996 if i % 10 == 9 else 0.25 * (i % 4))
        jobs.append(
            Job(
                id=None,
                created_at=created,
                prompt=prompt,
                mode="t2v_720p" if i % 3 else "ti2v_pro",
                req_key="jimeng_t2v_v30",
                params=params,
                state=state,
                image_hashes=["ab" * 32, "cd" * 32][: i % 3],
                task_id=str(10**15 + i) if i % 4 != 3 else None,
                request_id=f"req-{i:04d}",
                video_url=f"https://example.test/v/{i}.mp4?sig=a,b" if i % 4 == 0 else None,
                submitted_at=created + 1.5 if i % 4 != 2 else None,
                finished_at=created + 61.125 if state is JobState.SAVED else None,
                saved_at=created + 70.0 if state is JobState.SAVED else None,
                error_code=50412 if state is JobState.FAILED else None,
                error_message='refused, "sensitive"' if state is JobState.FAILED else None,
                path=f"/videos/{i} 视频.mp4" if state is JobState.SAVED else None,
                size_bytes=1_000_003 * i if state is JobState.SAVED else None,
                duration_s=5.041666666666667 if state is JobState.SAVED else None,
                fps=24.0 if state is JobState.SAVED else None,
                width=1280 if state is JobState.SAVED else None,
                height=720 if state is JobState.SAVED else None,
                favourite=i % 9 == 0,
                meta=meta,
            )
        )
    return jobs


def build_history(path: Path) -> Path:
    with History(path) as history:
        history.add_many(fixture_jobs())
    return path


def main(out_dir: Path) -> None:
    """Write export_before.csv/json with the export code on sys.path (the old one)."""
    from jimeng_tui.jobs.export import export_jobs
    from jimeng_tui.store.history import HistoryQuery

    db = build_history(out_dir / "fixture.sqlite3")
    with History(db) as history:
        for kind in ("csv", "json"):
            rows = history.export_rows(HistoryQuery(limit=None))
            export_jobs(rows, out_dir / f"export_before.{kind}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
