"""jobs/batch.py: reading a batch file, and what a re-run does with each line (no network)."""

from __future__ import annotations

import dataclasses
import json
import time

import pytest

from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.domain.meta import JobMeta
from jimeng_tui.jobs import batch as b


def _write(tmp_path, text: str, name: str = "batch.jsonl"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_jsonl_lines_comments_aliases_and_defaults(tmp_path):
    (tmp_path / "img").mkdir()
    path = _write(
        tmp_path,
        "# a comment\n"
        "\n"
        '{"prompt": "A cat"}\n'
        '"A bare prompt"\n'
        '{"prompt": "Rain", "ratio": "9:16", "duration": "4", "fps": 30.0, "seed": null}\n'
        '{"prompt": "Sun", "mode": "i2v_recamera_720p", "image": "img/a.jpg",'
        ' "camera-template": "handheld"}\n',
    )
    batch = b.read_batch(path)
    assert batch.errors == []
    assert [line.number for line in batch.lines] == [3, 4, 5, 6]
    cat, bare, rain, sun = (line.built.params for line in batch.lines)
    assert cat["mode"] == "t2v_720p" and cat["duration"] == 5 and cat["seed"] == -1
    assert bare["prompt"] == "A bare prompt"
    assert (rain["aspect_ratio"], rain["duration"], rain["fps"]) == ("9:16", 4, 30)
    # relative image paths are taken from the batch file's folder; the camera strength defaults
    assert sun["first_image"] == str(tmp_path / "img" / "a.jpg")
    assert sun["camera_strength"] == "medium"
    # the fingerprint keeps the path as written, so moving file + images keeps the line known
    assert batch.lines[3].values["first_image"] == "img/a.jpg"


def test_every_bad_line_is_reported_with_its_number_and_field(tmp_path):
    path = _write(
        tmp_path,
        '{"prompt": "ok"}\n'
        '{"prompt": "x", "duration": 7}\n'
        '{"promt": "typo"}\n'
        '{"prompt": "x", "fps": "thirty"}\n'
        "not json\n"
        '{"prompt": "x", "mode": "i2v_first_720p"}\n'
        '{"prompt": "x", "seed": true}\n'
        '{"prompt": 5}\n',
    )
    batch = b.read_batch(path)
    messages = [str(e) for e in batch.errors]
    assert [e.line for e in batch.errors] == [2, 3, 4, 5, 6, 7, 8]
    assert messages[0] == "line 2: duration: 7 s is not offered (allowed: 4, 5, 6, 8, 10)"
    assert "unknown field 'promt' (did you mean 'prompt'?)" in messages[1]
    assert messages[2] == "line 4: fps: 'thirty' is not a whole number"
    assert messages[3].startswith("line 5: not valid JSON")
    assert messages[4].startswith("line 6: first_image: mode i2v_first_720p takes")
    assert messages[5] == "line 7: seed: true is not a whole number"
    assert messages[6].startswith("line 8: prompt: 5 is not text")
    assert [line.number for line in batch.lines] == [1]


def test_csv_header_empty_cells_and_quoted_commas(tmp_path):
    path = _write(
        tmp_path,
        "prompt,--mode,duration,Aspect Ratio\n"
        "# comment row,,,\n"
        '"A lighthouse, at night",t2v_1080p,10,\n'
        "\n"
        'A boat,,,"1:1"\n'
        "too,many,values,here,extra\n",
        "shots.CSV",
    )
    batch = b.read_batch(path)
    assert batch.kind == "csv"
    assert [str(e) for e in batch.errors] == [
        "line 6: 5 values for the 4 columns of the header (line 1); quote values that hold commas"
    ]
    first, second = batch.lines
    assert (first.number, first.built.params["prompt"], first.built.params["mode"]) == (
        3,
        "A lighthouse, at night",
        "t2v_1080p",
    )
    assert first.built.params["duration"] == 10 and first.built.params["aspect_ratio"] is None
    assert (second.number, second.built.params["aspect_ratio"], second.built.params["mode"]) == (
        5,
        "1:1",
        "t2v_720p",
    )


def test_unknown_csv_column(tmp_path):
    batch = b.read_batch(_write(tmp_path, "prompt,lenght\nA cat,5\n", "x.csv"))
    assert str(batch.errors[0]).startswith("line 1: unknown column 'lenght'")


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "is empty"), ("# only\n\n# comments\n", "holds no requests")],
)
def test_a_file_without_requests_is_refused(tmp_path, text, message):
    with pytest.raises(b.BatchFileError, match=message):
        b.read_batch(_write(tmp_path, text))


def test_missing_image_is_caught_by_preflight(tmp_path):
    import asyncio

    batch = b.read_batch(
        _write(tmp_path, '{"prompt": "x", "mode": "i2v_first_720p", "image": "nope.jpg"}\n')
    )
    assert batch.errors == []
    asyncio.run(b.preflight(batch))
    assert str(batch.errors[0]).startswith("line 1: first_image: no file at")


