"""The Ark service (services/ark, the client side) against the sandbox's Ark (the service's
side), each with its own copy of the model table: every model's happy path end to end, and every
combination the service's table offers is accepted by the emulator. A disagreement between the
two tables fails here."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from sandbox_ark_support import download, expected_size, image_bytes, probe

from jimeng_tui.domain.capabilities import InputKind
from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.sandbox.ark import ACTION_CREATE
from jimeng_tui.services.ark.codec import ARK_CODEC
from jimeng_tui.services.ark.models import ARK_CAPS, facts
from jimeng_tui.services.ark.service import ArkService
from jimeng_tui.services.base import Outcome, RemoteStatus, Target

SOUND = {m.id for m in ARK_CAPS.models if facts(m.id).has_sound}


def service(server) -> ArkService:
    target = Target(server.ark_base_url, {"api_key": server.ark_api_key}, timeout_s=30, retries=1)
    return ArkService(target)


async def create(
    server, fields: VideoInput, base_dir, ark: ArkService | None = None
) -> tuple[ArkService, str, object]:
    built = ARK_CODEC.build(fields, base_dir=base_dir)
    ark = ark or service(server)
    request = ark.request_from_params(built.params)
    body = await ark.build_body(request)
    submitted = await ark.submit(body)
    return ark, submitted.task_id, request


def images_for(kind: InputKind, server) -> dict:
    landscape = server.sample_image_url("landscape.jpg")
    if kind is InputKind.FIRST_FRAME:
        return {"first_image": landscape}
    if kind is InputKind.FIRST_LAST:
        return {"first_image": landscape, "last_image": landscape}
    if kind is InputKind.REFERENCE_IMAGES:
        return {"reference_images": (landscape, server.sample_image_url("square.jpg"))}
    return {}


@pytest.mark.parametrize("model", [m.id for m in ARK_CAPS.models])
def test_every_model_through_the_ark_service_ends_in_a_saved_video(sandbox, tmp_path, model):
    caps = ARK_CAPS.model(model)
    first = tmp_path / "first.png"
    first.write_bytes(image_bytes(1280, 720))
    fields = VideoInput(
        prompt="a kingfisher dives",
        model=caps.aliases[0],
        duration=caps.durations[0],
        resolution="480p",
        ratio="16:9",
        seed=4,
        first_image=None if InputKind.TEXT in caps.inputs else "first.png",
        options={"generate_audio": True} if model in SOUND else {},
    )

    async def run():
        ark, task_id, request = await create(sandbox, fields, tmp_path)
        try:
            sandbox.advance(60)
            return await ark.query(task_id, request)
        finally:
            await ark.aclose()

    view = asyncio.run(run())
    assert view.status is RemoteStatus.SUCCEEDED, view.failure
    size = expected_size(model, "480p", "16:9")
    frames = 24 * caps.durations[0] + 1
    assert view.usage_tokens == size[0] * size[1] * frames // 1024
    assert view.extra["has_audio"] is (model in SOUND)
    facts_ = probe(download(view.video_url).content)
    assert (facts_["frames"], facts_["size"]) == (frames, size)
    assert facts_["audio"] == (["aac"] if model in SOUND else [])
    assert download(view.last_frame_url).headers["content-type"] == "image/png"


def offered_combinations():
    """(model, kind, resolution, ratio, duration) for everything the service's table offers."""
    for caps in ARK_CAPS.models:
        known = facts(caps.id)
        for kind in sorted(
            caps.inputs & {*InputKind} - {InputKind.REFERENCE_VIDEO, InputKind.REFERENCE_AUDIO}
        ):
            references = kind is InputKind.REFERENCE_IMAGES
            resolutions = (references and known.references_resolutions) or caps.resolutions
            ratios = (references and known.references_ratios) or caps.ratios
            durations = sorted({caps.durations[0], caps.durations[-1]})
            for resolution, ratio, duration in itertools.product(resolutions, ratios, durations):
                yield caps.id, kind, resolution, ratio, duration


def test_everything_the_services_table_offers_the_sandbox_accepts(sandbox_factory, tmp_path):
    server = sandbox_factory(ark_queue_limit=100_000)
    combos = list(offered_combinations())

    async def run():
        refused, not_offered = [], 0
        ark = service(server)
        for model, kind, resolution, ratio, duration in combos:
            caps = ARK_CAPS.model(model)
            options = {o.name: True for o in caps.options if o.kind is bool}
            fields = VideoInput(
                prompt="every combination",
                model=model,
                duration=duration,
                resolution=resolution,
                ratio=ratio,
                seed=2**32 - 1,
                options=options,
                **images_for(kind, server),
            )
            try:
                await create(server, fields, tmp_path, ark)
            except ValidationError:
                not_offered += 1  # the service's own rules refuse it: nothing is sent
            except Exception as exc:
                refused.append(f"{model} {kind} {resolution} {ratio} {duration}s: {exc}")
        await ark.aclose()
        return refused, not_offered

    refused, not_offered = asyncio.run(run())
    assert refused == []
    assert len(server.ark_tasks) == len(combos) - not_offered > 300


