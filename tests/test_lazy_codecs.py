"""Registering the built-in services reads their capability tables only: a service's request
codec (its request checks and image reading) loads when the first request is built. The
studio's first screen and every command that only reads the tables skip those modules."""

from __future__ import annotations

import json
import subprocess
import sys

CODECS = (
    "jimeng_tui.services.jimeng.codec",
    "jimeng_tui.services.jimeng.request",
    "jimeng_tui.services.ark.codec",
    "jimeng_tui.services.ark.request",
    "jimeng_tui.services.images",
)
PROBE = """
import json, sys
from pathlib import Path
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.jobs.request_builder import build_request
from jimeng_tui.session.services import register_builtin

def loaded():
    return sorted(m for m in {codecs!r} if m in sys.modules)

register_builtin()
after_registering = loaded()
built = build_request(VideoInput(prompt="a cat", model="t2v_720p"), base_dir=Path.cwd())
print(json.dumps([after_registering, loaded(), built.summary.model]))
"""


def test_a_services_codec_loads_with_the_first_request_not_when_it_is_registered():
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(codecs=CODECS)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    after_registering, after_building, model = json.loads(proc.stdout.strip().splitlines()[-1])
    assert after_registering == []
    assert "jimeng_tui.services.jimeng.codec" in after_building
    assert model == "t2v_720p"
