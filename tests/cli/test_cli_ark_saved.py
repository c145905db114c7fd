"""What a finished Seedance job keeps (issue 15 items 3 and 6): every model's happy path over the
sandbox's Ark on a loopback socket ends in an MP4 PyAV opens, the service's last frame saved
beside it as ``<stem>.last.png`` (listed in the sidecar and in ``--json``), the tokens the task
was billed by, and exactly one create in the sandbox's log; sound survives a local fps conform."""

from __future__ import annotations

import json
from pathlib import Path

import av
import pytest
from PIL import Image

from jimeng_tui.sandbox.ark import ACTION_CREATE
from tests.cli import test_cli_models as models_cli

env_for = models_cli.env_for  # the fixture that points the in-process CLI at a sandbox
run = models_cli.run

MODELS = [
    ("seedance-2.0", "doubao-seedance-2-0-260128", ("--duration", "4")),
    ("seedance-2.0-fast", "doubao-seedance-2-0-fast-260128", ("--duration", "4")),
    ("seedance-1.5-pro", "doubao-seedance-1-5-pro-251215", ("--duration", "4")),
    ("seedance-1.0-pro", "doubao-seedance-1-0-pro-250528", ("--duration", "2")),
    ("seedance-1.0-pro-fast", "doubao-seedance-1-0-pro-fast-251015", ("--duration", "2")),
    ("seedance-1.0-lite-t2v", "doubao-seedance-1-0-lite-t2v-250428", ("--duration", "2")),
    ("seedance-1.0-lite-i2v", "doubao-seedance-1-0-lite-i2v-250428", ("--duration", "2")),
]


def _streams(path: Path) -> tuple[int, float, bool]:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        frames = sum(1 for _ in container.decode(video))
        return frames, float(video.average_rate or 0), bool(container.streams.audio)


@pytest.mark.parametrize(("alias", "model_id", "length"), MODELS, ids=[m[0] for m in MODELS])
def test_every_seedance_model_saves_its_video_last_frame_and_tokens(
    sandbox, env_for, capsys, tmp_path, alias, model_id, length
):
    env_for(sandbox)
    args = ["a lighthouse at dusk", "--model", alias, "--resolution", "480p", *length, "--json"]
    if alias.endswith("i2v"):
        first = tmp_path / "first.png"
        Image.new("RGB", (640, 360), (30, 90, 160)).save(first)
        args += ["--image", str(first)]
    code, out, err = run(capsys, "generate", *args)
    assert code == 0, err
    job = json.loads(out)
    assert (job["status"], job["model"], job["service"]) == ("saved", model_id, "ark")
    video = Path(job["path"])
    seconds = int(length[1])
    frames, fps, _ = _streams(video)
    assert (frames, fps) == (24 * seconds + 1, 24.0)  # native: no local conform
    assert job["has_audio"] is False
    assert isinstance(job["tokens"], int) and job["tokens"] > 0
    png = Path(job["last_frame"])
    assert png == video.with_name(video.stem + ".last.png")
    with Image.open(png) as image:
        assert image.format == "PNG"
        assert image.size == (job["width"], job["height"])
    sidecar = json.loads(video.with_suffix(".json").read_text("utf-8"))
    assert (sidecar["last_frame"], sidecar["has_audio"]) == (str(png), False)
    assert sidecar["usage_tokens"] == job["tokens"]
    assert len(sandbox.requests_for(ACTION_CREATE)) == 1

    code, out, err = run(capsys, "history", "--json")
    assert code == 0, err
    listed = json.loads(out)
    row = listed[0] if isinstance(listed, list) else listed["jobs"][0]
    assert (row["last_frame"], row["has_audio"], row["tokens"]) == (
        str(png),
        False,
        job["tokens"],
    )


def test_sound_is_kept_through_a_local_frame_rate_conform(sandbox, env_for, capsys):
    env_for(sandbox)
    args = ("waves on rocks", "--model", "seedance-2.0", "--resolution", "480p")
    code, out, err = run(
        capsys, "generate", *args, "--duration", "4", "--audio", "--fps", "30", "--json"
    )
    assert code == 0, err
    job = json.loads(out)
    assert job["has_audio"] is True
    frames, fps, has_audio = _streams(Path(job["path"]))
    assert (frames, fps, has_audio) == (120, 30.0, True)  # 4 s at 30 fps, conformed here
    with av.open(job["path"]) as container:
        sound = container.streams.audio[0]
        assert sound.codec_context.name == "aac"
        assert sum(1 for _ in container.decode(sound)) > 0
    assert Path(job["last_frame"]).is_file()
    assert len(sandbox.requests_for(ACTION_CREATE)) == 1
