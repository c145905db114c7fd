"""The job list's open and copy actions: what each says when the selected job lacks what it
needs, and what it does when it has it (the main screen's ``screens/job_actions.py``)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.tui.screens.history_actions import HistoryActionsMixin
from jimeng_tui.tui.screens.job_actions import JobActionsMixin


class FakeScreen(JobActionsMixin):
    """Just what the actions touch: the selected job, notify, the clipboard and the opener."""

    def __init__(self, job: Job | None) -> None:
        self.job = job
        self.said: list[tuple[str, str]] = []
        self.copied: list[str] = []
        self.opened: list[Path] = []
        self.app = SimpleNamespace(copy_to_clipboard=self.copied.append, opener=self.opened.append)

    @property
    def selected_job(self) -> Job | None:
        return self.job

    def notify(self, text: str, severity: str = "information", **_: Any) -> None:
        self.said.append((text, severity))


def job(**values: Any) -> Job:
    return Job(
        id=7,
        created_at=1.0,
        mode="t2v_720p",
        req_key="jimeng_t2v_v30",
        params={},
        prompt="a cat",
        **values,
    )


def test_with_no_job_selected_each_action_says_how_to_select_one() -> None:
    for action in ("open_file", "open_folder", "copy_url", "copy_path"):
        screen = FakeScreen(None)
        getattr(screen, f"action_{action}")()
        assert screen.said == [("Select a job in the queue first (F4 moves there).", "warning")], (
            action
        )


def test_a_job_without_file_or_url_gets_a_warning_naming_what_is_missing(tmp_path: Path) -> None:
    missing = str(tmp_path / "gone" / "a.mp4")
    cases = {
        "open_file": (job(path=missing), "No saved file for this job (yet)."),
        "open_folder": (job(path=missing), "This job has no folder yet."),
        "copy_url": (job(), "No video URL for this job yet."),
        "copy_path": (job(), "No saved file for this job yet."),
    }
    for action, (the_job, text) in cases.items():
        screen = FakeScreen(the_job)
        getattr(screen, f"action_{action}")()
        assert screen.said == [(text, "warning")], action
        assert screen.copied == [] and screen.opened == [], action


def test_a_saved_job_is_opened_and_copied(tmp_path: Path) -> None:
    video = tmp_path / "a.mp4"
    video.write_bytes(b"x")
    saved = job(path=str(video), video_url="https://example.com/v.mp4", state=JobState.SAVED)
    screen = FakeScreen(saved)
    screen.action_copy_url()
    screen.action_copy_path()
    assert screen.copied == ["https://example.com/v.mp4", str(video)]
    assert [text for text, _ in screen.said] == [
        "Video URL copied (it works for one hour after the job finished).",
        f"Copied {video}",
    ]
    screen.action_open_file()
    screen.action_open_folder()
    assert screen.opened == [video, tmp_path]


def test_a_running_job_is_not_dismissed_and_the_screen_says_why() -> None:
    screen = FakeScreen(job(state=JobState.GENERATING))
    screen.action_dismiss_job()
    assert screen.said == [
        ("Cancel the job first; a running job stays in the queue.", "information")
    ]


class FakeHistory(HistoryActionsMixin):
    """History's side: the highlighted row's job and notify."""

    def __init__(self, job: Job | None) -> None:
        self.highlighted = job
        self.said: list[tuple[str, str]] = []

    def notify(self, text: str, severity: str = "information", **_: Any) -> None:
        self.said.append((text, severity))


def test_history_says_why_it_neither_downloads_nor_deletes() -> None:
    never_sent = FakeHistory(job(state=JobState.FAILED))
    never_sent.action_redownload()
    running = FakeHistory(job(state=JobState.GENERATING, task_id="t-1"))
    running.action_delete()
    nothing = FakeHistory(None)
    nothing.action_redownload()
    nothing.action_delete()
    assert never_sent.said == [
        ("This job never reached the service: nothing to download.", "information")
    ]
    assert running.said == [
        ("The job is still running; cancel it in the studio first.", "information")
    ]
    assert nothing.said == [("No job is highlighted.", "warning")] * 2
