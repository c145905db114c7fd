"""Image preflight on real files: what passes, what is converted (and said so), what is refused."""

from __future__ import annotations

import hashlib
import io
import os
import random

import httpx
import pytest
from PIL import Image

from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.services.jimeng import catalog
from jimeng_tui.services.jimeng.errors import ImageError
from jimeng_tui.services.jimeng.images import PreparedImage, prepare_image, prepare_images
from jimeng_tui.services.jimeng.request import GenerationRequest


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def solid(path, size, fmt="JPEG", color=(200, 120, 40), **save):
    img = Image.new("RGB", size, color)
    img.save(path, format=fmt, **save)
    return path


def noise(path, size, fmt="JPEG", **save):
    w, h = size
    img = Image.frombytes("RGB", size, random.Random(7).randbytes(w * h * 3))
    img.save(path, format=fmt, **save)
    return path


def opened(prepared: PreparedImage) -> Image.Image:
    assert prepared.data is not None
    img = Image.open(io.BytesIO(prepared.data))
    img.load()
    return img


@pytest.fixture
def watched(tmp_path):
    """Record every input file's hash; afterwards check none was modified."""
    before: dict = {}
    yield before
    for path, value in before.items():
        assert path.exists(), f"{path} disappeared"
        assert digest(path) == value, f"{path} was modified"
    leftovers = {p.name for p in tmp_path.iterdir()} - {p.name for p in before}
    assert not leftovers, f"preflight wrote files: {leftovers}"


def watch(watched, path):
    watched[path] = digest(path)
    return path


# ---- passes unchanged ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_jpeg_and_png_within_limits_pass_byte_for_byte(tmp_path, watched, fmt):
    path = watch(watched, solid(tmp_path / f"ok.{fmt.lower()}", (1280, 720), fmt))
    prepared = prepare_image(str(path))
    assert prepared.data == path.read_bytes()
    assert prepared.sha256 == digest(path)
    assert (prepared.width, prepared.height) == (1280, 720)
    assert prepared.url is None
    assert prepared.notices == ()
    assert prepared.format == fmt
    assert prepared.source == str(path)


