"""``jimeng-tui doctor`` on real SQLite files with pages overwritten by garbage: it finds the
damage, and ``--rebuild`` makes a sound history of what is left, keeping every unfinished job
with a task id, and keeps the damaged file aside (same bytes, 0600)."""

from __future__ import annotations

import hashlib
import sqlite3
import stat

import pytest
from history_damage import damage, damage_pages, make_history, pages_of

from jimeng_tui.cli.entry import main
from jimeng_tui.domain.job import FINAL_STATES
from jimeng_tui.store.history import History, HistoryQuery
from jimeng_tui.store.paths import app_paths

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def db():
    path = app_paths().history_db
    path.parent.mkdir(parents=True)
    return path


def doctor(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["doctor", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def rows(path) -> list:
    history = History(path)
    try:
        return history.query(HistoryQuery(order="oldest", limit=None))
    finally:
        history.close()


def test_a_sound_history_is_reported_sound(db, capsys):
    make_history(db, count=30)
    code, out, _ = doctor(capsys)
    assert code == 0
    assert "sound (SQLite's integrity check: ok); 30 jobs, 3 unfinished with a task id" in out
    code, out, _ = doctor(capsys, "--rebuild")
    assert code == 0 and "nothing to rebuild" in out
    assert [p.name for p in db.parent.iterdir() if "damaged" in p.name] == []


def test_no_history_yet(capsys):
    code, out, _ = doctor(capsys)
    assert code == 0 and "no history at" in out and "nothing to check" in out


def test_damage_is_found_and_nothing_is_changed_without_rebuild(db, capsys):
    make_history(db)
    damage(db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    code, _, err = doctor(capsys)
    assert code == 1
    assert f"{db} is damaged; SQLite's integrity check found:" in err
    assert "btreeInitPage() returns error code 11" in err or "malformed" in err
    assert "jimeng-tui doctor --rebuild" in err
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_rebuild_keeps_every_readable_row_and_the_damaged_file(db, capsys):
    made = make_history(db)
    damage(db)
    before = db.read_bytes()
    code, out, _ = doctor(capsys, "--rebuild")
    assert code == 0, out
    (aside,) = [
        p
        for p in db.parent.iterdir()
        if p.name.startswith("history.sqlite3.damaged-") and not p.name.endswith(("-wal", "-shm"))
    ]
    assert aside.read_bytes() == before  # kept as it was, never deleted
    assert stat.S_IMODE(aside.stat().st_mode) == 0o600
    assert f"The damaged file is kept as {aside}" in out

    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    kept = rows(db)
    assert 0 < len(kept) < len(made)
    by_id = {job.id: job for job in made}
    for job in kept:  # what was kept is what was written (ids too), minus the claim
        original = by_id[job.id]
        assert (job.prompt, job.state, job.task_id, job.path) == (
            original.prompt,
            original.state,
            original.task_id,
            original.path,
        )
    assert f"rebuilt {db}: {len(kept)} jobs kept" in out
    # the new history works: search, new rows get new ids (never a lost row's)
    history = History(db)
    try:
        assert history.query(HistoryQuery(text="job 1"))
        new = history.add(made[0].__class__(**{**made[0].__dict__, "id": None}))
        assert new.id > len(made)
    finally:
        history.close()
    code, out, _ = doctor(capsys)
    assert code == 0 and "sound" in out


def test_unfinished_jobs_whose_rows_are_lost_are_kept_from_the_indexes(db, capsys):
    """Every leaf page of the table in the middle of the file is garbage; the indexes still
    name those rows' task ids, states and modes: every unfinished job with a task id is kept
    (its prompt is lost, the paid task is not)."""
    made = make_history(db)
    leaves = pages_of(db, "jobs")
    damage_pages(db, leaves[len(leaves) // 4 : 3 * len(leaves) // 4])
    code, out, _ = doctor(capsys, "--rebuild")
    assert code == 0, out
    wanted = {j.task_id for j in made if j.task_id and j.state not in FINAL_STATES}
    kept = rows(db)
    unfinished = {j.task_id for j in kept if j.state not in FINAL_STATES and j.task_id}
    assert unfinished == wanted  # all 40, none lost
    partial = [j for j in kept if "_recovered" in j.meta.extra]
    assert partial and all(j.prompt == "" and j.mode in ("t2v_720p", "t2v_1080p") for j in partial)
    assert f"{len(partial)} jobs were rebuilt from their task id alone (prompt lost)" in out
    assert {j.mode for j in partial} == {
        by.mode for by in made if by.task_id in {p.task_id for p in partial}
    }


@pytest.mark.parametrize("args", [["history"], ["resume"], ["generate", "a cat"]])
def test_commands_on_a_damaged_history_name_the_file_and_the_doctor(db, capsys, args):
    make_history(db)
    damage(db)
    code = main(args)
    _, err = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in err
    assert f"{db} is not a usable history database: it is damaged" in err
    assert "`jimeng-tui doctor --rebuild`" in err


def test_the_sandbox_history_has_its_own_doctor(capsys):
    path = app_paths().sandbox_history_db
    path.parent.mkdir(parents=True)
    make_history(path)
    damage(path)
    code = main(["history", "--sandbox"])
    _, err = capsys.readouterr()
    assert code == 1 and "`jimeng-tui doctor --sandbox --rebuild`" in err
    code, out, _ = doctor(capsys, "--sandbox", "--rebuild")
    assert code == 0 and f"rebuilt {path}" in out


def test_no_rebuild_under_a_live_process(db, capsys):
    """A process driving a job of this history would keep writing to the old file: the
    rebuild waits for it (nothing is changed)."""
    import os

    make_history(db)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE jobs SET owner_pid = ? WHERE id = 391", (os.getppid(),))  # in_queue
    conn.commit()
    conn.close()
    damage(db)
    before = db.read_bytes()
    code = main(["doctor", "--rebuild"])
    _, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in err
    assert f"jimeng-tui process {os.getppid()} is using {db}" in err
    assert "Nothing was changed" in err
    assert db.read_bytes() == before
    assert not [p for p in db.parent.iterdir() if "damaged" in p.name or "rebuilding" in p.name]


def test_a_full_disk_during_the_rebuild_changes_nothing(db, capsys, monkeypatch):
    from history_damage import full_disk

    make_history(db)
    damage(db)
    before = db.read_bytes()
    full_disk(monkeypatch)  # the new file cannot be written
    code = main(["doctor", "--rebuild"])
    _, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in err
    assert "is full" in err and "Nothing was lost" in err
    assert db.read_bytes() == before
    assert not [p for p in db.parent.iterdir() if "damaged" in p.name or "rebuilding" in p.name]
