"""An image too long for the service is described as it is: wide, or tall."""

from __future__ import annotations

import pytest
from cli_support import make_image


@pytest.mark.parametrize(
    ("size", "said"),
    [
        ((1500, 400), "1500×400, 3.75 times as wide as it is tall"),
        ((400, 1500), "400×1500, 3.75 times as tall as it is wide"),
    ],
)
def test_a_too_long_image_says_wide_or_tall(cli, sandbox_server, tmp_path, size, said):
    image = make_image(tmp_path / "long.png", size, "PNG")
    result = cli("generate", "A long view", "--mode", "i2v_first_720p", "--image", str(image))
    assert result.returncode == 2, result
    assert said in result.stderr
    assert "as long as" not in result.stderr
    assert sandbox_server.submitted_bodies() == []
