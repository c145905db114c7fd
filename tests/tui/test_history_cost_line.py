"""History's details say what each job cost (issue 16: "History shows spend per job")."""

from __future__ import annotations

from jimeng_tui.domain.prices import cost_text, job_cost


def test_each_kind_of_job_gets_its_cost_words():
    saved = job_cost("saved", {"cost": 5.0094, "currency": "CNY"}, service="ark", has_task=True)
    assert cost_text(saved) == "5.01 CNY (billed)"
    failed = job_cost("failed", {"currency": "CNY"}, service="ark", has_task=True)
    assert cost_text(failed) == "nothing (not billed)"
    unpriced = job_cost("saved", {}, service="jimeng3", has_task=True)
    assert cost_text(unpriced).startswith("unknown")
