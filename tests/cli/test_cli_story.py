"""``jimeng-tui story run``: a storyboard against the sandbox over loopback, real MP4s (PyAV)."""

from __future__ import annotations

import json

import av
import pytest
from cli_support import sandbox_env
from story_support import (
    film_of,
    first_and_last,
    frames,
    mean_difference,
    shot_of,
    story_jobs,
    write_board,
)

from tests.test_crash_recovery import states

# the encoding error of two H.264 passes (the sandbox's, then the conform/join); an unrelated
# picture differs by far more (the sandbox's gradients: ~40-90)
SAME_PICTURE = 6.0


def test_four_shots_two_chained_one_from_an_image_one_text_only_make_one_film(
    cli, sandbox_server, images, tmp_path
):
    board = write_board(
        tmp_path / "film.toml",
        [
            {"prompt": "Boats leave the harbour", "from": str(images["landscape"])},
            {"prompt": "The last boat reaches open sea", "from": "previous"},
            {"prompt": "A bell rings in the town", "transition": "crossfade"},
            {"prompt": "Gulls over the roofs", "from": "previous"},
        ],
    )
    # shot 2 → 3 is a cut; shot 3 → 4 a crossfade of 0.5 s (12 frames)
    result = cli("story", "run", str(board))
    assert result.returncode == 0, result
    assert len(sandbox_server.submitted_bodies()) == 4

    jobs = {shot_of(j): j for j in story_jobs(sandbox_env(sandbox_server))}
    assert sorted(jobs) == [1, 2, 3, 4]
    assert {n: j.mode for n, j in jobs.items()} == {
        1: "i2v_first_720p",
        2: "i2v_first_720p",
        3: "t2v_720p",
        4: "i2v_first_720p",
    }
    # chained shots start on the previous shot's last frame (the sandbox draws the input
    # first frame into the first frames it renders)
    for before, after in ((1, 2), (3, 4)):
        _, last = first_and_last(jobs[before].path)
        first, _ = first_and_last(jobs[after].path)
        assert mean_difference(first, last) < SAME_PICTURE, (before, after)
    # ...and the shot from an image starts on that image; the text-only one does not start on
    # the shot before it (so the check above means something)
    first, _ = first_and_last(jobs[1].path)
    from PIL import Image

    assert mean_difference(first, Image.open(images["landscape"])) < SAME_PICTURE
    first3, _ = first_and_last(jobs[3].path)
    _, last2 = first_and_last(jobs[2].path)
    assert mean_difference(first3, last2) > 4 * SAME_PICTURE

    film = film_of(result.stdout)
    counts = [len(frames(jobs[n].path)) for n in (1, 2, 3, 4)]
    assert counts == [121, 121, 121, 121]
    overlap = 12  # crossfade 0.5 s at 24 fps between shots 3 and 4
    expected = sum(counts) - overlap
    with av.open(str(film)) as container:
        stream = container.streams.video[0]
        assert stream.average_rate == 24
        duration = float(stream.duration * stream.time_base)
        decoded = sum(1 for _ in container.decode(stream))
    joints = 3
    assert abs(decoded - expected) <= joints
    assert abs(duration - expected / 24) <= joints / 24
    # the cut from shot 1 to shot 2 is where the pictures match: the film's frame 121 is
    # shot 2's first frame, which is shot 1's last
    film_frames = frames(film)
    assert mean_difference(film_frames[120], film_frames[121]) < SAME_PICTURE

    sidecar = json.loads(film.with_suffix(".json").read_text(encoding="utf-8"))
    assert [s["shot"] for s in sidecar["shots"]] == [1, 2, 3, 4]
    assert [s["task_id"] for s in sidecar["shots"]] == [jobs[n].task_id for n in (1, 2, 3, 4)]
    assert sidecar["frames"] == decoded

    # the same command again: every shot reused, nothing sent, the same film
    again = cli("story", "run", str(board))
    assert again.returncode == 0, again
    assert len(sandbox_server.submitted_bodies()) == 4
    assert film_of(again.stdout) == film
    assert "film joined earlier" in again.stdout


