"""Cost on the command line (issue 16): `generate --dry-run`, `batch --dry-run` estimates, a
budget cap refusing before anything is sent, `batch --max-cost` stopping new lines, `spend`."""

from __future__ import annotations

import json

from cli_support import history_jobs

from jimeng_tui.domain.job import JobState
from jimeng_tui.store.paths import app_paths

SUBMIT = "CVSync2AsyncSubmitTask"


def write_batch(tmp_path, durations):
    path = tmp_path / "shots.jsonl"
    lines = [json.dumps({"prompt": f"shot {i}", "duration": d}) for i, d in enumerate(durations)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_generate_dry_run_prints_the_estimate_and_body_and_sends_nothing(
    cli, sandbox_server, write_config
):
    write_config('[prices]\n"t2v_720p:10s" = 2.5\n')
    result = cli("generate", "a fox in snow", "--duration", "8", "--dry-run")
    assert result.returncode == 0, result
    assert "estimate: ≈ 2.50 CNY (renders 10 s, billed as 10 s (trimmed to 8 s here)" in (
        result.stdout
    )
    assert '"frames": 241' in result.stdout and "would send:" in result.stdout
    assert "nothing was sent" in result.stderr
    as_json = cli("generate", "a fox", "--dry-run", "--json")
    data = json.loads(as_json.stdout)
    assert data["dry_run"] is True and data["estimate"]["amount"] is None  # 5 s: not priced
    assert data["body"]["frames"] == 121
    assert sandbox_server.requests_for(SUBMIT) == []
    assert history_jobs() == []


def test_a_dry_run_with_no_price_known_says_unknown_not_zero(cli, sandbox_server, tmp_path):
    """No price for any line: the total is "unknown", never a made-up 0.00."""
    result = cli("batch", str(write_batch(tmp_path, [5, 5])), "--dry-run")
    assert result.returncode == 0, result
    assert "estimated total: unknown for 2 lines: no price is known for any of them" in (
        result.stdout
    )
    assert "0.00 CNY" not in result.stdout
    assert sandbox_server.requests_for(SUBMIT) == []


def test_a_daily_cap_refuses_the_next_generate_with_the_numbers(cli, sandbox_server, write_config):
    write_config("[prices]\nt2v_720p = 2.0\n[budget]\ndaily = 3.0\n")
    assert cli("generate", "first shot", "-q").returncode == 0
    result = cli("generate", "second shot")
    assert result.returncode == 2, result
    assert "today 2.00 of 3.00 CNY; this job ~2.00 CNY" in result.stderr
    assert "--over-budget" in result.stderr
    assert len(sandbox_server.requests_for(SUBMIT)) == 1
    forced = cli("generate", "second shot", "--over-budget", "-q")
    assert forced.returncode == 0, forced
    jobs = sorted(history_jobs(), key=lambda j: j.id)
    assert [j.meta.over_budget for j in jobs] == [False, True]


def test_batch_dry_run_gives_each_line_and_the_total(cli, sandbox_server, tmp_path, write_config):
    write_config('[prices]\nt2v_720p = 1.5\n"t2v_720p:10s" = 2.5\n')
    batch = write_batch(tmp_path, [4, 5, 8])
    result = cli("batch", str(batch), "--dry-run")
    assert result.returncode == 0, result
    assert result.stdout.count("estimate: ≈ 1.50 CNY") == 2
    assert "estimate: ≈ 2.50 CNY (renders 10 s, billed as 10 s" in result.stdout
    assert "estimated total: 5.50 CNY for 3 lines" in result.stdout
    as_json = cli("batch", str(batch), "--dry-run", "--json").stdout
    lines = [json.loads(x) for x in as_json.splitlines() if x]
    assert [x["estimate"]["amount"] for x in lines[:-1]] == [1.5, 1.5, 2.5]
    assert lines[-1]["estimate"] == {
        "amount": 5.5,
        "currency": "CNY",
        "lines": 3,
        "unknown_lines": 0,
    }
    assert sandbox_server.requests_for(SUBMIT) == []


def test_batch_stops_submitting_new_lines_at_max_cost(cli, sandbox_server, tmp_path, write_config):
    write_config("[prices]\nt2v_720p = 2.0\n")
    batch = write_batch(tmp_path, [5, 5, 5, 5, 5])
    result = cli("batch", str(batch), "--max-cost", "5")
    assert result.returncode == 1, result
    assert "line 3: not sent, nor any line after it: over the max-cost budget" in result.stdout
    assert "2 saved" in result.stdout and "3 not started" in result.stdout
    assert len(sandbox_server.requests_for(SUBMIT)) == 2
    assert sorted(j.state for j in history_jobs()) == [JobState.SAVED] * 2


def test_spend_prints_totals_a_bar_per_day_and_json(cli, sandbox_server, write_config):
    write_config('[prices]\nt2v_720p = 1.5\n"t2v_720p:10s" = 2.5\n[budget]\nmonthly = 100\n')
    assert cli("generate", "one", "-q").returncode == 0
    assert cli("generate", "two", "--duration", "10", "-q").returncode == 0
    result = cli("spend")
    assert result.returncode == 0, result
    day_line = next(x for x in result.stdout.splitlines() if x[:4].isdigit())
    assert "4.00" in day_line and "█" in day_line
    assert "total" in result.stdout and "budget: this month 4.00 of 100.00 CNY" in result.stdout
    data = json.loads(cli("spend", "--by", "model", "--json").stdout)
    assert data["total"]["billed"] == 4.0 and data["lines"][0]["key"] == "t2v_720p"
    prices = cli("spend", "--prices").stdout
    assert "doubao-seedance-2-0-260128: 46.00 CNY/1M tokens" in prices and "third-party" in prices
    assert "t2v_720p: 1.50 CNY/video; your config.toml [prices]" in prices
    bad = cli("spend", "--since", "yesterday")
    assert bad.returncode == 2 and "is not a date like 2026-12-01" in bad.stderr


def test_a_price_key_naming_no_model_is_warned_about(cli, write_config):
    write_config('[prices]\n"seedanse-2.0" = 40\n')
    result = cli("generate", "x", "--dry-run")
    assert result.returncode == 0, result
    assert "warning: [prices] 'seedanse-2.0' in config.toml names no model" in result.stderr
    data = json.loads(cli("spend", "--prices", "--json").stdout)
    assert data["unknown_keys"] == ["seedanse-2.0"]


def test_spend_after_a_mixed_batch_counts_failed_lines_as_nothing(
    cli, sandbox_server, tmp_path, write_config
):
    from jimeng_tui.sandbox.options import TEXT_RISK_WORD

    write_config('[prices]\nt2v_720p = 1.5\n"t2v_720p:10s" = 2.5\n')
    path = tmp_path / "mixed.jsonl"
    lines = [
        {"prompt": "a fox", "duration": 5},
        {"prompt": f"a {TEXT_RISK_WORD} scene", "duration": 5},  # refused by moderation
        {"prompt": "a heron", "duration": 8},  # rendered and billed as 10 s
    ]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    result = cli("batch", str(path))
    assert result.returncode == 1, result  # one line failed
    data = json.loads(cli("spend", "--by", "model", "--json").stdout)
    assert data["total"]["billed"] == 4.0  # 1.50 + 0 + 2.50
    assert data["total"]["jobs"] == 3 and data["total"]["unknown_jobs"] == 0


def test_spend_on_a_damaged_history_says_so_without_a_traceback(cli):
    db = app_paths().history_db
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(b"SQLite format 3\x00" + b"\x07" * 4096)
    result = cli("spend")
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr and str(db.name) in result.stderr