def test_home_relative_path(tmp_path, watched, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    path = watch(watched, solid(tmp_path / "home.jpg", (640, 480)))
    assert prepare_image("~/home.jpg").data == path.read_bytes()


def test_repr_keeps_image_bytes_out(tmp_path, watched):
    path = watch(watched, noise(tmp_path / "n.jpg", (800, 600), quality=90))
    prepared = prepare_image(str(path))
    assert f"data={len(prepared.data)} bytes" in repr(prepared)
    assert len(repr(prepared)) < 400


# ---- converted, with a notice --------------------------------------------------------------


def test_huge_png_downscaled_to_4096(tmp_path, watched):
    path = watch(watched, solid(tmp_path / "big.png", (6000, 4000), "PNG"))
    prepared = prepare_image(str(path))
    assert (prepared.width, prepared.height) == (4096, 2731)
    img = opened(prepared)
    assert img.format == "PNG"
    assert img.size == (4096, 2731)
    assert any("6000×4000 → 4096×2731" in n for n in prepared.notices), prepared.notices
    assert prepared.sha256 == hashlib.sha256(prepared.data).hexdigest()


def test_8mb_noise_jpeg_reencoded_under_limit(tmp_path, watched):
    path = watch(watched, noise(tmp_path / "heavy.jpg", (2400, 1800), quality=100))
    size = path.stat().st_size
    assert size > 7_500_000
    prepared = prepare_image(str(path))
    assert len(prepared.data) <= catalog.IMAGE_MAX_BYTES
    img = opened(prepared)
    assert img.format == "JPEG"
    assert min(img.size) >= catalog.IMAGE_MIN_SIDE
    assert (prepared.width, prepared.height) == img.size
    text = " ".join(prepared.notices)
    assert f"{size / 1e6:.1f} MB" in text
    assert "4.7 MB" in text


def test_huge_noise_png_fits_both_limits(tmp_path, watched):
    path = watch(watched, noise(tmp_path / "noise.png", (4200, 1400), "PNG", compress_level=0))
    prepared = prepare_image(str(path))
    assert len(prepared.data) <= catalog.IMAGE_MAX_BYTES
    assert max(prepared.width, prepared.height) <= catalog.IMAGE_MAX_SIDE
    assert opened(prepared).size == (prepared.width, prepared.height)
    assert any("4200×1400 →" in n for n in prepared.notices)


def test_webp_converted_to_jpeg(tmp_path, watched):
    path = watch(watched, solid(tmp_path / "pic.webp", (1024, 768), "WEBP"))
    prepared = prepare_image(str(path))
    img = opened(prepared)
    assert img.format == "JPEG"
    assert img.size == (1024, 768)
    assert "converted WebP to JPEG" in prepared.notices


def test_transparent_webp_converted_to_png(tmp_path, watched):
    path = tmp_path / "alpha.webp"
    Image.new("RGBA", (800, 800), (10, 20, 30, 128)).save(path, format="WEBP", lossless=True)
    watch(watched, path)
    prepared = prepare_image(str(path))
    assert opened(prepared).format == "PNG"
    assert "converted WebP to PNG" in prepared.notices


@pytest.mark.parametrize("fmt", ["BMP", "TIFF", "GIF"])
def test_other_formats_converted(tmp_path, watched, fmt):
    path = watch(watched, solid(tmp_path / f"pic.{fmt.lower()}", (640, 480), fmt))
    prepared = prepare_image(str(path))
    assert opened(prepared).format in catalog.IMAGE_FORMATS
    assert any(n.startswith(f"converted {fmt} to ") for n in prepared.notices)


def test_exif_orientation_applied(tmp_path, watched):
    path = tmp_path / "rotated.jpg"
    img = Image.new("RGB", (1200, 800), (0, 0, 255))
    img.paste((255, 0, 0), (0, 0, 100, 100))  # a red mark top-left as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    img.save(path, format="JPEG", exif=exif, quality=95)
    watch(watched, path)
    prepared = prepare_image(str(path))
    assert (prepared.width, prepared.height) == (800, 1200)
    out = opened(prepared)
    assert out.size == (800, 1200)
    assert out.getexif().get(0x0112, 1) == 1
    # the stored top-left corner is now top-right
    r, _g, b = out.getpixel((800 - 20, 20))
    assert r > 200 and b < 60
    assert any("orientation" in n and "1200×800 → 800×1200" in n for n in prepared.notices)


def test_trivial_exif_orientation_passes_unchanged(tmp_path, watched):
    path = tmp_path / "upright.jpg"
    exif = Image.Exif()
    exif[0x0112] = 1
    Image.new("RGB", (1000, 700)).save(path, format="JPEG", exif=exif)
    watch(watched, path)
    assert prepare_image(str(path)).data == path.read_bytes()


# ---- refused, with the numbers ------------------------------------------------------------


def test_too_small(tmp_path, watched):
    path = watch(watched, solid(tmp_path / "tiny.png", (200, 200), "PNG"))
    with pytest.raises(ImageError) as info:
        prepare_image(str(path), field="last_image")
    err = info.value
    assert isinstance(err, ValidationError)
    assert err.field == "last_image"
    assert "200×200" in str(err) and "320" in str(err)


def test_too_long(tmp_path, watched):
    path = watch(watched, solid(tmp_path / "strip.jpg", (4000, 1000)))
    with pytest.raises(ImageError) as info:
        prepare_image(str(path))
    assert info.value.field == "first_image"
    assert "4000×1000" in str(info.value)
    assert "4.00" in str(info.value) and "3:1" in str(info.value)


def test_text_file_named_jpg(tmp_path, watched):
    path = tmp_path / "notes.jpg"
    path.write_text("this is not a picture\n")
    watch(watched, path)
    with pytest.raises(ImageError, match="not an image"):
        prepare_image(str(path))


def test_empty_file(tmp_path, watched):
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    watch(watched, path)
    with pytest.raises(ImageError, match="empty"):
        prepare_image(str(path))


def test_truncated_jpeg(tmp_path, watched):
    full = noise(tmp_path / "full.jpg", (800, 600))
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 3])
    watch(watched, full)
    watch(watched, cut)
    with pytest.raises(ImageError, match="damaged or truncated"):
        prepare_image(str(cut))


