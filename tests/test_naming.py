"""Video file names: safe on every OS, readable, never colliding."""

from __future__ import annotations

import time
import unicodedata

import pytest

from jimeng_tui.domain.errors import JimengError
from jimeng_tui.jobs.naming import render_filename, slugify, unique_path

WINDOWS_ILLEGAL = set('<>:"/\\|?*') | {chr(c) for c in range(32)}
RESERVED = {"con", "prn", "aux", "nul"} | {f"{d}{n}" for d in ("com", "lpt") for n in range(1, 10)}


def assert_portable(name: str) -> None:
    assert name
    assert not set(name) & WINDOWS_ILLEGAL
    assert name == name.strip(" .")
    assert name.split(".")[0].lower() not in RESERVED
    assert len(name.encode("utf-8")) <= 200


@pytest.mark.parametrize(
    ("prompt", "slug"),
    [
        ("A cat, dancing in the RAIN!", "a-cat-dancing-in-the-rain"),
        ("一只猫在雨中跳舞，电影感", "一只猫在雨中跳舞-电影感"),
        ("东京 at night 夜景", "东京-at-night-夜景"),
        ("Café déjà vu", "café-déjà-vu"),
        ("kiss 🐱 the 🎬 cat", "kiss-the-cat"),
        ('a<b>c:d"e/f\\g|h?i*j', "a-b-c-d-e-f-g-h-i-j"),
        ("tab\there\nnew\x00line\x1f", "tab-here-new-line"),
        ("ＦＵＬＬ ｗｉｄｔｈ", "full-width"),
    ],
)
def test_slugify_keeps_words_of_every_script(prompt, slug):
    assert slugify(prompt) == slug


@pytest.mark.parametrize("prompt", ["", "   ", "🐱🎬✨", "...", "???", "\x00\x01", "-_-"])
def test_slugify_is_never_empty(prompt):
    assert slugify(prompt) == "untitled"


@pytest.mark.parametrize("name", ["CON", "con", "Nul", "aux", "PRN", "COM1", "lpt9", "com¹"])
def test_slugify_avoids_windows_reserved_names(name):
    slug = slugify(name)
    assert slug.lower() not in RESERVED
    assert slug.startswith(unicodedata.normalize("NFKC", name).lower())
    assert_portable(slug)


def test_slugify_cuts_long_prompts_at_a_word_boundary():
    prompt = "a slow dolly shot through a neon lit alley in the rain at midnight with reflections"
    slug = slugify(prompt)
    assert len(slug) <= 48
    assert prompt.replace(" ", "-").startswith(slug)
    assert prompt.split()[len(slug.split("-")) - 1] == slug.split("-")[-1]  # a whole word
    assert not slug.endswith("-")
    assert len(slugify(prompt, max_len=20)) <= 20


def test_slugify_cuts_a_word_without_spaces():
    assert slugify("x" * 300) == "x" * 48


def test_slugify_caps_utf8_bytes():
    slug = slugify("猫" * 300, max_len=200)
    assert len(slug.encode("utf-8")) <= 120
    assert set(slug) == {"猫"}  # no character cut in half
    assert_portable(slug)
    emoji_mix = slugify("é" * 100 + "🐱" + "ü" * 100, max_len=500)
    assert len(emoji_mix.encode("utf-8")) <= 120
    emoji_mix.encode("utf-8").decode("utf-8")


def created(y=2026, mo=3, d=14, h=9, mi=5, s=7) -> float:
    return time.mktime((y, mo, d, h, mi, s, 0, 0, -1))


def render(template: str, **overrides) -> str:
    values = dict(
        prompt="一只猫 in the rain",
        task_id="7392616336519610409",
        mode="t2v_720p",
        job_id=42,
        created_at=created(),
        seed=-1,
    )
    values.update(overrides)
    return render_filename(template, **values)


def test_render_default_template():
    assert render("{date}_{slug}_{task_id}") == "2026-03-14_一只猫-in-the-rain_7392616336519610409"


def test_render_every_placeholder():
    name = render("{date}T{time}-{mode}-{job_id}-{seed}-{task_id}-{slug}", seed=123)
    assert name == "2026-03-14T090507-t2v_720p-42-123-7392616336519610409-一只猫-in-the-rain"


def test_render_without_task_id_says_pending():
    assert render("{slug}_{task_id}", task_id=None) == "一只猫-in-the-rain_pending"


def test_render_sanitises_the_result():
    name = render("{date}: <{slug}>/{task_id}?..", task_id='a"b|c')
    assert_portable(name)
    assert name == "2026-03-14 一只猫-in-the-rain a b c"


@pytest.mark.parametrize("template", ["CON", "nul.{seed}", " ... ", "{slug}"])
def test_render_never_gives_a_reserved_or_empty_name(template):
    assert_portable(render(template, prompt="🐱"))


@pytest.mark.parametrize("placeholder", ["prompt", "title", "slug.upper", "0", ""])
def test_render_unknown_placeholder_names_it_and_the_allowed_ones(placeholder):
    with pytest.raises(JimengError) as err:
        render(f"{{date}}_{{{placeholder}}}")
    message = str(err.value)
    assert f"{{{placeholder}}}" in message
    for allowed in ("{date}", "{time}", "{slug}", "{task_id}", "{mode}", "{job_id}", "{seed}"):
        assert allowed in message


def test_render_malformed_template_is_a_clear_error():
    with pytest.raises(JimengError, match="not a valid template"):
        render("{date_{slug}")


def test_unique_path_never_names_an_existing_file(tmp_path):
    first = unique_path(tmp_path, "clip")
    assert first == tmp_path / "clip.mp4"
    first.write_bytes(b"x")
    second = unique_path(tmp_path, "clip")
    assert second == tmp_path / "clip-2.mp4"
    second.write_bytes(b"x")
    assert unique_path(tmp_path, "clip") == tmp_path / "clip-3.mp4"
    assert unique_path(tmp_path, "clip", ".json") == tmp_path / "clip.json"


def test_unique_path_counts_broken_symlinks_and_companions(tmp_path):
    (tmp_path / "clip.mp4").symlink_to(tmp_path / "gone")
    assert unique_path(tmp_path, "clip") == tmp_path / "clip-2.mp4"
    (tmp_path / "clip-2.json").write_text("{}")
    assert unique_path(tmp_path, "clip", also=(".json",)) == tmp_path / "clip-3.mp4"
