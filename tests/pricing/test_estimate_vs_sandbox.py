"""Seedance estimates against the sandbox's Ark over a real socket: for each model, the tokens
estimated before sending equal the `usage.completion_tokens` the emulator reports for the task
(which follows ark-contract.md §7), and the job's bill is those tokens × the price."""

from __future__ import annotations

import asyncio

import pytest

from jimeng_tui.domain.capabilities import InputKind
from jimeng_tui.domain.prices import PER_MILLION_TOKENS, Price, billed_amount
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.pricing import PriceBook, estimate
from jimeng_tui.services.ark.codec import ARK_CODEC
from jimeng_tui.services.ark.models import ARK_CAPS
from jimeng_tui.services.ark.service import ArkService
from jimeng_tui.services.base import RemoteStatus, Target

# every model at every resolution; a portrait ratio at 720p; the longest length at 480p
CASES = [
    (m.id, res, "9:16" if res == "720p" else "16:9", m.durations[-1 if res == "480p" else 0])
    for m in ARK_CAPS.models
    for res in m.resolutions
]


async def reported_tokens(server, built) -> int | None:
    target = Target(server.ark_base_url, {"api_key": server.ark_api_key}, timeout_s=30, retries=1)
    ark = ArkService(target)
    try:
        request = ark.request_from_params(built.params)
        submitted = await ark.submit(await ark.build_body(request))
        server.advance(120)
        view = await ark.query(submitted.task_id, request)
        assert view.status is RemoteStatus.SUCCEEDED, view.failure
        return view.usage_tokens
    finally:
        await ark.aclose()


@pytest.mark.parametrize(("model", "resolution", "ratio", "duration"), CASES)
def test_the_estimate_is_the_reported_usage(sandbox, tmp_path, model, resolution, ratio, duration):
    text_ok = InputKind.TEXT in ARK_CAPS.model(model).inputs
    fields = VideoInput(
        prompt="a kingfisher dives",
        model=model,
        duration=duration,
        resolution=resolution,
        ratio=ratio,
        first_image=None if text_ok else sandbox.sample_image_url("landscape.jpg"),
    )
    built = ARK_CODEC.build(fields, base_dir=tmp_path)
    est = estimate(built.summary, ARK_CAPS, PriceBook())
    tokens = asyncio.run(reported_tokens(sandbox, built))
    assert tokens is not None and est.tokens == tokens
    price = Price(46.0, PER_MILLION_TOKENS, "CNY", "test")
    assert billed_amount(price, {"usage_tokens": tokens}, None) == pytest.approx(
        tokens * 46.0 / 1e6
    )
