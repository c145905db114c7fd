"""The history: every Job field persists, migrations, search, filters, claims, two processes."""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from jimeng_tui.domain.errors import JimengError, ValidationError
from jimeng_tui.domain.job import FINAL_STATES, JOB_FIELDS, Job, JobState
from jimeng_tui.domain.meta import BatchOrigin, JobMeta
from jimeng_tui.store.history import History, HistoryError, HistoryQuery
from jimeng_tui.store.migrations import MIGRATIONS, SCHEMA_VERSION, run_step
from jimeng_tui.store.paths import app_paths

T0 = 1_700_000_000.0


def make_job(prompt: str = "a red fox in the snow", **changes) -> Job:
    job = Job(
        id=None,
        created_at=changes.pop("created_at", T0),
        prompt=prompt,
        mode=changes.pop("mode", "t2v_720p"),
        req_key="jimeng_t2v_v30",
        params={"prompt": prompt, "frames": 121, "aspect_ratio": "16:9"},
    )
    for name, value in changes.items():
        setattr(job, name, value)
    return job


@pytest.fixture
def history(tmp_path):
    h = History(tmp_path / "history.sqlite3")
    yield h
    h.close()


def full_job() -> Job:
    """A job with every field set to something other than its default."""
    return Job(
        id=None,
        created_at=T0 + 0.125,
        prompt='镜头缓缓推进 "quoted" 100% ünïcode',
        mode="i2v_first_tail_1080p",
        req_key="jimeng_i2v_first_tail_v30_1080",
        params={"frames": 241, "seed": 42, "images": ["a.png", "b.jpg"], "nested": {"x": None}},
        state=JobState.DOWNLOADING,
        image_hashes=["ab" * 32, "cd" * 32],
        task_id="7392616336519610409",
        request_id="20250101120000ABCDEF",
        video_url="https://example.test/v.mp4?X-Signature=abc",
        url_fetched_at=T0 + 60.5,
        submitted_at=T0 + 1.0,
        finished_at=T0 + 50.25,
        saved_at=T0 + 70.0,
        updated_at=T0 + 71.0,
        error_code=50516,
        error_message="Post Video Risk Not Pass",
        path="/videos/a.mp4",
        source_path="/videos/a.source.mp4",
        sidecar_path="/videos/a.json",
        size_bytes=12_345_678,
        duration_s=8.0,
        fps=30.0,
        width=1920,
        height=1088,
        poll_count=17,
        favourite=True,
        owner_pid=4242,
        heartbeat_at=T0 + 69.0,
        meta=JobMeta(
            batch=BatchOrigin(path="/b.jsonl", sha256="ab", line=2, request="r", repeat=1),
            refusals=2,
            sent_body={"req_key": "k"},
            endpoint="http://127.0.0.1:9",
            output="/out/x.mp4",
            link_dropped="moved",
            extra={"_future": [1]},
        ),
    )


def test_every_field_round_trips(history):
    job = full_job()
    defaults = Job(None, 0.0, "", "", "", {})
    unset = [f for f in JOB_FIELDS if f != "id" and getattr(job, f) == getattr(defaults, f)]
    assert unset == [], "full_job() must set every field"
    added = history.add(job)
    assert added is job and isinstance(job.id, int)
    assert history.get(job.id) == job
    assert history.get(job.id + 1000) is None


def test_save_writes_every_field(history):
    job = history.add(make_job())
    changed = full_job()
    changed.id = job.id
    changed.favourite = False  # favourite and the claim belong to set_favourite / claim
    changed.owner_pid = None
    changed.heartbeat_at = None
    history.save(changed)
    assert history.get(job.id) == changed


def test_save_keeps_favourite_and_claim_made_elsewhere(history):
    job = history.add(make_job())
    history.set_favourite(job.id, True)  # from the TUI while the runner holds `job`
    assert history.claim(job.id, 999_999_999)
    job.transition(JobState.SUBMITTING)
    history.save(job)
    stored = history.get(job.id)
    assert stored.state is JobState.SUBMITTING
    assert stored.favourite is True
    assert stored.owner_pid == 999_999_999
    assert job.favourite is True and job.owner_pid == 999_999_999  # reloaded into the object


