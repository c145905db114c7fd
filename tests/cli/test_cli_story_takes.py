"""``story retake|keep|status`` and ``story … --json`` / ``--dry-run`` against the sandbox over
loopback, with real MP4s (PyAV) and a real SQLite history."""

from __future__ import annotations

import json

from cli_support import sandbox_env
from story_support import film_of, first_and_last, frames, mean_difference, story_jobs, write_board

SAME_PICTURE = 6.0

CHAIN = [
    {"prompt": "Dawn over the harbour"},
    {"prompt": "Boats leave", "from": "previous"},
    {"prompt": "A bell rings", "length": 4},
]


def seeds_of(bodies: list[dict]) -> list[int]:
    return [b.get("seed") for b in bodies]


def test_retake_keep_then_run_follows_the_keeper_and_sends_only_the_chained_shot(
    cli, sandbox_server, tmp_path
):
    board = write_board(tmp_path / "film.toml", CHAIN)
    first = cli("story", "run", str(board))
    assert first.returncode == 0, first
    assert len(sandbox_server.submitted_bodies()) == 3

    takes = cli("story", "retake", str(board), "1", "--count", "2")
    assert takes.returncode == 0, takes
    bodies = sandbox_server.submitted_bodies()
    assert len(bodies) == 5  # two creates...
    new_seeds = seeds_of(bodies[3:])
    assert len(set(new_seeds)) == 2 and all(s >= 0 for s in new_seeds)  # ...with other seeds
    assert new_seeds[0] not in seeds_of(bodies[:3])
    assert "story keep" in takes.stdout
    take_ids = [
        j.id for j in story_jobs(sandbox_env(sandbox_server)) if j.meta.extra["story"].get("take")
    ]
    assert len(take_ids) == 2

    kept = cli("story", "keep", str(board), "1", str(take_ids[1]))
    assert kept.returncode == 0, kept
    assert f"shot 1: job {take_ids[1]} is the keeper now" in kept.stdout
    assert "makes shot 2 again from the new keeper's last frame (1 paid generation)" in kept.stdout

    dry = cli("story", "run", str(board), "--dry-run")
    assert dry.returncode == 0, dry
    assert "shot 1: already saved" in dry.stdout
    assert "shot 2: would submit (made again: it starts from shot 1's new keeper)" in dry.stdout
    assert "shot 3: already saved" in dry.stdout
    assert len(sandbox_server.submitted_bodies()) == 5

    second = cli("story", "run", str(board))
    assert second.returncode == 0, second
    bodies = sandbox_server.submitted_bodies()
    assert [b["prompt"] for b in bodies[5:]] == ["Boats leave"]  # shot 2 only
    jobs = {j.id: j for j in story_jobs(sandbox_env(sandbox_server))}
    keeper = jobs[take_ids[1]]
    shot2 = max(
        (j for j in jobs.values() if j.meta.extra["story"]["shot"] == 2), key=lambda j: j.id
    )
    shot3 = next(j for j in jobs.values() if j.meta.extra["story"]["shot"] == 3)
    _, last_kept = first_and_last(keeper.path)
    first2, _ = first_and_last(shot2.path)
    assert mean_difference(first2, last_kept) < SAME_PICTURE  # the chain follows the keeper
    film = film_of(second.stdout)
    film_frames = frames(film)
    parts = [frames(keeper.path), frames(shot2.path), frames(shot3.path)]
    assert len(film_frames) == sum(len(p) for p in parts)
    assert mean_difference(film_frames[60], parts[0][60]) < SAME_PICTURE

    sidecar = json.loads(film.with_suffix(".json").read_text(encoding="utf-8"))
    assert [s["job_id"] for s in sidecar["shots"]] == [keeper.id, shot2.id, shot3.id]

    # after a restart (a new process) the keeper stands: nothing is sent, the same film
    third = cli("story", "run", str(board))
    assert third.returncode == 0, third
    assert film_of(third.stdout) == film
    assert len(sandbox_server.submitted_bodies()) == 6

    status = cli("story", "status", str(board), "--json")
    assert status.returncode == 0, status
    data = json.loads(status.stdout)
    assert [s["keeper"]["job_id"] for s in data["shots"]] == [keeper.id, shot2.id, shot3.id]
    assert len(data["shots"][0]["takes"]) == 3
    assert data["film"] == {"path": str(film), "joined": True}


def test_keeping_the_old_chained_video_instead_sends_nothing(cli, sandbox_server, tmp_path):
    board = write_board(tmp_path / "film.toml", CHAIN[:2])
    assert cli("story", "run", str(board)).returncode == 0
    assert cli("story", "retake", str(board), "1", "--count", "1").returncode == 0
    jobs = story_jobs(sandbox_env(sandbox_server))
    take = next(j for j in jobs if j.meta.extra["story"].get("take"))
    old2 = next(j for j in jobs if j.meta.extra["story"]["shot"] == 2)
    assert cli("story", "keep", str(board), "1", str(take.id)).returncode == 0
    kept2 = cli("story", "keep", str(board), "2", str(old2.id))
    assert kept2.returncode == 0, kept2
    assert "joins the film from the keepers; nothing is sent" in kept2.stdout
    run = cli("story", "run", str(board))
    assert run.returncode == 0, run
    assert len(sandbox_server.submitted_bodies()) == 3  # 2 shots + 1 re-take, nothing more


