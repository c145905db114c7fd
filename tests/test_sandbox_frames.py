"""The sandbox starts a clip on its input first frame and ends it on its input last frame, so a
client's chaining of shots can be checked on the pixels (issue 19)."""

from __future__ import annotations

import io

import av
from PIL import Image, ImageChops, ImageStat

from jimeng_tui.sandbox.video import ClipCache, ClipSpec


def difference(a: Image.Image, b: Image.Image) -> float:
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB").resize(a.size))
    return sum(ImageStat.Stat(diff).mean) / 3


def png(colour) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (640, 360), colour).save(buf, format="PNG")
    return buf.getvalue()


def decoded(data: bytes) -> list[Image.Image]:
    with av.open(io.BytesIO(data)) as container:
        return [f.to_image() for f in container.decode(container.streams.video[0])]


def test_a_clip_starts_on_its_first_frame_and_ends_on_its_last(tmp_path):
    cache = ClipCache(tmp_path)
    red, blue = png((220, 30, 30)), png((30, 30, 220))
    plain = ClipSpec(49, 320, 180, "harbour", 7)
    framed = ClipSpec(
        49,
        320,
        180,
        "harbour",
        7,
        first_frame=cache.store_frame(red),
        last_frame=cache.store_frame(blue),
    )
    assert plain.key != framed.key  # a different clip, cached apart
    frames = decoded(cache.get(framed))
    assert difference(frames[0], Image.open(io.BytesIO(red))) < 4
    assert difference(frames[-1], Image.open(io.BytesIO(blue))) < 4
    assert difference(frames[24], Image.open(io.BytesIO(red))) > 20  # the motion in between
    # Ark's last_frame_url serves that same last frame
    last = Image.open(io.BytesIO(cache.last_frame_png(framed)))
    assert difference(last, Image.open(io.BytesIO(blue))) < 1
    # a clip without input frames is the one it always was
    assert difference(decoded(cache.get(plain))[0], frames[0]) > 20
