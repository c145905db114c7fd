"""What the agent tools say about a job, as plain functions (no server)."""

from __future__ import annotations

from jimeng_tui.agent.facts import job_facts, progress_percent, summary
from jimeng_tui.domain.job import Job, JobState

S = JobState
NOW = 1_800_000_000.0


def job(state: JobState, **fields) -> Job:
    return Job(
        id=3,
        created_at=NOW - 100,
        prompt="p",
        mode="t2v_720p",
        req_key="k",
        params={},
        state=state,
        **fields,
    )


def test_progress_moves_on_while_the_service_works_and_never_goes_back():
    submitted = NOW - 100
    queued = [
        progress_percent(job(S.IN_QUEUE, submitted_at=submitted), now=NOW + t) for t in (0, 60, 600)
    ]
    rendering = [
        progress_percent(job(S.GENERATING, submitted_at=submitted), 120, now=NOW + t)
        for t in (0, 10, 20, 10_000)
    ]
    later = [progress_percent(job(s)) for s in (S.DONE, S.DOWNLOADING, S.CONFORMING, S.SAVED)]
    steps = [progress_percent(job(S.QUEUED)), *queued, *rendering, *later]
    assert steps == sorted(steps) and steps[-1] == 100
    assert queued[-1] < 15 <= rendering[0] and rendering[-1] == 88  # capped below done
    assert progress_percent(job(S.FAILED)) == 100  # it ended


def test_a_failed_job_says_its_code_what_to_do_and_the_next_step():
    failed = job(S.FAILED, task_id="77", error_code=50516, error_message="video risk")
    facts = job_facts(failed)
    assert facts["error"]["code"] == 50516 and facts["error"]["what_to_do"]
    assert facts["finished"] and "video" not in facts
    text = summary(failed)
    assert text.startswith("Job 3 (t2v_720p, task 77): failed. 50516 video risk.")
    assert "rerun_job makes a new, paid generation" in text
    assert job_facts(job(S.GENERATING))["error"] is None