# -- plan -------------------------------------------------------------------------------------


def _job(batch: b.BatchFile, line: b.BatchLine, state: JobState, task: str | None = None) -> Job:
    _job.next_id += 1  # type: ignore[attr-defined]
    return Job(
        id=_job.next_id,  # type: ignore[attr-defined]
        created_at=time.time(),
        prompt=line.built.summary.prompt,
        mode=line.built.summary.model,
        req_key="k",
        params=dict(line.built.params),
        meta=JobMeta(batch=line.origin(batch)),
        state=state,
        task_id=task,
    )


_job.next_id = 0  # type: ignore[attr-defined]


@pytest.fixture
def batch(tmp_path):
    return b.read_batch(
        _write(tmp_path, "".join(json.dumps({"prompt": f"p{i}"}) + "\n" for i in range(9)))
    )


def test_plan_per_earlier_state(batch):
    lines = batch.lines
    S = JobState
    jobs = [
        _job(batch, lines[1], S.SAVED, "1"),
        _job(batch, lines[2], S.GENERATING, "2"),
        _job(batch, lines[3], S.QUEUED),
        _job(batch, lines[4], S.SUBMIT_UNKNOWN),
        _job(batch, lines[5], S.FAILED, "5"),  # failed after its task was created
        _job(batch, lines[6], S.FAILED),  # refused at submit: no task
        _job(batch, lines[7], S.FAILED, "7"),
        _job(batch, lines[7], S.SAVED, "8"),  # --retry-failed earlier, then saved
        _job(batch, lines[8], S.CANCELLED),
    ]
    plans = b.plan(batch, jobs)
    assert [p.action for p in plans] == [
        b.Action.RUN,
        b.Action.SKIP,
        b.Action.RESUME,
        b.Action.RESUME,
        b.Action.BLOCKED,
        b.Action.BLOCKED,
        b.Action.RUN,
        b.Action.SKIP,
        b.Action.BLOCKED,
    ]
    assert "no answer" in plans[4].reason
    assert "--retry-failed" in plans[5].reason
    assert plans[7].latest.task_id == "8"
    assert [j.task_id for j in plans[2].resume_jobs] == ["2"]

    retry = b.plan(batch, jobs, retry_failed=True)
    assert retry[4].action is b.Action.BLOCKED  # never resent on its own, even then
    assert retry[5].action is b.Action.RUN and retry[8].action is b.Action.RUN

    again = b.plan(batch, jobs, again=True)
    assert {p.action for p in again} == {b.Action.RUN}


def test_lines_are_known_by_request_and_repeat_not_by_position(tmp_path):
    first = b.read_batch(_write(tmp_path, '"A"\n"B"\n"A"\n'))
    jobs = [_job(first, line, JobState.SAVED, str(i)) for i, line in enumerate(first.lines)]
    # a line inserted on top and the lines moved: the same three requests stay done
    edited = b.read_batch(_write(tmp_path, '"C"\n"A"\n"A"\n"B"\n'))
    assert [p.action for p in b.plan(edited, jobs)] == [
        b.Action.RUN,
        b.Action.SKIP,
        b.Action.SKIP,
        b.Action.SKIP,
    ]
    # a third "A" is a new generation
    more = b.read_batch(_write(tmp_path, '"A"\n"B"\n"A"\n"A"\n'))
    assert [p.action for p in b.plan(more, jobs)][3] is b.Action.RUN


def test_the_same_file_reached_another_way_or_read_differently_is_still_known(tmp_path):
    (tmp_path / "shots").mkdir()
    path = _write(tmp_path / "shots", '"A"\n"B"\n')
    first = b.read_batch(path)
    jobs = [_job(first, line, JobState.SAVED, str(i)) for i, line in enumerate(first.lines)]
    # through "..": the marker's path is the resolved one
    other_way = b.read_batch(tmp_path / "shots" / ".." / "shots" / path.name)
    assert other_way.path == first.path
    assert {p.action for p in b.plan(other_way, jobs)} == {b.Action.SKIP}
    # the same bytes, but the requests now read differently (a later version's defaults):
    # known by their place in the unchanged file
    for job in jobs:
        job.meta.batch = dataclasses.replace(job.meta.batch, request="an older fingerprint")
    assert {p.action for p in b.plan(first, jobs)} == {b.Action.SKIP}


def test_lock_refuses_a_second_run(tmp_path, batch):
    with b.batch_lock(tmp_path / "locks", batch, tmp_path / "h.sqlite3"):
        second = b.batch_lock(tmp_path / "locks", batch, tmp_path / "h.sqlite3")
        with pytest.raises(b.BatchBusy, match="another jimeng-tui batch"):
            second.__enter__()
        # another history (the sandbox's) is another scope
        with b.batch_lock(tmp_path / "locks", batch, tmp_path / "other.sqlite3"):
            pass
    with b.batch_lock(tmp_path / "locks", batch, tmp_path / "h.sqlite3"):
        pass