def test_missing_file(tmp_path):
    with pytest.raises(ImageError) as info:
        prepare_image(str(tmp_path / "nope.jpg"))
    assert "no file at" in str(info.value) and "nope.jpg" in str(info.value)


def test_directory(tmp_path):
    folder = tmp_path / "folder.jpg"
    folder.mkdir()
    with pytest.raises(ImageError, match="is a folder"):
        prepare_image(str(folder))


@pytest.mark.parametrize("source", ["", "   "])
def test_blank_source(source):
    with pytest.raises(ImageError, match="no image given"):
        prepare_image(source)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads everything")
def test_unreadable_file(tmp_path):
    path = solid(tmp_path / "locked.jpg", (640, 480))
    path.chmod(0)
    try:
        with pytest.raises(ImageError, match="cannot read"):
            prepare_image(str(path))
    finally:
        path.chmod(0o600)


# ---- URLs ----------------------------------------------------------------------------------


def test_url_is_sent_as_url_without_fetching():
    url = "https://example.com/a.jpg?x=1"
    prepared = prepare_image(url)
    assert prepared.url == url
    assert prepared.data is None
    assert prepared.sha256 == hashlib.sha256(url.encode()).hexdigest()
    assert prepared.width is None


@pytest.mark.parametrize("url", ["ftp://example.com/a.jpg", "file:///etc/passwd", "s3://b/k.png"])
def test_other_url_schemes_refused(url):
    with pytest.raises(ImageError, match=r"only http\(s\) URLs or local files are accepted"):
        prepare_image(url)


async def test_two_urls_stay_urls_and_are_not_fetched():
    def handler(request):
        raise AssertionError("must not fetch")

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        req = GenerationRequest(
            prompt="p",
            mode="i2v_first_tail_720p",
            first_image="https://e.com/1.jpg",
            last_image="http://e.com/2.png",
        )
        prepared = await prepare_images(req, http=http)
    assert [p.url for p in prepared] == ["https://e.com/1.jpg", "http://e.com/2.png"]
    assert all(p.data is None for p in prepared)


def _serve(files: dict[str, bytes]):
    calls = []

    def handler(request: httpx.Request):
        calls.append(str(request.url))
        body = files.get(request.url.path)
        if body is None:
            return httpx.Response(404, text="not found")
        return httpx.Response(200, content=body, headers={"content-type": "image/webp"})

    return httpx.MockTransport(handler), calls


async def test_url_mixed_with_file_is_fetched_and_preflighted(tmp_path, watched):
    first = watch(watched, solid(tmp_path / "first.jpg", (1280, 720)))
    buf = io.BytesIO()
    Image.new("RGB", (1920, 1080), (1, 2, 3)).save(buf, format="WEBP")
    transport, calls = _serve({"/last.webp": buf.getvalue()})
    async with httpx.AsyncClient(transport=transport) as http:
        req = GenerationRequest(
            prompt="p",
            mode="i2v_first_tail_720p",
            first_image=str(first),
            last_image="https://img.example.com/last.webp",
        )
        prepared = await prepare_images(req, http=http)
    assert calls == ["https://img.example.com/last.webp"]
    assert prepared[0].data == first.read_bytes()
    assert prepared[1].url is None
    assert prepared[1].source == "https://img.example.com/last.webp"
    assert opened(prepared[1]).format == "JPEG"
    assert (prepared[1].width, prepared[1].height) == (1920, 1080)
    assert any("downloaded" in n for n in prepared[1].notices)
    assert "converted WebP to JPEG" in prepared[1].notices


