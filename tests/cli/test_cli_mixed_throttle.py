"""A mixed batch (Jimeng 3.0 and Seedance lines) runs through one throttle per service (issue 15,
"Must show"): with ``max_concurrency = 2`` neither service ever had more than 2 of our tasks
queued or running at once, by the sandbox's own clock, and neither was refused for concurrency;
every line is saved and each task was made once."""

from __future__ import annotations

import json

from jimeng_tui.sandbox.ark import ACTION_CREATE
from tests.cli import test_cli_models as models_cli

env_for = models_cli.env_for
LINES = 6  # of each service


def most_at_once(tasks) -> int:
    """The largest number of ``tasks`` queued or running at one moment (sandbox clock)."""
    edges = sorted(
        [(t.created_at, 1) for t in tasks] + [(t.done_at, -1) for t in tasks],
        key=lambda edge: (edge[0], edge[1]),  # an end before a start at the same moment
    )
    now = peak = 0
    for _, step in edges:
        now += step
        peak = max(peak, now)
    return peak


def test_a_mixed_batch_keeps_each_service_within_its_own_limit(
    sandbox_factory, env_for, capsys, tmp_path, write_config
):
    sandbox = sandbox_factory(max_concurrency=2, generate_seconds=6.0)
    env_for(sandbox)
    write_config("[network]\nmax_concurrency = 2\n")
    lines = tmp_path / "mixed.jsonl"
    rows = []
    for i in range(LINES):
        rows.append({"prompt": f"jimeng line {i}", "mode": "t2v_720p"})
        rows.append(
            {
                "prompt": f"seedance line {i}",
                "model": "seedance-2.0-fast",
                "duration": 4,
                "resolution": "480p",
            }
        )
    lines.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")

    code, out, err = models_cli.run(capsys, "batch", str(lines), "--json")

    assert code == 0, err
    done = [json.loads(line) for line in out.splitlines()]
    assert [d["outcome"] for d in done if d["type"] == "line"] == ["saved"] * (2 * LINES)
    jimeng_tasks = list(sandbox.state.tasks.values())
    ark_tasks = list(sandbox.ark.tasks.values())
    assert (len(jimeng_tasks), len(ark_tasks)) == (LINES, LINES)  # each made once
    assert most_at_once(jimeng_tasks) == 2  # both services ran two at a time...
    assert most_at_once(ark_tasks) == 2
    assert most_at_once(jimeng_tasks + ark_tasks) > 2  # side by side: a throttle each
    refused = [r for r in sandbox.requests if r.get("code") in ("InflightBatchsizeExceeded", 50430)]
    assert refused == []  # never past the service's limit
    assert len([r for r in sandbox.requests_for(ACTION_CREATE) if r["http_status"] == 200]) == LINES
