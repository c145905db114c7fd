"""The spend ledger and budget caps (issue 16) through the real engine, sandbox and SQLite file:
what each job was billed, totals per day / month / model, and a cap that refuses the N+1th job
with nothing sent."""

from __future__ import annotations

import asyncio
import time

import pytest

from jimeng_tui.domain.job import Job, JobState
from jimeng_tui.domain.meta import JobMeta
from jimeng_tui.domain.prices import PER_MILLION_TOKENS, PER_VIDEO, Price
from jimeng_tui.pricing import BudgetExceeded
from jimeng_tui.sandbox.options import TEXT_RISK_WORD
from jimeng_tui.services.jimeng.request import GenerationRequest
from jimeng_tui.store.history import History
from jimeng_tui.store.spend import period_spend, spend_report

SUBMIT = "CVSync2AsyncSubmitTask"


async def test_each_job_records_its_price_estimate_and_bill(sandbox, engine_for, write_config):
    write_config('[prices]\nt2v_720p = 1.5\n"t2v_720p:10s" = 2.5\n')
    engine = engine_for(sandbox)
    five, eight, refused = await asyncio.gather(
        engine.runner.run(GenerationRequest(prompt="a fox", duration=5)),
        engine.runner.run(GenerationRequest(prompt="a heron", duration=8)),
        engine.runner.run(GenerationRequest(prompt=f"a {TEXT_RISK_WORD} scene", duration=5)),
    )
    assert five.state is JobState.SAVED and eight.state is JobState.SAVED
    assert refused.state is JobState.FAILED
    stored = {j.id: engine.history.get(j.id) for j in (five, eight, refused)}
    assert stored[five.id].meta.price["amount"] == 1.5
    assert stored[five.id].meta.cost == 1.5
    # 8 s renders (and is billed) as 10 s
    assert stored[eight.id].meta.estimate == 2.5 and stored[eight.id].meta.cost == 2.5
    assert stored[eight.id].meta.currency == "CNY"
    report = spend_report(engine.history.path, currency="CNY", by="model")
    assert report.total.billed == pytest.approx(4.0)  # the failed job costs 0
    assert report.total.jobs == 3 and report.total.unknown == 0
    assert [line.key for line in report.lines] == ["t2v_720p"]


async def test_a_daily_cap_refuses_the_third_job_before_anything_is_sent(
    sandbox, engine_for, write_config
):
    write_config("[prices]\nt2v_720p = 2.0\n[budget]\ndaily = 5.0\n")
    engine = engine_for(sandbox)
    for i in range(2):
        job = await engine.runner.run(GenerationRequest(prompt=f"shot {i}"))
        assert job.state is JobState.SAVED
    with pytest.raises(BudgetExceeded) as caught:
        await engine.runner.create(GenerationRequest(prompt="shot 3"))
    message = str(caught.value)
    assert "over the daily budget: today 4.00 of 5.00 CNY; this job ~2.00 CNY" in message
    assert "Nothing was sent" in message and "--over-budget" in message
    assert len(sandbox.requests_for(SUBMIT)) == 2  # no create reached the service
    assert engine.history.get(3) is None  # and no row was written
    # the explicit override goes through, and is recorded on the job
    engine.runner.settings.spend.over_budget = True
    job = await engine.runner.run(GenerationRequest(prompt="shot 3"))
    assert job.state is JobState.SAVED and engine.history.get(job.id).meta.over_budget
    assert len(sandbox.requests_for(SUBMIT)) == 3


async def test_an_unknown_price_passes_no_cap(sandbox, engine_for, write_config):
    write_config("[budget]\nmonthly = 100.0\n")  # Jimeng 3.0 has no known price
    engine = engine_for(sandbox)
    with pytest.raises(BudgetExceeded, match="this job's cost is unknown"):
        await engine.runner.create(GenerationRequest(prompt="a fox"))
    assert sandbox.requests_for(SUBMIT) == []