def simple(prompt: str = "a quiet harbour") -> VideoInput:
    return VideoInput(prompt=prompt, model="seedance-2.0-fast", duration=4, resolution="480p")


async def submit_outcome(server, fields: VideoInput, base_dir):
    """(failure or None, task id or None) of one submit through the service."""
    ark = service(server)
    try:
        _, task_id, _ = await create(server, fields, base_dir, ark)
        return None, task_id
    except Exception as exc:
        return ark.classify(exc, during_submit=True), None
    finally:
        await ark.aclose()


@pytest.mark.parametrize(
    ("knobs", "outcome", "code", "tasks"),
    [
        ({"fail_after_create_rate": 1.0}, Outcome.UNKNOWN, "InternalServiceError", 1),
        ({"reset_rate": 1.0}, Outcome.UNKNOWN, "", 1),
        ({"fail_rate": 1.0}, Outcome.UNKNOWN, "InternalServiceError", 0),
        ({"ark_deny": "AccountOverdueError"}, Outcome.NO_RETRY, "AccountOverdueError", 0),
        (
            {"ark_not_open": ("doubao-seedance-2-0-fast-260128",)},
            Outcome.NO_RETRY,
            "ModelNotOpen",
            0,
        ),
        ({"ark_api_key": "another-key"}, Outcome.NO_RETRY, "AuthenticationError", 0),
    ],
)
def test_each_error_class_is_one_create_and_the_services_outcome(
    sandbox_factory, tmp_path, knobs, outcome, code, tasks
):
    server = sandbox_factory(**{k: v for k, v in knobs.items() if k.startswith("ark_")})
    server.set_faults(**{k: v for k, v in knobs.items() if not k.startswith("ark_")})
    key = "sandbox-ark-key"  # the default: the sandbox given another key answers 401

    async def run():
        ark = ArkService(Target(server.ark_base_url, {"api_key": key}, timeout_s=30, retries=1))
        try:
            await create(server, simple(), tmp_path, ark)
        except Exception as exc:
            return ark.classify(exc, during_submit=True)
        finally:
            await ark.aclose()
        return None

    failure = asyncio.run(run())
    assert failure is not None and failure.outcome is outcome, failure
    assert failure.code == code
    assert len(server.requests_for(ACTION_CREATE)) == 1  # never sent twice
    assert len(server.ark_tasks) == tasks


def test_queue_full_and_rate_limits_make_no_task_and_say_wait_or_slow_down(
    sandbox_factory, tmp_path
):
    server = sandbox_factory(ark_queue_limit=1, queue_seconds=1000)
    first, task_id = asyncio.run(submit_outcome(server, simple(), tmp_path))
    assert first is None and task_id
    full, _ = asyncio.run(submit_outcome(server, simple(), tmp_path))
    assert (full.outcome, full.code) == (Outcome.WHEN_TASK_ENDS, "QuotaExceeded")
    server.set_faults(ark_queue_limit=100, qps=0.001)
    server.state.take_token("ark:" + server.ark_api_key)  # the bucket's one token
    slow, _ = asyncio.run(submit_outcome(server, simple(), tmp_path))
    assert (slow.outcome, slow.code) == (Outcome.SLOWER, "ModelAccountRpmRateLimitExceeded")
    assert len(server.ark_tasks) == 1


def test_failed_tasks_cancel_per_status_and_the_list_through_the_service(sandbox_factory, tmp_path):
    server = sandbox_factory(queue_seconds=1000, generate_seconds=1000)

    async def run():
        ark = service(server)
        try:
            _, queued, _ = await create(server, simple("queued"), tmp_path, ark)
            _, running, _ = await create(server, simple("running"), tmp_path, ark)
            _, failing, _ = await create(server, simple("sandbox-video-reject"), tmp_path, ark)
            assert await ark.cancel(queued) is True
            server.advance(100)
            assert await ark.cancel(running) is False  # the service does not allow it
            server.advance(100)
            failed = await ark.query(failing, None)
            listed = await ark.list_tasks(0)
            return queued, running, failing, failed, listed
        finally:
            await ark.aclose()

    queued, running, failing, failed, listed = asyncio.run(run())
    assert failed.status is RemoteStatus.FAILED
    assert failed.failure.code == "OutputVideoSensitiveContentDetected"
    statuses = {view.task_id: view.status for view in listed}
    assert statuses == {
        queued: RemoteStatus.CANCELLED,
        running: RemoteStatus.SUCCEEDED,
        failing: RemoteStatus.FAILED,
    }
