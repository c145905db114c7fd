"""The agent server's jobs go through the one request path: any registered service's model
(a Seedance model beside Jimeng 3.0's modes) becomes a job on that service."""

from __future__ import annotations

from pathlib import Path

from jimeng_tui.agent.jobs import make_job, make_rerun
from jimeng_tui.domain.job import JobState
from jimeng_tui.domain.meta import JobMeta
from jimeng_tui.domain.request import VideoInput


async def test_a_seedance_model_and_a_jimeng_mode_each_run_on_their_service(
    engine_for, sandbox, tmp_path: Path
):
    engine = engine_for(sandbox)
    made = [
        await make_job(engine, VideoInput(prompt="a kite", model=model), tmp_path, meta=JobMeta())
        for model in ("seedance-2.0", "t2v_720p")
    ]
    done = [await engine.runner.drive(new.job.id) for new in made]
    assert [(j.state, j.meta.service, j.mode) for j in done] == [
        (JobState.SAVED, "ark", "doubao-seedance-2-0-260128"),
        (JobState.SAVED, "jimeng3", "t2v_720p"),
    ]
    again = await make_rerun(engine, done[0], meta=JobMeta())
    assert (again.meta.service, again.params["prompt"]) == ("ark", "a kite")
