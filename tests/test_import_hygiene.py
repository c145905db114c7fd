"""The service layer never pulls in Textual (api/ is shared by the headless CLI)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = (
    "import json, sys\n"
    "import {modules}\n"
    "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0].startswith('textual'))))\n"
)


@pytest.mark.parametrize(
    "modules",
    [
        "jimeng_tui.services.jimeng.client",
        "jimeng_tui.services.jimeng.images",
        "jimeng_tui.services.jimeng.client, jimeng_tui.services.jimeng.images, "
        "jimeng_tui.services.jimeng.request, "
        "jimeng_tui.services.jimeng.signing, jimeng_tui.services.jimeng.errors, "
        "jimeng_tui.services.jimeng.catalog",
    ],
)
def test_api_does_not_import_textual(modules):
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(modules=modules)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == [], f"importing {modules} loaded {loaded}"


def test_api_client_does_not_import_pillow_eagerly():
    """Pillow is loaded when an image is preflighted, not when the client is imported."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, jimeng_tui.services.jimeng.client, jimeng_tui.services.jimeng.images; "
            "print('PIL' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
