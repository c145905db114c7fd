"""With a task file (the embedded ``--sandbox``), Ark tasks outlive the sandbox like Jimeng's:
a restarted sandbox answers for them, finishes them, and keeps deletions."""

from __future__ import annotations

from sandbox_ark_support import MODEL_20_FAST, Ark, body, download, error_of, probe, text


def test_a_restarted_sandbox_still_answers_for_its_ark_tasks(sandbox_factory, tmp_path):
    task_file = tmp_path / "tasks.json"
    first = Ark(sandbox_factory(task_file=task_file, queue_seconds=1000, generate_seconds=1000))
    kept = first.created(body(MODEL_20_FAST, text("kept"), resolution="480p", duration=4))
    gone = first.created(body(MODEL_20_FAST, text("deleted"), resolution="480p", duration=4))
    first.server.advance(250)  # speed 10: both done
    assert first.delete(gone).status_code == 200
    pending = first.created(body(MODEL_20_FAST, text("pending"), resolution="480p", duration=4))
    first.server.stop()
    ark_file = tmp_path / "tasks.ark.json"
    assert oct(ark_file.stat().st_mode & 0o777) == "0o600"

    second = Ark(sandbox_factory(task_file=task_file))
    assert second.server.knows(kept) and second.server.knows(pending)
    assert not second.server.knows(gone)
    error_of(second.get(gone), 404, "NotFound.TaskId")
    assert second.get(pending).json()["status"] == "queued"
    second.server.advance(500)  # the first clock was 250 s ahead (advance is not kept)
    task = second.get(pending).json()
    assert task["status"] == "succeeded"
    assert task["content"]["video_url"].startswith(second.server.base_url)
    assert probe(download(task["content"]["video_url"]).content)["frames"] == 97
    assert [t["id"] for t in second.list().json()["items"]] == [pending, kept]
