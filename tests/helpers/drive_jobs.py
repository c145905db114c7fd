"""A process that drives jobs with the engine, for crash tests: ``create N``, ``create-missing N``
or ``resume``.

``create-missing N`` creates the jobs "crash test job 0..N-1" not yet in the history, each one
a short random while before driving it (so a kill can land between the row's creation and the
claim of its drive), and prints ``ELSEWHERE job ID`` for a job it created that another process
took from it (the bug of issue 12, item 4). Talks to the service named by the environment
(JIMENG_VIDEO_API_URL, VOLC_* keys; ARK_BASE_URL, ARK_API_KEY), like the CLI. ``CRASH_MODEL``
in the environment makes the jobs of that model (a Seedance alias: 480p, 4 s), else Jimeng 3.0's.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
from pathlib import Path

from jimeng_tui.domain.request import VideoInput
from jimeng_tui.jobs.engine import Engine
from jimeng_tui.jobs.request_builder import build_request
from jimeng_tui.jobs.runner import ClaimedElsewhere
from jimeng_tui.services.jimeng.request import GenerationRequest
from jimeng_tui.session import open_engine
from jimeng_tui.store.history import HistoryQuery


def request_for(prompt: str) -> object:
    model = os.environ.get("CRASH_MODEL")
    if not model:
        return GenerationRequest(prompt=prompt)
    fields = VideoInput(prompt=prompt, model=model, resolution="480p", duration=4)
    return build_request(fields, base_dir=Path.cwd())


async def drive_own(engine: Engine, job_id: int, pause: float) -> None:
    await asyncio.sleep(pause)
    try:
        await engine.runner.drive(job_id)
    except ClaimedElsewhere:
        print(f"ELSEWHERE job {job_id}", file=sys.stderr, flush=True)


async def main(argv: list[str]) -> int:
    engine = open_engine()
    try:
        if argv[0] == "create":
            jobs = [
                await engine.runner.create(request_for(f"crash test job {i}"))
                for i in range(int(argv[1]))
            ]
            ids = [job.id for job in jobs]
        elif argv[0] == "create-missing":
            rng = random.Random()
            have = {j.prompt for j in engine.history.query(HistoryQuery(limit=None))}
            driving = []
            for i in range(int(argv[1])):
                prompt = f"crash test job {i}"
                if prompt in have:
                    continue
                job = await engine.runner.create(request_for(prompt))
                driving.append(asyncio.create_task(drive_own(engine, job.id, rng.uniform(0, 1.0))))
                await asyncio.sleep(rng.uniform(0, 0.15))
            print("driving", len(driving), flush=True)
            await asyncio.gather(*driving)
            return 0
        else:
            ids = [job.id for job in engine.runner.resumable()]
        print("driving", len(ids), flush=True)
        results = await asyncio.gather(
            *(engine.runner.drive(i) for i in ids), return_exceptions=True
        )
    finally:
        await engine.aclose()
    # a job another live process drives was left to it (a concurrent resume): not an error
    errors = [r for r in results if isinstance(r, BaseException)]
    errors = [e for e in errors if not isinstance(e, ClaimedElsewhere)]
    for error in errors:
        print(f"ERROR {error!r}", file=sys.stderr, flush=True)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(sys.argv[1:])))
