"""A test-only service behind the service interface: the seam demonstration of issue 14.

It answers from memory and "renders" each task as a real small MP4 in a folder that a tiny
loopback HTTP server (``serve_folder``) hands out, so the engine's own downloader, verifier and
saver run on it unchanged. Nothing outside this file knows it: it is registered by name with
``registry.register("fake", FakeService, FAKE_CAPS, FAKE_CODEC, target=...)`` (its own target:
it needs no settings) and reached only through ``Service`` and its ``RequestCodec``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from media_support import make_video

from jimeng_tui.domain.capabilities import Capabilities, ImageLimits, ModelCaps
from jimeng_tui.domain.errors import JimengError, ValidationError
from jimeng_tui.domain.request import VideoInput
from jimeng_tui.services.base import (
    BuiltRequest,
    Outcome,
    RemoteStatus,
    RequestSummary,
    ServiceFailure,
    Submitted,
    Target,
    TaskView,
)

FAKE_FPS = 24
FAKE_SECONDS = 2

FAKE_CAPS = Capabilities(
    service="fake",
    label="Fake service",
    models=(
        ModelCaps(
            id="fake-1",
            label="Fake model 1",
            durations=(FAKE_SECONDS,),
            native_durations=(FAKE_SECONDS,),
            fps=(FAKE_FPS,),
            native_fps=FAKE_FPS,
        ),
    ),
    image_limits=ImageLimits(
        max_bytes=1_000_000,
        min_side=16,
        max_side=1024,
        min_ratio=0.5,
        max_ratio=2.0,
        formats=frozenset({"png"}),
        send_as="data_url",
    ),
)


@dataclass(frozen=True)
class FakeRequest:
    """The fake's own typed request (the engine treats it as opaque)."""

    prompt: str
    model: str = "fake-1"
    duration: int = FAKE_SECONDS
    fps: int = FAKE_FPS


def fake_request(params: Mapping[str, object]) -> FakeRequest:
    known = FakeRequest.__dataclass_fields__
    return FakeRequest(**{k: v for k, v in params.items() if k in known})  # type: ignore[arg-type]


def fake_summary(request: object) -> RequestSummary:
    assert isinstance(request, FakeRequest)
    return RequestSummary(
        request.prompt, request.model, request.model, asdict(request), request.duration, request.fps
    )


def check(request: FakeRequest) -> None:
    model = FAKE_CAPS.model(request.model)
    if not request.prompt.strip():
        raise ValidationError("prompt", "the fake needs a prompt")
    if request.duration not in model.durations:
        raise ValidationError("duration", f"{request.duration} s is not offered", model.durations)


class FakeCodec:
    """The fake's request builder: a prompt, the model, its one length and frame rate."""

    def build(self, fields: VideoInput, *, base_dir: Path) -> BuiltRequest:
        for name in ("ratio", "resolution", "first_image", "last_image"):
            if getattr(fields, name) is not None:
                raise ValidationError(name, "the fake model takes none")
        for name in fields.options:
            raise ValidationError(name, "the fake model takes no options")
        request = FakeRequest(
            prompt=fields.prompt,
            model=FAKE_CAPS.model(fields.model or "fake-1").id,
            duration=fields.duration or FAKE_SECONDS,
            fps=fields.fps or FAKE_FPS,
        )
        return self.from_params(asdict(request))

    def from_params(self, params: Mapping[str, object]) -> BuiltRequest:
        request = fake_request(params)
        check(request)
        return BuiltRequest("fake", asdict(request), fake_summary(request))


FAKE_CODEC = FakeCodec()


@dataclass
class FakeTask:
    body: Mapping[str, object]
    polls: int = 0


class FakeService:
    """Queued on the first query, running on the second, succeeded with a video after."""

    name = "fake"
    _ids = itertools.count(1)

    def __init__(self, target: Target) -> None:
        self.endpoint = target.base_url  # the loopback server's root
        self.folder = Path(target.credentials["video_folder"])  # what that server hands out
        self.tasks: dict[str, FakeTask] = {}
        self.limit_listener: Callable[[Outcome], None] | None = None

    def capabilities(self) -> Capabilities:
        return FAKE_CAPS

    def request_from_params(self, params: Mapping[str, object]) -> FakeRequest:
        return fake_request(params)

    def summary(self, request: object) -> RequestSummary:
        return fake_summary(request)

    def validate(self, request: object) -> None:
        assert isinstance(request, FakeRequest)
        check(request)

    async def build_body(self, request: object) -> Mapping[str, object]:
        self.validate(request)
        assert isinstance(request, FakeRequest)
        return {"model": request.model, "prompt": request.prompt}

    async def submit(self, body: Mapping[str, object]) -> Submitted:
        task_id = f"fake-{next(self._ids)}"
        self.tasks[task_id] = FakeTask(dict(body))
        return Submitted(task_id, f"req-{task_id}", dict(body))

    async def query(self, task_id: str, request: object) -> TaskView:
        task = self.tasks.get(task_id)
        if task is None:
            return TaskView(task_id, RemoteStatus.EXPIRED)
        task.polls += 1
        if task.polls == 1:
            return TaskView(task_id, RemoteStatus.QUEUED)
        if task.polls == 2:
            return TaskView(task_id, RemoteStatus.RUNNING)
        video = self.folder / f"{task_id}.mp4"
        if not video.exists():
            await asyncio.to_thread(make_video, video, FAKE_SECONDS * FAKE_FPS + 1, FAKE_FPS)
        return TaskView(task_id, RemoteStatus.SUCCEEDED, video_url=f"{self.endpoint}/{video.name}")

    async def cancel(self, task_id: str) -> bool:
        return self.tasks.pop(task_id, None) is not None

    async def list_tasks(self, since: float) -> Sequence[TaskView]:
        return [TaskView(task_id, RemoteStatus.QUEUED) for task_id in self.tasks]

    def classify(self, exc: BaseException, *, during_submit: bool) -> ServiceFailure:
        outcome = Outcome.UNKNOWN if during_submit else Outcome.RETRY
        if not isinstance(exc, JimengError):
            outcome = Outcome.NO_RETRY
        return ServiceFailure(outcome, "fake", str(exc))

    def set_limit_listener(self, listener: Callable[[Outcome], None] | None) -> None:
        self.limit_listener = listener

    async def aclose(self) -> None:
        self.tasks.clear()


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """A loopback HTTP server handing out ``folder``'s files; yields its base URL."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
