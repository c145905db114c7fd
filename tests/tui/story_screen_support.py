"""The Storyboard screen's test helpers: a board file, a host app, the engine on the sandbox."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PIL import Image
from textual.app import App
from textual.widgets import DataTable, Static

from jimeng_tui.session import open_engine
from jimeng_tui.session.services import register_builtin
from jimeng_tui.tui.screens.storyboard import StoryboardScreen


def write_board(folder: Path, shots: list[dict]) -> Path:
    image = folder / "harbour.jpg"
    Image.new("RGB", (1280, 720), (40, 120, 200)).save(image)
    lines = ['title = "Harbour at dawn"', "[defaults]", 'model = "t2v_720p"']
    for shot in shots:
        lines += ["[[shot]]", *(f"{k} = {json.dumps(v)}" for k, v in shot.items())]
    path = folder / "film.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


SHOTS = [
    {"prompt": "Boats leave the harbour", "from": "harbour.jpg"},
    {"prompt": "The last boat reaches open sea", "from": "previous"},
    {"prompt": "A bell rings in the town", "length": 4},
]


class HostApp(App[None]):
    def __init__(self, engine, path: Path | None) -> None:
        super().__init__()
        self.engine = engine
        self.path = path

    def on_mount(self) -> None:
        self.push_screen(StoryboardScreen(self.engine, self.path))


@pytest.fixture
async def engine(sandbox):
    register_builtin()
    eng = open_engine(sandbox=sandbox, env={**os.environ, "JIMENG_VIDEO_POLL_INTERVAL": "0.1"})
    yield eng
    await eng.aclose()


def statuses(app) -> list[str]:
    table = app.screen.query_one("#story-shots", DataTable)
    return [str(table.get_cell(row, "status")) for row in table.rows]


def summary(app) -> str:
    return str(app.screen.query_one("#story-summary", Static).render())
