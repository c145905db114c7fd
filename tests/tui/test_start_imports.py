"""What starting loads: PyAV and Pillow (and textual-image, which brings Pillow) wait until a
video or image is touched; httpx's command-line client and trio (httpcore's optional backend)
are never loaded. Each was imported
while the first screen was being drawn and cost start-up time a user waits through."""

from __future__ import annotations

import json
import os
import subprocess
import sys

MEDIA = ("av", "PIL", "textual_image", "click", "httpx._main", "trio")

# The app in a fresh process, headless, with its real engine (live, keys set, no network
# needed to open it): once the whole screen is up and the engine is in, it reports what was
# imported and quits.
APP_PROBE = """
import json, sys
from jimeng_tui.tui.app import JimengApp

class Reporting(JimengApp):
    def on_ready(self):
        super().on_ready()
        self.set_interval(0.02, self.check)

    def check(self):
        if self.engine is not None and self.main.panels_ready:
            loaded = sorted(m for m in {media!r} if sys.modules.get(m) is not None)
            self.exit(json.dumps(loaded))

print(Reporting(bell_on_finish=False).run(headless=True, size=(140, 45)))
"""

CLI_PROBE = """
import json, sys
from jimeng_tui.cli.entry import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {media!r} if sys.modules.get(m) is not None)))
"""


def _loaded(code: str, args: list[str], home) -> list[str]:
    env = dict(os.environ)
    env.update(
        JIMENG_TUI_HOME=str(home),
        VOLC_ACCESSKEY="AKLTtestkey",
        VOLC_SECRETKEY="testsecret",
        JIMENG_VIDEO_API_URL="http://127.0.0.1:9",
    )
    proc = subprocess.run(
        [sys.executable, "-c", code.format(media=MEDIA), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_whole_first_screen_and_the_engine_load_no_media_modules(tmp_path):
    assert _loaded(APP_PROBE, [], tmp_path) == []


def test_generate_help_loads_no_media_modules(tmp_path):
    assert _loaded(CLI_PROBE, ["generate", "--help"], tmp_path) == []