async def test_mixed_url_that_fails_to_download(tmp_path, watched):
    first = watch(watched, solid(tmp_path / "first.jpg", (1280, 720)))
    transport, _ = _serve({})
    async with httpx.AsyncClient(transport=transport) as http:
        req = GenerationRequest(
            prompt="p",
            mode="i2v_first_tail_720p",
            first_image="https://img.example.com/gone.jpg",
            last_image=str(first),
        )
        with pytest.raises(ImageError) as info:
            await prepare_images(req, http=http)
    assert info.value.field == "first_image"
    assert "HTTP 404" in str(info.value)


async def test_sandbox_sample_url_mixed_with_file(tmp_path, watched, sandbox):
    last = watch(watched, solid(tmp_path / "last.jpg", (1280, 720)))
    url = sandbox.sample_image_url("landscape.jpg")
    async with httpx.AsyncClient() as http:
        served = (await http.get(url)).content
        req = GenerationRequest(
            prompt="p", mode="i2v_first_tail_720p", first_image=url, last_image=str(last)
        )
        prepared = await prepare_images(req, http=http)
    assert prepared[0].url is None
    assert prepared[0].data == served  # a JPEG within limits goes as it came
    assert (prepared[0].width, prepared[0].height) == (1280, 720)
    assert prepared[1].data == last.read_bytes()


async def test_sandbox_portrait_url_mixed_with_landscape_file_is_refused(
    tmp_path, watched, sandbox
):
    first = watch(watched, solid(tmp_path / "first.jpg", (1280, 720)))
    req = GenerationRequest(
        prompt="p",
        mode="i2v_first_tail_720p",
        first_image=str(first),
        last_image=sandbox.sample_image_url("portrait.png"),
    )
    with pytest.raises(ImageError) as info:
        await prepare_images(req)  # no client given: prepare_images makes its own
    assert "720×1280" in str(info.value) and "1280×720" in str(info.value)


# ---- first and last frame ------------------------------------------------------------------


async def test_first_and_last_with_same_ratio(tmp_path, watched):
    first = watch(watched, solid(tmp_path / "a.jpg", (1280, 720)))
    last = watch(watched, solid(tmp_path / "b.png", (1920, 1080), "PNG"))
    req = GenerationRequest(
        prompt="p", mode="i2v_first_tail_1080p", first_image=str(first), last_image=str(last)
    )
    prepared = await prepare_images(req)
    assert [p.source for p in prepared] == [str(first), str(last)]
    assert prepared[0].data == first.read_bytes()
    assert prepared[1].data == last.read_bytes()


async def test_ratio_within_one_percent_tolerated(tmp_path, watched):
    first = watch(watched, solid(tmp_path / "a.jpg", (1920, 1080)))
    last = watch(watched, solid(tmp_path / "b.jpg", (1920, 1088)))  # 0.7 % off
    req = GenerationRequest(
        prompt="p", mode="i2v_first_tail_720p", first_image=str(first), last_image=str(last)
    )
    assert len(await prepare_images(req)) == 2


async def test_mismatched_ratios_name_both_sizes(tmp_path, watched):
    first = watch(watched, solid(tmp_path / "a.jpg", (1280, 720)))
    last = watch(watched, solid(tmp_path / "b.jpg", (1000, 1000)))
    req = GenerationRequest(
        prompt="p", mode="i2v_first_tail_720p", first_image=str(first), last_image=str(last)
    )
    with pytest.raises(ImageError) as info:
        await prepare_images(req)
    assert info.value.field == "last_image"
    assert "1280×720" in str(info.value) and "1000×1000" in str(info.value)
    assert "same aspect ratio" in str(info.value)


