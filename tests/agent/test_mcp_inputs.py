"""generate's parameters as the CLI names them: images, the model's options, ``mode`` for
Jimeng 3.0's model; job_status by an unknown id; and the server never loads Textual."""

from __future__ import annotations

import json
import sys

import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp_support import call, errlog_path, mcp_session, ok, sandbox_tasks, server_env, text_of
from PIL import Image

pytestmark = pytest.mark.slow

# Runs jimeng-tui in this interpreter and says, at exit, which Textual modules it ever loaded.
PROBE = """
import atexit, json, sys
def report():
    loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'textual')
    sys.stderr.write('\\nTEXTUAL-MODULES ' + json.dumps(loaded) + '\\n')
atexit.register(report)
from jimeng_tui.cli.entry import main
sys.exit(main(sys.argv[1:]))
"""


def frame(path, size=(1280, 720)) -> str:
    Image.new("RGB", size, (30, 120, 200)).save(path, "JPEG")
    return str(path)


async def test_an_image_and_a_camera_move_through_options(tmp_path):
    image = frame(tmp_path / "valley.jpg")
    move = {"camera_template": "dynamic_orbit", "camera_strength": "strong"}
    async with mcp_session() as session:
        missing = await call(
            session, "generate", prompt="A valley", mode="i2v_recamera_720p", image=image
        )
        wrong = await call(
            session,
            "generate",
            prompt="A valley",
            mode="i2v_recamera_720p",
            image=image,
            options={"camera_template": "barrel_roll"},
        )
        both = await call(session, "generate", prompt="x", model="t2v_720p", mode="t2v_1080p")
        done = ok(
            await call(
                session,
                "generate",
                prompt="A valley",
                mode="i2v_recamera_720p",
                image=image,
                options=move,
                wait_seconds=50,
            )
        )
        unknown = await call(session, "job_status", task_id="123")
    assert missing.is_error and missing.structured_content["error"]["field"] == "camera_template"
    assert "dynamic_orbit" in missing.structured_content["error"]["allowed"]
    assert wrong.is_error and "'barrel_roll' is not offered" in text_of(wrong)
    assert both.is_error and both.structured_content["error"]["field"] == "mode"
    job = done["job"]
    assert job["status"] == "saved" and job["model"] == "i2v_recamera_720p"
    assert job["parameters"]["first_image"] == image
    assert (job["parameters"]["camera_template"], job["parameters"]["camera_strength"]) == (
        "dynamic_orbit",
        "strong",
    )
    assert unknown.is_error and unknown.structured_content["error"]["field"] == "task_id"
    assert len(sandbox_tasks()) == 1


async def test_the_server_never_loads_textual():
    params = StdioServerParameters(
        command=sys.executable, args=["-c", PROBE, "mcp", "--sandbox"], env=server_env()
    )
    with open(errlog_path(), "a", encoding="utf-8") as log:
        async with (
            stdio_client(params, errlog=log) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            ok(await call(session, "generate", prompt="No Textual here", wait_seconds=50))
    marker = [ln for ln in errlog_path().read_text("utf-8").splitlines() if "TEXTUAL-MODULES" in ln]
    assert marker and json.loads(marker[-1].split(" ", 1)[1]) == []