def _job(created_at: float, mode: str, state: JobState, meta: JobMeta, task: bool = True) -> Job:
    return Job(
        id=None,
        created_at=created_at,
        prompt="p",
        mode=mode,
        req_key=mode,
        params={},
        state=state,
        task_id="t" if task else None,
        meta=meta,
    )


def _ark(tokens: int | None, price: float | None, estimate: float | None) -> JobMeta:
    p = Price(price, PER_MILLION_TOKENS, "CNY", "table")
    return JobMeta(
        service="ark", usage_tokens=tokens, price=p.to_json(), estimate=estimate, currency="CNY"
    )


def _jimeng(price: float | None) -> JobMeta:
    p = Price(price, PER_VIDEO, "CNY", "config")
    return JobMeta(price=p.to_json(), estimate=price, currency="CNY")


def test_ledger_totals_over_a_real_history_with_failed_and_cancelled_jobs(tmp_path):
    day1 = time.mktime((2026, 12, 6, 10, 0, 0, 0, 0, -1))
    day2 = time.mktime((2026, 12, 7, 9, 0, 0, 0, 0, -1))
    nov = time.mktime((2026, 11, 30, 9, 0, 0, 0, 0, -1))
    ark20 = "doubao-seedance-2-0-260128"
    path = tmp_path / "history.sqlite3"
    with History(path) as history:
        history.add_many(
            [
                # Ark saved: the reported tokens × the price kept with the job
                _job(day1, ark20, JobState.SAVED, _ark(108_900, 46.0, 5.2)),
                # Ark failed (moderated), cancelled (deleted while queued): not billed
                _job(day1, ark20, JobState.FAILED, _ark(None, 46.0, 5.0)),
                _job(day2, ark20, JobState.CANCELLED, _ark(None, 46.0, 5.0)),
                # Jimeng cancel only stops tracking: the task may still be billed
                _job(day2, "t2v_720p", JobState.CANCELLED, _jimeng(2.0)),
                _job(day2, "t2v_720p", JobState.SAVED, _jimeng(2.0)),
                _job(day2, "t2v_1080p", JobState.SAVED, _jimeng(None)),  # price unknown
                _job(day2, ark20, JobState.GENERATING, _ark(None, 46.0, 5.01)),  # pending
                _job(day2, ark20, JobState.SUBMIT_UNKNOWN, _ark(None, 46.0, 5.01)),  # maybe
                _job(day2, "t2v_720p", JobState.FAILED, _jimeng(2.0), task=False),
                _job(nov, ark20, JobState.SAVED, _ark(245_025, 51.0, 12.5)),
            ]
        )
    by_day = spend_report(path, currency="CNY", by="day", since=day1 - 3600)
    lines = {line.key: line for line in by_day.lines}
    assert set(lines) == {"2026-12-06", "2026-12-07"}
    assert lines["2026-12-06"].billed == pytest.approx(108_900 * 46.0 / 1e6)
    assert lines["2026-12-07"].billed == pytest.approx(2.0)
    assert lines["2026-12-07"].pending == pytest.approx(5.01)
    assert lines["2026-12-07"].maybe == pytest.approx(5.01 + 2.0)
    assert lines["2026-12-07"].unknown == 1
    by_month = {ln.key: ln for ln in spend_report(path, currency="CNY", by="month").lines}
    assert by_month["2026-11"].billed == pytest.approx(245_025 * 51.0 / 1e6)
    by_model = {ln.key: ln for ln in spend_report(path, currency="CNY", by="model").lines}
    assert by_model["t2v_720p"].billed == pytest.approx(2.0)
    # what counts against today's cap: billed + pending + maybe
    spent = period_spend(path, currency="CNY", now=day2 + 3600)
    assert spent.today.committed == pytest.approx(2.0 + 5.01 + 5.01 + 2.0)
    # amounts in another currency are never added
    usd = spend_report(path, currency="USD", by="day")
    assert usd.total.billed == 0 and sum(usd.other_currencies.values()) > 0
