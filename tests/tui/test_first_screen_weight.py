"""The first screen stays light (issue 20): each widget on it is styled and laid out before the
user sees the whole screen, and each widget class brings its stylesheet to be parsed. The form
was 76 widgets (Textual's compact Select is six each) and parsed Button's 7,000-character
stylesheet for its four buttons; it is now 46 with one-widget drop-downs and buttons that
bring only their own rules. What the screen shows is checked by the snapshots. Before the first
frame, nothing reads the config file or the spend ledger: their modules wait until then."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tui_support import wait_for

FORM_WIDGETS_AT_MOST = 50
NOT_ON_THE_FIRST_SCREEN = ("Button.DEFAULT_CSS", "Label.DEFAULT_CSS")


async def test_the_whole_first_screen_is_built_of_few_widgets_and_light_stylesheets(
    sandbox_app,
):
    app = sandbox_app()
    async with app.run_test(size=(140, 45)) as pilot:
        main = app.main
        await wait_for(
            pilot, lambda: main.form.fields_ready and main.panels_ready, what="whole screen"
        )
        form_widgets = list(main.form.walk_children())
        assert len(form_widgets) <= FORM_WIDGETS_AT_MOST, len(form_widgets)
        parsed = {name for _, name in app.stylesheet.source}
        assert not parsed & set(NOT_ON_THE_FIRST_SCREEN), sorted(parsed)


# Modules the first frame has no use for (the header's day spend imported the config store and
# the spend ledger for two type annotations: ~25 ms before the prompt showed).
NOT_BEFORE_THE_FIRST_FRAME = ("jimeng_tui.store.config", "jimeng_tui.store.spend", "tomllib")
FIRST_FRAME_PROBE = """
import json, sys
from jimeng_tui.tui.app import JimengApp

class Reporting(JimengApp):
    def on_ready(self):
        loaded = sorted(m for m in {names!r} if sys.modules.get(m) is not None)
        self.exit(json.dumps(loaded))

print(Reporting(start_engine=False).run(headless=True, size=(140, 45)))
"""


def run_probe(code: str, home, **env: str):
    """``code`` run in a fresh process with its own home; what it printed last, from JSON."""
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "JIMENG_TUI_HOME": str(home), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_the_first_frame_loads_no_config_store_or_spend_ledger(tmp_path):
    code = FIRST_FRAME_PROBE.format(names=NOT_BEFORE_THE_FIRST_FRAME)
    keys = {"VOLC_ACCESSKEY": "AKLTtestkey", "VOLC_SECRETKEY": "testsecret"}
    assert run_probe(code, tmp_path, **keys) == []


# The services' tables, request codecs (request checks, image reading), the registry, the
# session and the engine's event types wait until after the first frame too: issue 14's step
# had them load before it (54 of jimeng-tui's modules against 26), and the first frame took
# 1.2× as long as before the step. The form's rows, a frame later, read the tables.
SERVICE_MODULES = (
    "jimeng_tui.services.registry",
    "jimeng_tui.services.base",
    "jimeng_tui.services.jimeng.capabilities",
    "jimeng_tui.services.jimeng.codec",
    "jimeng_tui.services.ark.models",
    "jimeng_tui.services.ark.codec",
    "jimeng_tui.session",
    "jimeng_tui.domain.prices",
    "jimeng_tui.domain.events",
    "jimeng_tui.tui.engine_bridge",
    "jimeng_tui.domain.meta",  # a job's bookkeeping: no job is made before the first frame
)


def test_the_first_frame_loads_no_service_tables_codecs_or_session(tmp_path):
    assert run_probe(FIRST_FRAME_PROBE.format(names=SERVICE_MODULES), tmp_path) == []


# The form's rows, in a fresh process (nothing registered the services before): the Model
# selector offers every service once they are in.
ROWS_PROBE = FIRST_FRAME_PROBE.replace(
    "self.exit(json.dumps(loaded))",
    "self.set_interval(0.01, lambda: self.main.form.fields_ready and self.exit(json.dumps("
    "sorted({{e.service for e in self.main.form.entries}}))))",
)


def test_a_fresh_studio_registers_the_services_for_the_forms_rows(tmp_path):
    assert run_probe(ROWS_PROBE.format(names=()), tmp_path) == ["ark", "jimeng3"]