def test_save_errors(history):
    with pytest.raises(HistoryError):
        history.save(make_job())
    job = history.add(make_job())
    history.delete(job.id)
    assert history.get(job.id) is None
    with pytest.raises(HistoryError, match="deleted"):
        history.save(job)


def test_new_file_is_migrated_and_reopens(tmp_path):
    path = app_paths().history_db  # under JIMENG_TUI_HOME; folders created on demand
    with History(path) as h:
        assert h.schema_version == SCHEMA_VERSION == len(MIGRATIONS)
        job_id = h.add(make_job("persisted prompt")).id
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    columns = [r[1] for r in conn.execute("PRAGMA table_info(jobs)")]
    assert tuple(columns) == JOB_FIELDS
    indexes = {r[1] for r in conn.execute("PRAGMA index_list(jobs)")}
    assert {"jobs_created_at", "jobs_state", "jobs_mode", "jobs_task_id", "jobs_favourite"} <= (
        indexes
    )
    conn.close()
    if os.name == "posix":
        assert path.stat().st_mode & 0o077 == 0
    with History(path) as h:
        assert h.get(job_id).prompt == "persisted prompt"
        assert [j.id for j in h.query(HistoryQuery(text="persisted"))] == [job_id]


def test_empty_existing_file_is_a_fresh_history(tmp_path):
    path = tmp_path / "h.sqlite3"
    path.touch()
    with History(path) as h:
        assert h.schema_version == SCHEMA_VERSION


