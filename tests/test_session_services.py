"""The session reaches every service it has keys for (issue 15): one target each, the default
model by the keys, and a refusal naming the missing keys before anything is written or sent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jimeng_tui.domain.job import Job
from jimeng_tui.domain.meta import JobMeta
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.jobs.request_builder import build_request
from jimeng_tui.jobs.runner import NoCredentials
from jimeng_tui.services import registry
from jimeng_tui.session import SessionSpec, open_session

ARK_DEFAULT_URL = "https://ark.cn-beijing.volces.com/api/v3"
JIMENG_KEYS = {"VOLC_ACCESSKEY": "AKLIVEKEY0000001", "VOLC_SECRETKEY": "s3cret"}
ARK_KEY = {"ARK_API_KEY": "ark-live-key-0001"}


def job_on(service: str) -> Job:
    meta = JobMeta(service=service)
    return Job(id=None, created_at=0.0, prompt="", mode="m", req_key="m", params={}, meta=meta)


def live(extra: dict[str, str], config: str = ""):
    env = {**os.environ, **extra}
    session = open_session(SessionSpec(env=env))
    if config:
        session.paths.config_file.parent.mkdir(parents=True, exist_ok=True)
        session.paths.config_file.write_text(config, encoding="utf-8")
    return session


@pytest.mark.parametrize(
    ("keys", "config", "available", "model"),
    [
        ({**JIMENG_KEYS, **ARK_KEY}, "", ("jimeng3", "ark"), "t2v_720p"),
        (JIMENG_KEYS, '[defaults]\nmode = "t2v_1080p"\n', ("jimeng3",), "t2v_1080p"),
        (ARK_KEY, "", ("ark",), "seedance-2.0"),
        (ARK_KEY, '[defaults]\nmodel = "seedance-1.5-pro"\n', ("ark",), "seedance-1.5-pro"),
        ({}, "", (), "t2v_720p"),
    ],
)
def test_the_services_and_the_default_model_follow_the_keys(
    isolated_home, keys, config, available, model
):
    session = live(keys, config)
    assert session.available_services() == available
    assert session.default_model() == model


def test_an_ark_key_adds_an_ark_target_at_the_configured_host(isolated_home):
    session = live({**JIMENG_KEYS, **ARK_KEY})
    targets = session.targets()
    assert list(targets) == ["jimeng3", "ark"]
    assert targets["ark"].base_url == ARK_DEFAULT_URL
    assert dict(targets["ark"].credentials) == {"api_key": "ark-live-key-0001"}
    assert targets["jimeng3"].credentials["access_key"] == "AKLIVEKEY0000001"


async def test_the_sandbox_session_reaches_both_services_on_the_sandbox(isolated_home):
    session = open_session(SessionSpec(sandbox=True, env=os.environ))
    server = session.sandbox
    assert server is not None
    try:
        assert session.available_services() == ("jimeng3", "ark")
        engine = session.open_engine()
        try:
            assert list(engine.services) == ["jimeng3", "ark"]
            assert engine.targets["ark"].base_url == server.ark_base_url
            assert engine.targets["ark"].credentials == {"api_key": server.ark_api_key}
            assert engine.runner.throttles["ark"] is not engine.runner.throttles["jimeng3"]
            # each service's own lifetimes (Ark keeps a link 24 h, Jimeng 3.0 one hour)
            scale = engine.targets["ark"].time_scale
            ark = registry.capabilities("ark")
            runner = engine.runner
            assert runner.link_lifetime(job_on("ark")) == ark.url_ttl_s / scale
            assert runner.task_lifetime(job_on("ark")) == ark.task_ttl_s / scale
            assert runner.link_lifetime(job_on("jimeng3")) == 3600 / scale
        finally:
            await engine.aclose()
    finally:
        session.close()


async def test_an_ark_request_without_the_key_is_refused_naming_it(isolated_home, tmp_path: Path):
    session = live(JIMENG_KEYS)
    engine = session.open_engine()
    try:
        built = build_request(VideoInput(prompt="a kite", model="seedance-2.0"), base_dir=tmp_path)
        with pytest.raises(NoCredentials, match="set ARK_API_KEY") as refused:
            await engine.runner.create(built)
        assert str(session.paths.config_file) in str(refused.value)
        assert engine.history.unfinished() == []  # nothing written (nor sent)
    finally:
        await engine.aclose()


async def test_a_jimeng_request_without_its_keys_is_refused_naming_them(
    isolated_home, tmp_path: Path
):
    engine = live(ARK_KEY).open_engine()
    try:
        built = build_request(VideoInput(prompt="a kite", model="t2v_720p"), base_dir=tmp_path)
        with pytest.raises(NoCredentials, match="set VOLC_ACCESSKEY and VOLC_SECRETKEY"):
            await engine.runner.create(built)
        assert engine.history.unfinished() == []
    finally:
        await engine.aclose()
