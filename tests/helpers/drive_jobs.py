"""A process that drives jobs with the engine, for crash tests: ``create N`` or ``resume``.

Talks to the service named by the environment (JIMENG_VIDEO_API_URL, VOLC_* keys), like the CLI.
"""

from __future__ import annotations

import asyncio
import sys

from jimeng_tui.api.request import GenerationRequest
from jimeng_tui.jobs.engine import Engine


async def main(argv: list[str]) -> int:
    engine = Engine.open()
    try:
        if argv[0] == "create":
            jobs = [
                await engine.runner.create(GenerationRequest(prompt=f"crash test job {i}"))
                for i in range(int(argv[1]))
            ]
            ids = [job.id for job in jobs]
        else:
            ids = [job.id for job in engine.runner.resumable()]
        print("driving", len(ids), flush=True)
        await asyncio.gather(*(engine.runner.drive(i) for i in ids))
    finally:
        await engine.aclose()
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(sys.argv[1:])))