def test_upgrade_from_version_1_indexes_old_rows(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    for statement in MIGRATIONS[0]:
        run_step(conn, statement)
    conn.execute(
        "INSERT INTO jobs (created_at, prompt, mode, req_key, state) "
        "VALUES (1, 'an old lighthouse', 't2v_720p', 'k', 'saved')"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with History(path) as h:
        assert h.schema_version == SCHEMA_VERSION
        assert [j.prompt for j in h.query(HistoryQuery(text="lighthouse"))] == ["an old lighthouse"]


def test_newer_schema_is_refused_clearly(tmp_path):
    path = tmp_path / "future.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    with pytest.raises(HistoryError) as info:
        History(path)
    assert isinstance(info.value, JimengError)
    assert "newer version" in str(info.value)
    assert str(SCHEMA_VERSION + 5) in str(info.value)


def test_not_a_database_is_refused_clearly(tmp_path):
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(HistoryError, match="not a usable history database"):
        History(path)


def test_the_newest_rows_window_is_exact_with_equal_dates_at_its_edge(tmp_path, monkeypatch):
    """The shortcut reads the rows at least as new as the RECENT_SCAN-th newest: with several
    jobs created in the same second at that edge, its pages still equal the index's."""
    import random

    from jimeng_tui.store import history as history_module

    rng = random.Random(3)
    words = ["sunset", "ocean", "城市夜景", "cat", "neon"]
    history = History(tmp_path / "h.sqlite3")
    history.add_many(
        [
            make_job(" ".join(rng.sample(words, 2)), created_at=1_700_000_000 + i // 4)
            for i in range(400)
        ]
    )
    queries = [
        HistoryQuery(text=text, limit=limit, offset=offset)
        for text in ("sunset", "城市", "ocean neon", "ca")
        for limit, offset in ((5, 0), (10, 7), (30, 0))
    ]
    for window in (9, 10, 50, 51):
        monkeypatch.setattr(history_module, "RECENT_SCAN", window)
        history._recent_miss = None
        shortcut = [[j.id for j in history.query(q)] for q in queries]
        monkeypatch.setattr(history_module, "RECENT_SCAN", 0)  # the index answers every query
        assert shortcut == [[j.id for j in history.query(q)] for q in queries], window
    history.close()


def test_typing_skips_the_newest_rows_once_they_hold_too_few_matches(tmp_path, monkeypatch):
    """Once the newest rows hold less than a page for a text, they do for any longer text typed
    after it: the index answers at once (the same rows), until the text is no refinement."""
    from jimeng_tui.store import history as history_module

    history = History(tmp_path / "h.sqlite3")
    history.add_many(
        [
            make_job(
                ("a sunset at sea" if i % 50 == 0 else "a cat") + f" {i}",
                created_at=1_700_000_000 + i,
            )
            for i in range(300)
        ]
    )

    def statements(text: str, **filters) -> tuple[int, list[int]]:
        ids = [j.id for j in history.query(HistoryQuery(text=text, limit=10, **filters))]
        return len(history.last_statements), ids

    assert statements("sun")[0] == 2  # the newest rows first: 6 matches, not 10; then the index
    assert statements("suns")[0] == 1  # refines "sun": straight to the index
    assert statements("sunset at")[0] == 1
    assert statements("sun")[0] == 1  # the very text that fell short
    assert statements("s")[0] == 2  # a shorter one is no refinement: scanned (and short)
    assert statements("su")[0] == 1  # refines "s"
    assert statements("suns", mode="t2v_1080p")[0] == 2  # nor another filter
    assert statements("a c")[0] == 1  # the newest rows fill the page: their answer is exact
    assert len(statements("a c")[1]) == 10
    answers = [statements(t)[1] for t in ("sun", "suns", "sunset", "sunset a")]
    monkeypatch.setattr(history_module, "RECENT_SCAN", 0)  # the index answers every query
    assert answers == [statements(t)[1] for t in ("sun", "suns", "sunset", "sunset a")]
    history.close()


def test_a_count_runs_beside_page_queries_and_can_be_interrupted(history, monkeypatch):
    """Counts have a connection of their own: a slow one holds no lock a page query needs, and
    interrupt_counts stops it (CountInterrupted); the next count works."""
    from jimeng_tui.store.history import CountInterrupted

    history.add_many([make_job(f"job {i}") for i in range(5)])
    endless = (
        "(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c)"
    )
    where = history._where
    monkeypatch.setattr(history, "_where", lambda q, **kw: (f" WHERE {endless} > 0", []))
    outcome: list[object] = []

    def count() -> None:
        try:
            outcome.append(history.count(HistoryQuery()))
        except CountInterrupted as exc:
            outcome.append(exc)

    thread = threading.Thread(target=count)
    thread.start()
    deadline = time.monotonic() + 5
    while history._count_conn is None or not history._count_lock.locked():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    monkeypatch.setattr(history, "_where", where)
    assert len(history.query(HistoryQuery())) == 5  # while the count runs
    history.interrupt_counts()
    thread.join(5)
    assert not thread.is_alive() and isinstance(outcome[0], CountInterrupted)
    assert history.count(HistoryQuery()) == 5
    history.interrupt_counts()  # none running: no effect
    assert history.count(HistoryQuery(text="job")) == 5


# -- search ---------------------------------------------------------------------------------


@pytest.fixture
def searchable(history):
    prompts = [
        "A red fox runs through the snow",
        "一只猫在草地上奔跑",
        "城市夜景，霓虹灯闪烁",
        "Slow dolly in on a red door",
        '100% organic coffee, "steam" rising',
    ]
    ids = {p: history.add(make_job(p, created_at=T0 + i)).id for i, p in enumerate(prompts)}
    return history, ids


def found(history, text):
    return {j.prompt for j in history.query(HistoryQuery(text=text))}


def test_search_english(searchable):
    history, _ = searchable
    assert found(history, "fox") == {"A red fox runs through the snow"}
    assert found(history, "RED") == {
        "A red fox runs through the snow",
        "Slow dolly in on a red door",
    }
    assert found(history, "ough th") == {"A red fox runs through the snow"}  # substring
    assert found(history, "red door") == {"Slow dolly in on a red door"}  # every word
    assert found(history, "snow red") == {"A red fox runs through the snow"}
    assert found(history, "giraffe") == set()


def test_search_chinese(searchable):
    history, _ = searchable
    assert found(history, "草地") == {"一只猫在草地上奔跑"}  # 2 characters: LIKE
    assert found(history, "猫") == {"一只猫在草地上奔跑"}  # 1 character: LIKE
    assert found(history, "在草地上") == {"一只猫在草地上奔跑"}  # FTS trigram
    assert found(history, "霓虹灯") == {"城市夜景，霓虹灯闪烁"}
    assert found(history, "猫 奔跑") == {"一只猫在草地上奔跑"}


def test_search_special_characters(searchable):
    history, _ = searchable
    coffee = {'100% organic coffee, "steam" rising'}
    assert found(history, "100%") == coffee
    assert found(history, '"steam"') == coffee
    assert found(history, "%") == coffee
    assert found(history, "_") == set()
    assert found(history, "AND OR NOT") == set()
    assert found(history, "  ") == found(history, "")  # blank text: no filter


def test_search_follows_prompt_changes_and_deletes(searchable):
    history, ids = searchable
    job = history.get(ids["Slow dolly in on a red door"])
    job.prompt = "Crane shot over a harbour"
    history.save(job)
    assert found(history, "harbour") == {"Crane shot over a harbour"}
    assert "Slow dolly in on a red door" not in found(history, "dolly")
    history.delete(job.id)
    assert found(history, "harbour") == set()
    assert history.count(HistoryQuery(text="harbour")) == 0


# -- filters, order, paging -------------------------------------------------------------------


@pytest.fixture
def populated(history):
    rows = [
        # (created offset, mode, state, duration, favourite)
        (0, "t2v_720p", JobState.SAVED, 5.0, False),
        (10, "t2v_1080p", JobState.SAVED, 10.0, True),
        (20, "t2v_720p", JobState.FAILED, None, False),
        (30, "ti2v_pro", JobState.SAVED, 4.0, True),
        (40, "t2v_720p", JobState.IN_QUEUE, None, False),
        (50, "t2v_720p", JobState.SAVED, 8.0, False),
    ]
    for offset, mode, state, duration, fav in rows:
        history.add(
            make_job(
                f"prompt {offset}",
                created_at=T0 + offset,
                mode=mode,
                state=state,
                duration_s=duration,
                favourite=fav,
            )
        )
    return history


def offsets(jobs):
    return [int(j.created_at - T0) for j in jobs]


def test_filters(populated):
    h = populated
    assert offsets(h.query(HistoryQuery())) == [50, 40, 30, 20, 10, 0]
    assert offsets(h.query(HistoryQuery(status="saved"))) == [50, 30, 10, 0]
    assert offsets(h.query(HistoryQuery(status="failed,in_queue"))) == [40, 20]
    assert offsets(h.query(HistoryQuery(mode="t2v_720p"))) == [50, 40, 20, 0]
    assert offsets(h.query(HistoryQuery(since=T0 + 10, until=T0 + 40))) == [30, 20, 10]
    assert offsets(h.query(HistoryQuery(favourite=True))) == [30, 10]
    assert offsets(h.query(HistoryQuery(favourite=False, mode="t2v_720p", status="saved"))) == [
        50,
        0,
    ]
    assert h.count(HistoryQuery(mode="t2v_720p")) == 4
    assert h.count(HistoryQuery(mode="t2v_720p", limit=1)) == 4  # paging ignored
    with pytest.raises(ValidationError, match="status"):
        h.query(HistoryQuery(status="finished"))


def test_order(populated):
    h = populated
    assert offsets(h.query(HistoryQuery(order="oldest"))) == [0, 10, 20, 30, 40, 50]
    # by measured duration; jobs without a file come last either way
    assert offsets(h.query(HistoryQuery(order="longest"))) == [10, 50, 0, 30, 40, 20]
    assert offsets(h.query(HistoryQuery(order="shortest"))) == [30, 0, 50, 10, 40, 20]
    with pytest.raises(ValidationError, match="order"):
        h.query(HistoryQuery(order="random"))


def test_paging(populated):
    h = populated
    pages = [offsets(h.query(HistoryQuery(limit=4, offset=o))) for o in (0, 4, 8)]
    assert pages == [[50, 40, 30, 20], [10, 0], []]
    assert len(h.query(HistoryQuery(limit=None))) == 6
    assert h.query(HistoryQuery(limit=0)) == []


def test_unfinished_and_find_task(history):
    a = history.add(make_job(created_at=T0 + 5, state=JobState.GENERATING, task_id="111"))
    history.add(make_job(created_at=T0 + 1, state=JobState.SAVED, task_id="222"))
    c = history.add(make_job(created_at=T0 + 2, state=JobState.QUEUED))
    for state in FINAL_STATES:
        history.add(make_job(created_at=T0, state=state))
    assert [j.id for j in history.unfinished()] == [c.id, a.id]
    assert history.find_task("111").id == a.id
    assert history.find_task("333") is None


def test_recent_generation_seconds(history):
    for i, seconds in enumerate([30.0, 45.0, 60.0]):
        history.add(make_job(submitted_at=T0 + i * 100, finished_at=T0 + i * 100 + seconds))
    history.add(make_job(mode="t2v_1080p", submitted_at=T0, finished_at=T0 + 500))
    history.add(make_job(submitted_at=T0 + 900))  # not finished
    assert history.recent_generation_seconds("t2v_720p") == [60.0, 45.0, 30.0]
    assert history.recent_generation_seconds("t2v_720p", limit=1) == [60.0]
    assert history.recent_generation_seconds("ti2v_pro") == []


def test_export_rows(populated):
    rows = populated.export_rows(HistoryQuery(mode="t2v_720p", limit=1))
    assert len(rows) == 4  # all matching rows
    assert set(rows[0]) == set(JOB_FIELDS)
    assert rows[0]["state"] == "saved" and rows[0]["params"]["frames"] == 121
    json.dumps(rows)  # plain values only


def test_set_favourite(history):
    job = history.add(make_job())
    history.set_favourite(job.id, True)
    assert history.get(job.id).favourite is True
    history.set_favourite(job.id, False)
    assert history.get(job.id).favourite is False


# -- claims ---------------------------------------------------------------------------------


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_claim_unowned_and_own(history):
    job = history.add(make_job())
    assert history.claim(job.id, 1001)
    stored = history.get(job.id)
    assert stored.owner_pid == 1001 and stored.heartbeat_at is not None
    assert history.claim(job.id, 1001)  # already ours


def test_claim_held_by_a_live_process_is_refused(history):
    job = history.add(make_job())
    live = os.getppid()
    assert history.claim(job.id, live)
    assert not history.claim(job.id, os.getpid())
    assert history.get(job.id).owner_pid == live


@pytest.mark.skipif(os.name != "posix", reason="dead-pid detection is POSIX-only")
def test_claim_from_a_dead_owner(history):
    job = history.add(make_job())
    assert history.claim(job.id, dead_pid())
    assert history.claim(job.id, os.getpid())
    assert history.get(job.id).owner_pid == os.getpid()


def test_claim_with_a_stale_heartbeat(tmp_path):
    now = [T0]
    with History(tmp_path / "h.sqlite3", clock=lambda: now[0]) as h:
        job = h.add(make_job())
        live = os.getppid()
        assert h.claim(job.id, live)
        now[0] += 20
        assert not h.claim(job.id, os.getpid(), stale_after=30)
        h.heartbeat([job.id], live)
        now[0] += 20
        assert not h.claim(job.id, os.getpid(), stale_after=30)  # heartbeat kept it fresh
        now[0] += 15
        assert h.claim(job.id, os.getpid(), stale_after=30)
        assert h.get(job.id).heartbeat_at == now[0]


def test_final_and_missing_jobs_are_never_claimed(history):
    for state in FINAL_STATES:
        job = history.add(make_job(state=state))
        assert not history.claim(job.id, os.getpid())
        assert history.get(job.id).owner_pid is None
    assert not history.claim(987654, os.getpid())


def test_heartbeat_and_release_only_touch_own_claims(tmp_path):
    now = [T0]
    with History(tmp_path / "h.sqlite3", clock=lambda: now[0]) as h:
        mine = h.add(make_job())
        theirs = h.add(make_job())
        assert h.claim(mine.id, 1) and h.claim(theirs.id, 2)
        now[0] += 5
        h.heartbeat([mine.id, theirs.id], 1)
        assert h.get(mine.id).heartbeat_at == T0 + 5
        assert h.get(theirs.id).heartbeat_at == T0
        h.release(theirs.id, 1)
        assert h.get(theirs.id).owner_pid == 2
        h.release(mine.id, 1)
        assert h.get(mine.id).owner_pid is None
        h.heartbeat([], 1)


def test_claim_is_exclusive_between_connections(tmp_path):
    path = tmp_path / "h.sqlite3"
    with History(path) as a, History(path) as b:
        job = a.add(make_job())
        live_a, live_b = os.getpid(), os.getppid()
        results = [a.claim(job.id, live_a), b.claim(job.id, live_b)]
        assert results == [True, False]


# -- concurrency ------------------------------------------------------------------------------


def test_threads_share_one_history(history):
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(50):
                job = history.add(make_job(f"thread {n} row {i}"))
                job.poll_count = i
                history.save(job)
                history.query(HistoryQuery(text="thread", limit=5))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert history.count(HistoryQuery()) == 200


WRITER = """
import sys, time
from pathlib import Path
from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.store.history import History
path, go, name = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
h = History(path)
while not go.exists():
    time.sleep(0.005)
for i in range(200):
    job = h.add(Job(None, time.time(), f"{name} prompt {i}", "t2v_720p", "k", {"i": i}))
    job.transition(JobState.SUBMITTING)
    h.save(job)
    h.claim(job.id, 4_000_000 + i)
h.close()
print("ok")
"""


def test_two_processes_write_at_once(tmp_path):
    path = tmp_path / "shared.sqlite3"
    go = tmp_path / "go"
    History(path).close()  # created up front; test_two_processes_migrate_* races the opening
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(go), name],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("alpha", "beta")
    ]
    time.sleep(0.3)
    go.touch()
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert "database is locked" not in err
        assert out.strip() == "ok"
    with History(path) as h:
        assert h.count(HistoryQuery()) == 400
        assert h.count(HistoryQuery(text="alpha")) == 200
        assert h.count(HistoryQuery(status="submitting")) == 400
        spans = []
        for name in ("alpha", "beta"):
            times = [j.created_at for j in h.query(HistoryQuery(text=name, limit=None))]
            spans.append((min(times), max(times)))
        (a_start, a_end), (b_start, b_end) = spans
        assert a_start < b_end and b_start < a_end  # the writers really overlapped


def test_two_processes_migrate_a_new_file_at_once(tmp_path):
    path = tmp_path / "fresh.sqlite3"
    code = (
        "import sys; from jimeng_tui.store.history import History; "
        "h = History(sys.argv[1]); print(h.schema_version); h.close()"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    assert [p.communicate(timeout=60)[0].strip() for p in procs] == [str(SCHEMA_VERSION)] * 3


def test_job_dataclass_and_columns_agree():
    """A new Job field needs a migration adding its column (see store/migrations.py)."""
    assert tuple(f.name for f in dataclasses.fields(Job)) == JOB_FIELDS
    conn = sqlite3.connect(":memory:")
    for statements in MIGRATIONS:
        for statement in statements:
            run_step(conn, statement)
    assert tuple(r[1] for r in conn.execute("PRAGMA table_info(jobs)")) == JOB_FIELDS


def test_a_search_page_from_the_newest_rows_equals_the_index_answer(tmp_path, monkeypatch):
    """The newest-first shortcut for common words returns exactly what the FTS index would."""
    import random

    from jimeng_tui.store import history as history_module

    rng = random.Random(7)
    words = ["sunset", "ocean", "城市夜景", "cat", "neon", "Forest", "drone"]
    history = History(tmp_path / "h.sqlite3")
    history.add_many(
        [
            make_job(
                " ".join(rng.sample(words, 3)),
                created_at=1_700_000_000 + i,
                mode=rng.choice(["t2v_720p", "t2v_1080p"]),
            )
            for i in range(400)
        ]
    )
    queries = [
        HistoryQuery(text=text, limit=limit, offset=offset, mode=mode)
        for text in ("sunset", "城市夜", "forest ocean", "neo", "sunset cat drone")
        for limit, offset in ((10, 0), (25, 30), (200, 0))
        for mode in (None, "t2v_1080p")
    ]
    shortcut = [[j.id for j in history.query(q)] for q in queries]
    monkeypatch.setattr(history_module, "RECENT_SCAN", 0)  # the index answers every query
    indexed = [[j.id for j in history.query(q)] for q in queries]
    assert shortcut == indexed
    assert any(len(ids) == 10 for ids in shortcut)
    history.close()
