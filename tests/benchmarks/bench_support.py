"""What several benchmarks share: a sandbox in its own process, and synthetic history rows."""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

from jimeng_tui.domain.job import Job, JobState

_SAMPLE_TEXT = (
    "a red fox runs through snow at dusk slow dolly in on old lighthouse neon city "
    "rain cinematic wide shot of mountains golden hour ocean waves crash against "
    "cliffs drone flying over forest astronaut walking on the moon close up portrait "
    "smiling child"
)
WORDS_EN = tuple(_SAMPLE_TEXT.split())
WORDS_ZH = (
    "一只猫",
    "在草地上",
    "奔跑",
    "城市夜景",
    "霓虹灯",
    "闪烁",
    "海浪",
    "拍打",
    "礁石",
    "日落",
)
MODES = ("t2v_720p", "t2v_1080p", "ti2v_pro", "i2v_first_720p")
STATES = (JobState.SAVED,) * 8 + (JobState.FAILED, JobState.CANCELLED)
TYPED_EN = "sunset over the ocean"  # also planted in every 97th prompt
TYPED_ZH = "城市夜景霓虹"


def user_env(**extra: str) -> dict[str, str]:
    """os.environ plus ``extra``, as a user's shell has it: .pyc files written and read (a
    PYTHONDONTWRITEBYTECODE left in a sandbox's environment would compile every module of
    every start again)."""
    env = {**os.environ, **extra}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sandbox_process(port: int, generate_seconds: float = 100000) -> subprocess.Popen:
    """`python -m jimeng_tui.sandbox` on ``port``, its tasks generating for a day (or
    ``generate_seconds``); returns once it accepts connections (so only the client side is
    measured in this process)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jimeng_tui.sandbox",
            "--port",
            str(port),
            "--queue-seconds",
            "1",
            "--generate-seconds",
            str(generate_seconds),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the sandbox did not start")


def synthetic_jobs(n: int, seed: int) -> Iterator[Job]:
    """``n`` finished-looking jobs, 30 s apart: 30 % Chinese prompts, files that do not exist."""
    rng = random.Random(seed)
    t0 = 1_700_000_000.0
    for i in range(n):
        if rng.random() < 0.3:
            prompt = "".join(rng.sample(WORDS_ZH, 4))
        else:
            prompt = " ".join(rng.choices(WORDS_EN, k=rng.randint(8, 30)))
        if i % 97 == 0:
            prompt += " " + TYPED_EN
        mode = rng.choice(MODES)
        yield Job(
            id=None,
            created_at=t0 + i * 30 + rng.random(),
            prompt=prompt,
            mode=mode,
            req_key="jimeng_" + mode,
            params={"prompt": prompt, "mode": mode, "duration": 5, "fps": 24, "seed": i},
            state=rng.choice(STATES),
            image_hashes=[f"{rng.getrandbits(256):064x}"],
            task_id=str(rng.getrandbits(60)),
            request_id=f"{i:020d}",
            submitted_at=t0 + i * 30,
            finished_at=t0 + i * 30 + rng.uniform(30, 200),
            duration_s=rng.choice((4.0, 5.0, 6.0, 8.0, 10.0)),
            fps=24.0,
            width=1280,
            height=720,
            size_bytes=rng.randint(1_000_000, 30_000_000),
            path=f"/nonexistent/videos/{i}.mp4",
            favourite=rng.random() < 0.05,
        )
