"""Snapshot of the Service tasks screen: one task the history knows, one it does not (the
list is fixed in the test: the screen's own load asks the service). Regenerate with
``--snapshot-update`` and look at the SVG (``rsvg-convert``) before committing."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_snapshots import make_app, ready
from tui_support import FROZEN_NOW, SEEDANCE_2, seedance_job

from jimeng_tui.jobs.adopt import AccountTask
from jimeng_tui.services.base import RemoteStatus, TaskView
from jimeng_tui.tui.screens.service_tasks import ServiceTasksScreen

SHOTS = Path("/tmp/jimeng-tui-snapshots")


class FixedTasksScreen(ServiceTasksScreen):
    def _load(self) -> None:  # type: ignore[override]
        SHOTS.mkdir(parents=True, exist_ok=True)
        known = seedance_job(7, SHOTS)
        self.tasks = [
            AccountTask(
                "ark",
                TaskView(
                    "cgt-20251124155500-lost1",
                    RemoteStatus.SUCCEEDED,
                    created_at=FROZEN_NOW - 300,
                    extra={"model": SEEDANCE_2, "status": "succeeded"},
                ),
                None,
            ),
            AccountTask(
                "ark",
                TaskView(
                    known.task_id or "cgt-20251124150000-known",
                    RemoteStatus.SUCCEEDED,
                    created_at=FROZEN_NOW - 3600,
                    extra={"model": SEEDANCE_2, "status": "succeeded"},
                ),
                known,
            ),
        ]
        self._fill()


@pytest.mark.parametrize("size", [pytest.param((120, 30), id="120x30")])
def test_service_tasks_screen(snap_compare, size):
    app = make_app()

    async def run_before(pilot):
        await ready(pilot)
        app.push_screen(FixedTasksScreen(None))
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
