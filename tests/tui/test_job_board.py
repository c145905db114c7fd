"""The job view-model without Textual: what the board keeps and what it toasts."""

from __future__ import annotations

import dataclasses

from jimeng_tui.domain.job import JobState
from jimeng_tui.tui.job_board import JobBoard, announcement
from tests.tui.tui_support import make_job

S = JobState


def test_board_tracks_jobs_and_says_when_one_ends() -> None:
    board = JobBoard()
    running = make_job(7, S.GENERATING, prompt="a fox")
    first = board.show(running)
    assert first.first and first.previous is None and not first.ended
    assert board.active_count() == 1

    again = board.show(running)
    assert not again.first and again.previous is S.GENERATING and not again.ended

    saved = dataclasses.replace(running, state=S.SAVED, path="/v/fox.mp4")
    done = board.show(saved)
    assert done.ended and done.previous is S.GENERATING
    assert board.active_count() == 0 and board.get(7) is saved

    board.set_progress(7, 10, 100)
    board.add_notice(7, "converted")
    board.add_notice(7, "trimmed")
    assert board.facts(7) == (saved, (10, 100), ["converted", "trimmed"], None, None)

    board.remove(7)
    assert board.get(7) is None and board.facts(7) is None
    # a job first seen already final (resumed from history) does not toast
    assert not board.show(make_job(8, S.FAILED, prompt="x")).ended


def test_announcement_per_final_state() -> None:
    saved = announcement(make_job(3, S.SAVED, prompt="a fox", path="/v/fox.mp4"))
    assert saved is not None and saved.ring
    assert (saved.title, saved.text) == ("Job 3 done", "a fox\nSaved fox.mp4")
    failed = announcement(
        make_job(4, S.FAILED, prompt="", error_code="50411", error_message="refused")
    )
    assert failed is not None and failed.severity == "error" and failed.timeout == 8
    assert (failed.title, failed.text) == ("Job 4 failed", "t2v_720p\n50411 refused")
    unknown = announcement(make_job(5, S.SUBMIT_UNKNOWN, prompt="p"))
    assert unknown is not None and unknown.title == "Job 5 needs you"
    assert announcement(make_job(6, S.GENERATING, prompt="p")) is None