@pytest.mark.parametrize(
    ("shots", "defaults", "expected"),
    [
        ([{"prompt": "a", "length": 7}], {}, "shot 1: length: "),
        ([{"prompt": "a"}, {"prompt": "b", "from": "previous", "lenght": 5}], {}, "shot 2: lenght"),
        ([{"prompt": "a", "from": "previous"}], {}, "shot 1: from: the first shot"),
        ([{"prompt": "a", "from": "x.png", "end": "next"}], {}, "shot 1: end: "),
        ([{"prompt": "a", "model": "no-such-model"}], {}, "shot 1: model: "),
        ([{"prompt": "a", "transition": "wipe"}], {}, "shot 1: transition: "),
        ([{"prompt": "a"}], {"crossfade": 9}, "crossfade: "),
        ([{"prompt": "a", "from": "missing.jpg"}], {}, "shot 1: from: "),
        ([{"prompt": "a"}, {"prompt": "b", "from": "notes.jpg"}], {}, "shot 2: from: "),
        # a chained shot's end image is read before anything is sent, like every other image
        (
            [{"prompt": "a"}, {"prompt": "b", "from": "previous", "end": "gone.png"}],
            {},
            "shot 2: end: ",
        ),
    ],
)
def test_every_bad_field_names_its_shot_and_nothing_is_sent(
    cli, sandbox_server, images, tmp_path, shots, defaults, expected
):
    folder = images["text"].parent
    board = write_board(folder / "bad.toml", shots, **defaults)
    result = cli("story", "run", str(board))
    assert result.returncode == 2, result
    assert expected in result.stderr, result
    assert "nothing was submitted" in result.stderr
    assert "Traceback" not in result.stderr
    assert sandbox_server.submitted_bodies() == []
    assert story_jobs(sandbox_env(sandbox_server)) == []


def test_editing_shot_3_makes_again_shot_3_and_the_shots_chained_from_it_only(
    cli, sandbox_server, images, tmp_path
):
    shots = [
        {"prompt": "Dawn over the harbour"},
        {"prompt": "Boats leave", "from": "previous"},
        {"prompt": "Open sea", "from": "previous"},
        {"prompt": "A storm gathers", "from": "previous"},
        {"prompt": "The town at night", "from": str(images["landscape"])},
        {"prompt": "Lanterns are lit", "from": "previous"},
    ]
    board = write_board(tmp_path / "film.toml", shots)
    first = cli("story", "run", str(board))
    assert first.returncode == 0, first
    assert len(sandbox_server.submitted_bodies()) == 6
    film_before = film_of(first.stdout)

    shots[2]["prompt"] = "Open sea under a red sky"
    write_board(board, shots)
    dry = cli("story", "run", str(board), "--dry-run")
    assert dry.returncode == 0, dry
    lines = {n: line for n, line in enumerate(dry.stdout.splitlines()) if line.startswith("shot")}
    text = "\n".join(lines.values())
    assert "shot 3: would submit (changed since the last run)" in text
    assert "shot 4: would submit (made again: it starts from shot 3" in text
    for n in (1, 2, 5, 6):
        assert f"shot {n}: already saved" in text
    assert "regenerated: shot 3, 4" in dry.stdout
    assert len(sandbox_server.submitted_bodies()) == 6  # a dry run sends nothing

    second = cli("story", "run", str(board))
    assert second.returncode == 0, second
    bodies = sandbox_server.submitted_bodies()
    assert [b.get("prompt") for b in bodies[6:]] == ["Open sea under a red sky", "A storm gathers"]
    assert len(bodies) == 8
    film_after = film_of(second.stdout)
    assert film_after != film_before and film_before.exists()  # the earlier film is kept

    jobs = [j for j in story_jobs(sandbox_env(sandbox_server)) if j.state == "saved"]
    newest = {}
    for job in jobs:
        newest[shot_of(job)] = job
    _, last3 = first_and_last(newest[3].path)
    first4, _ = first_and_last(newest[4].path)
    assert mean_difference(first4, last3) < SAME_PICTURE  # the new shot 4 starts on the new 3


