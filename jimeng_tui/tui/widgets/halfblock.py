"""A picture in coloured half blocks: two pixels per cell, no terminal support needed."""

from __future__ import annotations

from typing import Any

from rich.text import Text


def halfblock_text(image: Any, width: int = 24) -> Text:
    """A PIL image as coloured half blocks (two pixels per cell), no terminal support needed."""
    img = image.convert("RGB")
    w, h = img.size
    height = max(2, round(width * h / w / 2) * 2)
    img = img.resize((width, height))
    px = img.load()
    text = Text()
    for y in range(0, height, 2):
        for x in range(width):
            r1, g1, b1 = px[x, y]
            r2, g2, b2 = px[x, y + 1]
            top = f"#{r1:02x}{g1:02x}{b1:02x}"
            bottom = f"#{r2:02x}{g2:02x}{b2:02x}"
            text.append("▀", style=f"{top} on {bottom}")
        if y + 2 < height:
            text.append("\n")
    return text
