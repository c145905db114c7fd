"""A paid video whose save fails here is never lost and never paid for twice (issue 12, item 1).

Each local cause (a full disk, a read-only output folder, an unknown {placeholder} in the file
name template, damaged bytes in the partial download) leaves the job in ``save_failed`` with its
task id; once the cause is gone, ``resume``, ``wait TASK``, a batch re-run and
``batch --retry-failed`` save the video from the SAME task: the sandbox sees one submit.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from pathlib import Path

import av
import pytest
from cli_support import history_jobs

from jimeng_tui.domain.job import JobState
from jimeng_tui.store.paths import app_paths

SUBMIT = "CVSync2AsyncSubmitTask"


def use_config(folder: Path, template: str = "{job_id}") -> None:
    """Videos go to ``folder`` named by job id (job 1 → 1.mp4: a name known in advance)."""
    config = app_paths(os.environ).config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        f'[defaults]\noutput_dir = "{folder}"\nfilename_template = "{template}"\n',
        encoding="utf-8",
    )


@contextlib.contextmanager
def read_only(folder: Path):
    """``folder`` cannot be written, even by root (a read-only bind mount then)."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    mounted = subprocess.run(["mount", "--bind", str(folder), str(folder)], check=False)
    if mounted.returncode != 0:
        pytest.skip("root without mount: cannot make a folder read-only")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True)
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


class Cause:
    """A reason the save fails: ``apply`` before the save, ``remove`` to fix it."""

    words: str = ""

    def __init__(self, folder: Path):
        self.folder = folder

    def apply(self) -> None: ...

    def remove(self) -> None: ...


class DiskFull(Cause):
    """Every write to the partial download fails with ENOSPC (it is /dev/full)."""

    words = "disk is full"

    def apply(self) -> None:
        os.symlink("/dev/full", self.folder / "1.mp4.part")

    def remove(self) -> None:
        (self.folder / "1.mp4.part").unlink()


class ReadOnlyFolder(Cause):
    words = "make it writable"

    def apply(self) -> None:
        self._ctx = read_only(self.folder)
        self._ctx.__enter__()

    def remove(self) -> None:
        self._ctx.__exit__(None, None, None)


class BadTemplate(Cause):
    words = "unknown placeholder {nope}"

    def apply(self) -> None:
        use_config(self.folder, "{job_id}_{nope}")

    def remove(self) -> None:
        use_config(self.folder)


class DamagedPart(Cause):
    """A partial download whose bytes are not the video's: the download continues it, the
    result is not a video; the damaged file is discarded so the next attempt starts clean."""

    words = "not a usable video"

    def apply(self) -> None:
        (self.folder / "1.mp4.part").write_bytes(b"\x00garbage" * 500)


CAUSES = {"disk_full": DiskFull, "read_only": ReadOnlyFolder, "bad_template": BadTemplate}
CAUSES["damaged_part"] = DamagedPart


def assert_saved_once(server, folder: Path, task_id: str) -> None:
    (job,) = history_jobs()
    assert job.state is JobState.SAVED, job.error_message
    assert job.task_id == task_id
    assert Path(job.path).parent == folder
    with av.open(job.path) as container:
        assert container.streams.video[0].frames in (0, 121)
    assert len(server.requests_for(SUBMIT)) == 1, "the video was paid for twice"
    litter = [p.name for p in folder.iterdir() if p.name.endswith((".part", ".meta", ".tmp"))]
    assert litter == []


def assert_save_failed(result, words: str) -> str:
    """The save failed: exit 1, what went wrong locally and the command that finishes it."""
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    (job,) = history_jobs()
    assert job.state is JobState.SAVE_FAILED, (job.state, job.error_message)
    assert job.task_id
    assert words in result.stderr, result
    assert f"jimeng-tui wait {job.task_id}" in result.stderr
    assert "generated but could not be saved" in result.stderr
    return job.task_id


@pytest.mark.parametrize("cause_name", list(CAUSES))
def test_a_failed_save_is_finished_by_resume_from_the_same_task(
    cli, sandbox_server, tmp_path, cause_name
):
    folder = tmp_path / "videos"
    folder.mkdir()
    use_config(folder)
    submitted = cli("generate", "A lighthouse in a storm", "--no-wait")
    assert submitted.returncode == 0, submitted
    cause = CAUSES[cause_name](folder)
    cause.apply()
    try:
        failed = cli("resume")
        task_id = assert_save_failed(failed, cause.words)
        assert task_id == submitted.stdout.strip()
        listed = cli("history", "--status", "save_failed", "--json")
        assert listed.returncode == 0, listed
        assert [j["task_id"] for j in json.loads(listed.stdout)] == [task_id]
    finally:
        cause.remove()
    finished = cli("resume")
    assert finished.returncode == 0, finished
    assert_saved_once(sandbox_server, folder, task_id)


def test_wait_runs_the_command_the_failure_printed(cli, sandbox_server, tmp_path):
    folder = tmp_path / "videos"
    folder.mkdir()
    use_config(folder)
    full = DiskFull(folder)
    full.apply()
    failed = cli("generate", "A lighthouse in a storm")
    task_id = assert_save_failed(failed, full.words)
    again = cli("wait", task_id)  # still full: the same recoverable state, not a failure
    assert_save_failed(again, full.words)
    full.remove()
    finished = cli("wait", task_id)
    assert finished.returncode == 0, finished
    assert finished.stdout.startswith("**Generated Video:**")
    assert_saved_once(sandbox_server, folder, task_id)


@pytest.mark.parametrize("flags", [(), ("--retry-failed",)], ids=["rerun", "retry_failed"])
def test_a_batch_run_again_fetches_instead_of_paying_again(cli, sandbox_server, tmp_path, flags):
    folder = tmp_path / "videos"
    folder.mkdir()
    use_config(folder)
    batch = tmp_path / "shots.jsonl"
    batch.write_text('{"prompt": "A lighthouse in a storm"}\n', encoding="utf-8")
    full = DiskFull(folder)
    full.apply()
    failed = cli("batch", str(batch))
    assert failed.returncode == 1, failed
    (job,) = history_jobs()
    assert job.state is JobState.SAVE_FAILED and job.task_id
    full.remove()
    finished = cli("batch", str(batch), *flags)
    assert finished.returncode == 0, finished
    assert "resuming job 1" in finished.stdout
    assert_saved_once(sandbox_server, folder, job.task_id)