def test_sigkill_at_random_moments_then_run_again_saves_every_shot_once(
    exe, sandbox_factory, images, tmp_path
):
    """Kills land at random moments of a 6-shot run (never inside a submit: a kill there ends
    as submit_unknown, which is never sent again, so that shot could not be saved); the same
    command run again finishes: every shot saved, no task submitted twice, one film."""
    import random
    import signal
    import subprocess
    import time

    from jimeng_tui.store.paths import app_paths

    server = sandbox_factory(speed=4, request_log=tmp_path / "requests.jsonl")
    env = sandbox_env(server)
    db = app_paths(env).history_db
    board = write_board(
        tmp_path / "film.toml",
        [
            {"prompt": "Shot one", "from": str(images["landscape"])},
            {"prompt": "Shot two", "from": "previous"},
            {"prompt": "Shot three", "from": "previous", "transition": "crossfade"},
            {"prompt": "Shot four"},
            {"prompt": "Shot five", "from": "previous"},
            {"prompt": "Shot six", "length": 4},
        ],
    )
    rng = random.Random(20261207)
    args = [exe, "story", "run", str(board)]
    at_kill: list[dict[int, str]] = []  # the rows' states at each kill
    for round_ in range(4):
        proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # spread over the run whatever the machine's speed: the n-th kill comes after at least
        # n shots were saved, at a random moment after that
        while proc.poll() is None and list(states(db).values()).count("saved") < round_:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 1.0))
        while proc.poll() is None:
            proc.send_signal(signal.SIGSTOP)
            now = states(db)
            if "submitting" not in now.values():
                proc.kill()
                at_kill.append(now)
                break
            proc.send_signal(signal.SIGCONT)
            time.sleep(0.01)
        proc.wait(timeout=30)
    final = subprocess.run(args, env=env, capture_output=True, text=True, timeout=240, check=False)
    assert final.returncode == 0, final.stderr
    # the kills hit the run in the middle: jobs not yet saved were left behind
    assert any(set(states.values()) - {"saved"} for states in at_kill), at_kill

    bodies = server.submitted_bodies()
    prompts = [b.get("prompt") for b in bodies]
    assert sorted(prompts) == sorted(
        f"Shot {w}" for w in ("one", "two", "three", "four", "five", "six")
    ), prompts
    jobs = story_jobs(env)
    saved = {shot_of(j) for j in jobs if j.state == "saved"}
    assert saved == {1, 2, 3, 4, 5, 6}
    assert not [j for j in jobs if j.state != "saved"]
    film = film_of(final.stdout)
    expected = 5 * 121 + 96 - 12
    assert abs(len(frames(film)) - expected) <= 5


def test_a_submit_without_an_answer_is_never_sent_again_and_its_chain_waits(
    cli, sandbox_server, tmp_path
):
    board = write_board(
        tmp_path / "film.toml",
        [{"prompt": "Shot one"}, {"prompt": "Shot two", "from": "previous"}],
    )
    sandbox_server.state.inject("reset", 1, "submit")  # the task is made, the answer lost
    first = cli("story", "run", str(board))
    assert first.returncode == 1, first
    assert "shot 1 (submit unknown), 2 (not started)" in first.stderr, first
    assert len(sandbox_server.submitted_bodies()) == 1

    again = cli("story", "run", str(board))
    assert again.returncode == 1, again
    assert "not sent again" in again.stderr + again.stdout
    assert len(sandbox_server.submitted_bodies()) == 1  # never re-sent
    states = {shot_of(j): j.state for j in story_jobs(sandbox_env(sandbox_server))}
    assert states == {1: "submit_unknown"}


def test_ctrl_c_then_the_same_command_finishes_without_sending_twice(
    exe, slow_sandbox_server, tmp_path
):
    from cli_support import interrupt_when, run_cli

    env = sandbox_env(slow_sandbox_server)
    board = write_board(
        tmp_path / "film.toml",
        [{"prompt": "Shot one"}, {"prompt": "Shot two", "from": "previous"}, {"prompt": "Three"}],
    )
    code, _, stderr, _ = interrupt_when(
        exe,
        ["story", "run", str(board)],
        env,
        lambda: len(slow_sandbox_server.submitted_bodies()) >= 2,  # shots 1 and 3 are running
    )
    assert code == 130, stderr
    assert "Run the same command again" in stderr
    assert "Traceback" not in stderr
    left = [j for j in story_jobs(env) if j.state not in ("saved", "failed")]
    sent = len(slow_sandbox_server.submitted_bodies())
    assert sent >= 2

    again = run_cli(exe, "story", "run", str(board), env=env, timeout=120)
    assert again.returncode == 0, again
    if left:  # shots still on the service were followed, not sent again
        assert "following job" in again.stderr, again
    prompts = sorted(b.get("prompt") for b in slow_sandbox_server.submitted_bodies())
    assert prompts == ["Shot one", "Shot two", "Three"]
