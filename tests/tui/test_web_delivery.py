"""In the browser (``jimeng-tui serve``), ``o`` delivers the saved video to the browser; in a
terminal it opens the system's player as before (issue 18)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jimeng_tui.tui.system import NoOpener
from jimeng_tui.tui.web_delivery import web_aware_opener


class FakeApp:
    def __init__(self, is_web: bool) -> None:
        self.is_web = is_web
        self.delivered: list[tuple[Path, dict]] = []

    def deliver_binary(self, path, **kwargs):
        self.delivered.append((path, kwargs))
        return "key"


def test_in_the_browser_the_video_goes_to_the_browser(tmp_path):
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00" * 100)
    opened: list[Path] = []
    app = FakeApp(is_web=True)
    web_aware_opener(app, fallback=opened.append)(video)
    assert app.delivered == [(video, {"open_method": "download", "mime_type": "video/mp4"})]
    assert opened == []
    with pytest.raises(NoOpener, match="folders stay on the server"):
        web_aware_opener(app, fallback=opened.append)(tmp_path)


def test_in_a_terminal_the_system_opener_is_used(tmp_path):
    opened: list[Path] = []
    app = FakeApp(is_web=False)
    web_aware_opener(app, fallback=opened.append)(tmp_path / "clip.mp4")
    assert opened == [tmp_path / "clip.mp4"] and app.delivered == []
