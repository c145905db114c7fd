"""generate/history/batch with any service's model (issue 15 item 6): --model picks the service,
every invalid value or combination for the chosen model is exit 2 naming the option and the
allowed values with nothing sent (the sandbox's request log stays empty), and a missing key
names the keys of the model's own service."""

from __future__ import annotations

import json

import pytest

from jimeng_tui.cli.entry import main
from jimeng_tui.sandbox.ark import ACTION_CREATE

SEEDANCE = "doubao-seedance-2-0-260128"
JIMENG_SUBMIT = "CVSync2AsyncSubmitTask"


@pytest.fixture
def env_for(monkeypatch):
    """Point the in-process CLI at ``server`` with the keys asked for."""

    def point(server, *, jimeng: bool = True, ark: bool = True) -> None:
        monkeypatch.setenv("JIMENG_VIDEO_API_URL", server.base_url)
        monkeypatch.setenv("ARK_BASE_URL", server.ark_base_url)
        monkeypatch.setenv("JIMENG_VIDEO_POLL_INTERVAL", "0.1")
        monkeypatch.setenv("COLUMNS", "200")
        if jimeng:
            monkeypatch.setenv("VOLC_ACCESSKEY", server.options.access_key)
            monkeypatch.setenv("VOLC_SECRETKEY", server.options.secret_key)
        if ark:
            monkeypatch.setenv("ARK_API_KEY", server.ark_api_key)

    return point


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_a_seedance_model_is_generated_saved_and_reported_with_its_tokens(sandbox, env_for, capsys):
    env_for(sandbox)
    args = ("a red kite over the sea", "--model", "seedance-2.0", "--audio", "--json")
    code, out, err = run(capsys, "generate", *args)
    assert code == 0, err
    job = json.loads(out)
    assert (job["status"], job["model"], job["mode"], job["service"]) == (
        "saved",
        SEEDANCE,
        SEEDANCE,
        "ark",
    )
    assert isinstance(job["tokens"], int) and job["tokens"] > 0
    assert job["parameters"]["generate_audio"] is True
    assert len(sandbox.requests_for(ACTION_CREATE)) == 1
    assert sandbox.requests_for(JIMENG_SUBMIT) == []

    code, out, err = run(capsys, "generate", "a boat", "--model", "seedance-2.0-fast")
    assert code == 0, err
    assert "- Mode: doubao-seedance-2-0-fast-260128" in out  # the skill's block, the model id


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--model", "seedance-2.0", "--duration", "20"), "--duration: 20 s is not a length"),
        (("--model", "seedance-2.0", "--draft"), "--draft: seedance-2.0 has no draft mode"),
        (("--model", "seedance-2.0", "--resolution", "4k"), "(allowed: 480p, 720p, 1080p)"),
        (("--model", "seedance-2.0", "--camera-template", "robo_arm"), "--camera-template:"),
        (("--model", "seedance-2.0", "--mode", "t2v_720p"), "name different models"),
        (("--model", "seedance-1.0-lite-t2v", "--aspect-ratio", "adaptive"), "'adaptive'"),
        (("--model", "seedance-9"), "--model: 'seedance-9' is not a known model (allowed:"),
        (("--mode", "t2v_720p", "--audio"), "--audio: mode t2v_720p (Jimeng 3.0) does not"),
        (("--mode", "t2v_720p", "--reference-image", "a.png"), "--reference-image: mode"),
        (("--mode", "t2v_720p", "--resolution", "1080p"), "(allowed: 720p)"),
    ],
)
def test_an_invalid_value_for_the_model_is_exit_2_and_nothing_is_sent(
    sandbox, env_for, capsys, args, says
):
    env_for(sandbox)
    code, _out, err = run(capsys, "generate", "a kite", *args)
    assert code == 2
    assert says in err
    assert sandbox.requests == []


def test_with_only_an_ark_key_the_default_model_is_seedance_and_jimeng_asks_for_its_keys(
    sandbox, env_for, capsys
):
    env_for(sandbox, jimeng=False)
    code, out, err = run(capsys, "generate", "a kite", "--json")
    assert code == 0, err
    assert json.loads(out)["model"] == SEEDANCE
    sandbox.clear_requests()

    code, out, err = run(capsys, "generate", "a kite", "--mode", "t2v_720p")
    assert code == 2
    assert "no credentials: set VOLC_ACCESSKEY and VOLC_SECRETKEY" in err
    assert sandbox.requests == []


def test_with_only_jimeng_keys_a_seedance_model_asks_for_the_ark_key(sandbox, env_for, capsys):
    env_for(sandbox, ark=False)
    code, _out, err = run(capsys, "generate", "a kite", "--model", "seedance-2.0")
    assert code == 2
    assert "no Ark API key for the Seedance models: set ARK_API_KEY" in err
    assert sandbox.requests == []


def test_a_mixed_batch_runs_both_services_and_history_filters_by_model(
    sandbox, env_for, capsys, tmp_path
):
    env_for(sandbox)
    lines = tmp_path / "mixed.jsonl"
    lines.write_text(
        '{"prompt": "a lighthouse", "mode": "t2v_1080p"}\n'
        '{"prompt": "a kite", "model": "seedance-2.0", "duration": 4, "audio": true}\n'
        '{"prompt": "a boat", "model": "seedance-1.0-pro", "ratio": "9:16"}\n',
        encoding="utf-8",
    )
    code, out, err = run(capsys, "batch", str(lines), "--json")
    assert code == 0, err
    done = [json.loads(line) for line in out.splitlines()]
    assert [(d["line"], d["outcome"], d["model"]) for d in done if d["type"] == "line"] == [
        (1, "saved", "t2v_1080p"),
        (2, "saved", SEEDANCE),
        (3, "saved", "doubao-seedance-1-0-pro-250528"),
    ]
    assert len(sandbox.requests_for(JIMENG_SUBMIT)) == 1
    assert len(sandbox.requests_for(ACTION_CREATE)) == 2

    code, out, err = run(capsys, "history", "--model", "seedance-2.0", "--json")
    assert code == 0, err
    assert [(row["model"], row["prompt"]) for row in json.loads(out)] == [(SEEDANCE, "a kite")]
    code, out, err = run(capsys, "history", "--model", "t2v_1080p")
    assert code == 0 and "a lighthouse" in out and "a kite" not in out

    # the same file again: every line is known (saved), nothing is sent twice
    code, out, err = run(capsys, "batch", str(lines), "--json")
    assert code == 0, err
    assert len(sandbox.requests_for(ACTION_CREATE)) == 2


def test_resume_finishes_a_seedance_job_with_only_the_ark_key(sandbox, env_for, capsys):
    env_for(sandbox, jimeng=False)
    code, out, err = run(capsys, "generate", "a kite", "--model", "seedance-2.0", "--no-wait")
    assert code == 0, err
    task_id = out.strip()
    assert task_id.startswith("cgt-")
    code, out, err = run(capsys, "resume", "--json")
    assert code == 0, err
    (job,) = json.loads(out)
    assert (job["task_id"], job["status"], job["model"]) == (task_id, "saved", SEEDANCE)
    assert len(sandbox.requests_for(ACTION_CREATE)) == 1