def test_dry_run_lists_each_shot_what_it_reuses_and_regenerates_and_the_total(
    cli, sandbox_server, tmp_path, write_config
):
    write_config("[prices]\nt2v_720p = 1.5\ni2v_first_720p = 2.0\n")
    shots = [dict(s) for s in CHAIN]
    board = write_board(tmp_path / "film.toml", shots)
    fresh = cli("story", "run", str(board), "--dry-run")
    assert fresh.returncode == 0, fresh
    assert "estimated total: 5.00 CNY for 3 shots to submit" in fresh.stdout
    assert sandbox_server.submitted_bodies() == []  # a dry run sends nothing
    assert cli("story", "run", str(board)).returncode == 0
    shots[0]["prompt"] = "Dusk over the harbour"  # shot 1 changes; shot 2 chains from it
    write_board(board, shots)
    sent = len(sandbox_server.submitted_bodies())

    dry = cli("story", "run", str(board), "--dry-run")
    assert dry.returncode == 0, dry
    out = dry.stdout
    assert "shot 1: would submit (changed since the last run)" in out
    assert "shot 2: would submit (made again: it starts from shot 1, which is made again)" in out
    assert "shot 3: already saved" in out and "reused: job" in out
    assert "estimate: ≈ 1.50 CNY" in out and "estimate: ≈ 2.00 CNY" in out
    assert "estimated total: 3.50 CNY for 2 shots to submit" in out
    assert "2 would be submitted (regenerated: shot 1, 2), 1 reused" in out

    as_json = cli("story", "run", str(board), "--dry-run", "--json")
    assert as_json.returncode == 0, as_json
    data = json.loads(as_json.stdout)  # one object
    assert [s["action"] for s in data["shots"]] == ["run", "run", "skip"]
    assert data["regenerate"] == [1, 2]
    assert data["estimate"]["amount"] == 3.5 and data["estimate"]["currency"] == "CNY"
    assert data["shots"][2]["keeper"]["job_id"] is not None
    assert data["exit_code"] == 0
    assert len(sandbox_server.submitted_bodies()) == sent  # nothing was sent


def test_run_json_is_one_object_with_every_shot_and_the_film(cli, sandbox_server, tmp_path):
    board = write_board(tmp_path / "film.toml", CHAIN[:2])
    result = cli("story", "run", str(board), "--json")
    assert result.returncode == 0, result
    data = json.loads(result.stdout)
    assert [s["outcome"] for s in data["shots"]] == ["saved", "saved"]
    assert all(s["job"]["task_id"] for s in data["shots"])
    assert data["film"]["frames"] == len(frames(data["film"]["path"]))
    assert data["exit_code"] == 0


def test_usage_errors_with_json_are_one_error_object_exit_2_nothing_sent(
    cli, sandbox_server, tmp_path
):
    board = write_board(tmp_path / "film.toml", CHAIN[:2])
    bad = write_board(tmp_path / "bad.toml", [{"prompt": "a", "from": "previous"}])
    cases = [
        (("story", "retake", str(board)), "usage: jimeng-tui story retake FILE SHOT"),
        (("story", "retake", str(board), "1", "--count", "9"), "1 to 4 alternatives"),
        (("story", "retake", str(board), "2"), "shot 1 has no saved video yet"),
        (("story", "keep", str(board), "1", "99"), "job 99 is not a saved video of shot 1"),
        (("story", "keep", str(board), "x", "1"), "SHOT 'x' is not a number"),
        (("story", "status", str(tmp_path / "gone.toml")), "no such file"),
        (("story", "run", str(board), "3"), "story run takes no SHOT"),
        (("story", "run", str(bad)), "nothing was submitted"),
        (("story", "status", str(board), "--again"), "--again is for story run, not story status"),
        (("story", "retake", str(board), "1", "--retry-failed"), "--retry-failed is for story run"),
        (
            ("story", "retake", str(board), "1", "--output-dir", str(tmp_path / "no" / "such")),
            "does not exist",
        ),
    ]
    for args, expected in cases:
        result = cli(*args, "--json")
        assert result.returncode == 2, (args, result)
        data = json.loads(result.stdout)  # exactly one JSON object
        assert expected in data["error"]["message"] or any(
            expected in e["message"] for e in data["error"].get("errors", [])
        ), (args, data)
        assert data["error"]["exit_code"] == 2
        assert "Traceback" not in result.stderr
    errors = json.loads(cli("story", "run", str(bad), "--json").stdout)["error"]["errors"]
    assert errors == [
        {"shot": 1, "field": "from", "message": "the first shot has no previous shot to start from"}
    ]
    assert sandbox_server.submitted_bodies() == []
