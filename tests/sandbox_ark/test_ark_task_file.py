"""With a task file (the embedded ``--sandbox``), Ark tasks outlive the sandbox like Jimeng's:
a restarted sandbox answers for them, finishes them, and keeps deletions."""

from __future__ import annotations

from ark_support import MODEL_20_FAST, Ark, body, download, error_of, probe, text


def test_a_restarted_sandbox_still_answers_for_its_ark_tasks(sandbox_factory, tmp_path):
    task_file = tmp_path / "tasks.json"
    first = Ark(sandbox_factory(task_file=task_file, queue_seconds=100, generate_seconds=100))
    running = first.created(body(MODEL_20_FAST, text("kept"), resolution="480p", duration=4))
    deleted = first.finished(body(MODEL_20_FAST, text("deleted"), resolution="480p", duration=4))
    assert first.delete(deleted["id"]).status_code == 200
    first.server.stop()
    assert (tmp_path / "tasks.ark.json").exists()
    assert oct((tmp_path / "tasks.ark.json").stat().st_mode & 0o777) == "0o600"

    second = Ark(sandbox_factory(task_file=task_file))
    assert second.server.knows(running) and not second.server.knows(deleted["id"])
    second.server.advance(3600)
    task = second.get(running).json()
    assert task["status"] == "succeeded"
    assert task["content"]["video_url"].startswith(second.server.base_url)
    assert probe(download(task["content"]["video_url"]).content)["frames"] == 97
    error_of(second.get(deleted["id"]), 404, "NotFound.TaskId")
    assert [t["id"] for t in second.list().json()["items"]] == [running]
