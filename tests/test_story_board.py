"""The storyboard file: checks, the model each shot is sent to, and content fingerprints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jimeng_tui.session.services import register_builtin
from jimeng_tui.story.board import BoardFileError, read_board

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "assets" / "storyboard-sample.toml"


@pytest.fixture(autouse=True)
def services():
    register_builtin()


def board_file(tmp_path, text: str) -> Path:
    path = tmp_path / "film.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_sample_is_valid_and_the_readme_shows_it_as_it_is():
    board = read_board(SAMPLE)
    assert board.errors == []
    assert [s.model for s in board.shots] == [
        "i2v_first_720p",
        "i2v_first_720p",
        "i2v_first_720p",
        "t2v_720p",
    ]
    assert [s.length for s in board.shots] == [5, 5, 5, 4]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"### Storyboards.*?```toml\n(.*?)```", readme, re.S)
    assert shown and shown.group(1) == SAMPLE.read_text(encoding="utf-8")


def test_each_shot_gets_the_mode_its_inputs_need_at_the_chosen_resolution(tmp_path, images_dir):
    path = board_file(
        tmp_path,
        f"""
[defaults]
model = "t2v_720p"
resolution = "1080p"
[[shot]]
prompt = "text"
[[shot]]
prompt = "from an image, ending on the next one's"
from = "{images_dir / "a.jpg"}"
end = "next"
[[shot]]
prompt = "from an image"
from = "{images_dir / "b.jpg"}"
""",
    )
    board = read_board(path)
    assert board.errors == []
    assert [s.model for s in board.shots] == [
        "t2v_1080p",
        "i2v_first_tail_1080p",
        "i2v_first_1080p",
    ]
    assert board.shots[1].end_image == str(images_dir / "b.jpg")


@pytest.fixture
def images_dir(tmp_path):
    return tmp_path  # the images are not read while checking the file


def test_a_fingerprint_covers_the_shots_a_shot_chains_from(tmp_path):
    text = """
[[shot]]
prompt = "one"
[[shot]]
prompt = "two"
from = "previous"
[[shot]]
prompt = "three"
[[shot]]
prompt = "four"
from = "previous"
"""
    before = read_board(board_file(tmp_path, text))
    after = read_board(board_file(tmp_path, text.replace('"one"', '"ONE"')))
    changed = [
        a.fingerprint != b.fingerprint for a, b in zip(before.shots, after.shots, strict=True)
    ]
    assert changed == [True, True, False, False]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "has no shots"),
        ("[[shot]\n", "is not valid TOML"),
        ('title = "x"\n', "has no shots"),
    ],
)
def test_an_unusable_file_is_one_clear_error(tmp_path, text, message):
    with pytest.raises(BoardFileError, match=message):
        read_board(board_file(tmp_path, text))


def test_a_seedance_model_is_checked_by_its_own_rules(tmp_path):
    board = read_board(
        board_file(
            tmp_path,
            """
[defaults]
model = "seedance-1.0-lite-t2v"
[[shot]]
prompt = "text is fine"
length = 3
[[shot]]
prompt = "a first frame is not"
from = "previous"
""",
        )
    )
    assert [str(e) for e in board.errors] == [
        "shot 2: defaults.model: doubao-seedance-1-0-lite-t2v-250428 takes no shot from a first "
        "frame; give the shot a model that does (model = 'doubao-seedance-2-0-260128'; also "
        "doubao-seedance-2-0-fast-260128, doubao-seedance-1-5-pro-251215, "
        "doubao-seedance-1-0-pro-250528, doubao-seedance-1-0-pro-fast-251015, "
        "doubao-seedance-1-0-lite-i2v-250428)"
    ]