async def test_ratio_checked_after_exif_orientation(tmp_path, watched):
    first = watch(watched, solid(tmp_path / "a.jpg", (800, 1200)))
    last = tmp_path / "b.jpg"
    exif = Image.Exif()
    exif[0x0112] = 8
    Image.new("RGB", (1200, 800)).save(last, format="JPEG", exif=exif)
    watch(watched, last)
    req = GenerationRequest(
        prompt="p", mode="i2v_first_tail_720p", first_image=str(first), last_image=str(last)
    )
    prepared = await prepare_images(req)
    assert (prepared[1].width, prepared[1].height) == (800, 1200)


async def test_no_images_for_text_mode():
    assert await prepare_images(GenerationRequest(prompt="p")) == []


async def test_errors_name_the_field(tmp_path, watched):
    first = watch(watched, solid(tmp_path / "a.jpg", (1280, 720)))
    req = GenerationRequest(
        prompt="p",
        mode="i2v_first_tail_720p",
        first_image=str(first),
        last_image=str(tmp_path / "missing.png"),
    )
    with pytest.raises(ImageError) as info:
        await prepare_images(req)
    assert info.value.field == "last_image"
    assert str(info.value).startswith("last_image: ")


# ---- what is not a regular file, or too large, is refused unread ---------------------------


@pytest.mark.timeout(20)
def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "frame.jpg"
    os.mkfifo(fifo)  # opening or reading it would wait for a writer for ever
    with pytest.raises(ImageError, match=r"is a named pipe \(FIFO\), not an image file"):
        prepare_image(str(fifo))


@pytest.mark.timeout(20)
def test_dev_zero_is_refused_without_reading_it():
    # read_bytes() on it grows until the memory is gone (23 GB seen)
    with pytest.raises(ImageError, match="'/dev/zero' is a character device, not an image file"):
        prepare_image("/dev/zero")


def test_a_file_over_64_mb_is_refused_unread(tmp_path):
    big = tmp_path / "big.jpg"
    with open(big, "wb") as f:
        f.truncate(65 * 1024 * 1024)  # sparse: no 65 MB written
    with pytest.raises(ImageError, match=r"is 68\.2 MB; an input image may be at most 64\.0 MB"):
        prepare_image(str(big))


def test_a_symlink_loop_is_reported_as_such(tmp_path):
    loop = tmp_path / "loop.jpg"
    loop.symlink_to(loop)
    with pytest.raises(ImageError, match="Too many levels of symbolic links"):
        prepare_image(str(loop))


def test_a_small_file_claiming_huge_dimensions_is_refused_before_decoding(tmp_path):
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 10_000, 9_000, 8, 2, 0, 0, 0)  # 90 million RGB pixels
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")
    path = tmp_path / "claims.png"
    path.write_bytes(png)
    with pytest.raises(ImageError, match=r"10000×9000 \(90 million pixels\); at most 89"):
        prepare_image(str(path))


@pytest.mark.parametrize(
    "value",
    ["ftp://example.com/a.jpg", "data:image/png;base64,iVBOR", "s3://bucket/a.png", "file:a.jpg"],
)
def test_other_schemes_are_refused_when_the_request_is_made(value):
    from jimeng_tui.services.jimeng.request import GenerationRequest, resolve_request

    with pytest.raises(ValidationError, match=r"only http\(s\) URLs or local files are accepted"):
        resolve_request(GenerationRequest(prompt="x", mode="i2v_first_720p", first_image=value))


def test_a_local_file_whose_name_looks_like_a_scheme_is_still_a_file(tmp_path, monkeypatch):
    from jimeng_tui.services.jimeng.request import GenerationRequest, resolve_request

    monkeypatch.chdir(tmp_path)
    solid(tmp_path / "take:2.jpg", (640, 480))
    asked = GenerationRequest(prompt="x", mode="i2v_first_720p", first_image="take:2.jpg")
    request = resolve_request(asked)
    assert prepare_image(request.first_image).width == 640
