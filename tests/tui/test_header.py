"""The one-line header at every width: live/sandbox stays readable, nothing runs together."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from jimeng_tui.tui.widgets.header import StatusHeader

THROTTLE = "2/3 running (max 5) · rate-limited 30 s"


class HeaderApp(App[None]):
    def compose(self) -> ComposeResult:
        yield StatusHeader()


async def header_line(width: int, throttle: str = THROTTLE) -> str:
    app = HeaderApp()
    async with app.run_test(size=(width, 3)) as pilot:
        header = app.query_one(StatusHeader)
        header.set_engine(sandbox=False, access_key="AK…KEY1")
        header.throttle = throttle
        await pilot.pause()
        return header.render().plain


@pytest.mark.parametrize("width", [140, 80, 70, 60, 50, 40, 20, 3, 1])
async def test_header_fits_and_keeps_the_badge(width):
    line = await header_line(width)
    assert len(line) <= max(0, width - 1)  # the last column stays blank
    if width >= 40:
        assert line.startswith(" jimeng-tui ·  live ")  # the badge gives way last
        assert "2/3 running" in line
    if width >= 80:
        assert "AK…KEY1 " in line and line.endswith(THROTTLE)


async def test_key_and_throttle_never_run_together():
    for width in range(30, 90, 3):
        line = await header_line(width)
        start = line.index("2/3")
        assert line[start - 1] == " ", line
        assert "AK…" not in line or "AK…KEY1 " in line, line  # the key whole or not at all
