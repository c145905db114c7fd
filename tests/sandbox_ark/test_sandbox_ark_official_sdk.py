"""The official Ark SDK (volcengine-ark-runtime, a test-only dependency) pointed at the sandbox:
create, get, list and delete parse, for text-to-video and first+last frame; a wrong key raises
its 401 error. No fault knobs here: the SDK retries creates on 5xx (that is why jimeng-tui
does not use it)."""

from __future__ import annotations

import pytest
from sandbox_ark_support import MODEL_15, MODEL_20, data_url, download, probe

sdk = pytest.importorskip("volcenginesdkarkruntime")
from volcenginesdkarkruntime._exceptions import (  # noqa: E402
    ArkAuthenticationError,
    ArkBadRequestError,
    ArkConflictError,
    ArkNotFoundError,
)


def client(server, key=None):
    return sdk.Ark(
        base_url=server.ark_base_url,
        api_key=key or server.ark_api_key,
        max_retries=0,
        timeout=30,
    )


def test_text_to_video_create_get_list_delete_parse(sandbox):
    tasks = client(sandbox).content_generation.tasks
    created = tasks.create(
        model=MODEL_20,
        content=[{"type": "text", "text": "a paper boat on a pond"}],
        resolution="480p",
        ratio="16:9",
        duration=4,
        generate_audio=True,
        return_last_frame=True,
        seed=21,
    )
    assert created.id.startswith("cgt-")
    queued = tasks.get(task_id=created.id)
    assert (queued.id, queued.model, queued.status) == (created.id, MODEL_20, "queued")
    sandbox.advance(60)
    done = tasks.get(task_id=created.id)
    assert done.status == "succeeded"
    assert (done.resolution, done.ratio, done.duration, done.seed) == ("480p", "16:9", 4, 21)
    assert done.framespersecond == 24 and done.generate_audio is True
    assert done.usage.completion_tokens == done.usage.total_tokens == 864 * 496 * 97 // 1024
    facts = probe(download(done.content.video_url).content)
    assert facts["frames"] == 97 and facts["audio"] == ["aac"]
    assert download(done.content.last_frame_url).headers["content-type"] == "image/png"

    listed = tasks.list(page_num=1, page_size=10, status="succeeded", model=MODEL_20)
    assert listed.total == 1 and [t.id for t in listed.items] == [created.id]
    assert listed.items[0].content.video_url == done.content.video_url
    assert tasks.list(task_ids=[created.id, "cgt-20260101000000-other"]).total == 1

    tasks.delete(created.id)
    with pytest.raises(ArkNotFoundError) as caught:
        tasks.get(task_id=created.id)
    assert caught.value.code == "NotFound.TaskId"
    assert tasks.list().total == 0


def test_first_and_last_frame_and_cancel_through_the_sdk(sandbox_factory):
    server = sandbox_factory(queue_seconds=1000, generate_seconds=1000)
    tasks = client(server).content_generation.tasks
    first = {"type": "image_url", "image_url": {"url": data_url(1280, 720)}, "role": "first_frame"}
    last = {"type": "image_url", "image_url": {"url": data_url(1280, 720)}, "role": "last_frame"}
    created = tasks.create(
        model=MODEL_15,
        content=[{"type": "text", "text": "from dawn to dusk"}, first, last],
        resolution="480p",
        duration=4,
    )
    task = tasks.get(task_id=created.id)
    assert task.status == "queued" and task.ratio == "16:9"  # adaptive from the first frame
    tasks.delete(created.id)  # queued: cancelled
    assert tasks.get(task_id=created.id).status == "cancelled"
    with pytest.raises(ArkConflictError):
        tasks.delete(created.id)
    assert tasks.list(status="cancelled").items[0].id == created.id

    second = tasks.create(model=MODEL_15, content=[{"type": "text", "text": "x"}, first, last])
    server.advance(250)
    finished = tasks.get(task_id=second.id)
    assert finished.status == "succeeded" and finished.content.video_url

    with pytest.raises(ArkBadRequestError) as caught:
        tasks.create(
            model=MODEL_15, content=[{"type": "text", "text": "x"}, first | {"role": None}, last]
        )
    assert caught.value.code == "InvalidParameter" and caught.value.param == "content"
    assert caught.value.status_code == 400


def test_a_wrong_key_raises_the_sdks_401_error(sandbox):
    tasks = client(sandbox, key="not-the-key").content_generation.tasks
    with pytest.raises(ArkAuthenticationError) as caught:
        tasks.create(model=MODEL_20, content=[{"type": "text", "text": "x"}])
    assert caught.value.status_code == 401 and caught.value.code == "AuthenticationError"
    with pytest.raises(ArkAuthenticationError):
        tasks.list()
    assert sandbox.ark_tasks == {}


def test_the_package_never_imports_the_sdk():
    import re
    from pathlib import Path

    import jimeng_tui

    pattern = re.compile(r"^\s*(from|import)\s+volcenginesdkarkruntime", re.MULTILINE)
    root = Path(jimeng_tui.__file__).parent
    offenders = [p for p in root.rglob("*.py") if pattern.search(p.read_text("utf-8"))]
    assert offenders == []
