"""SandboxServer: the sandbox app under uvicorn in a background thread, on a loopback port."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from typing import Any

import uvicorn

from jimeng_tui.sandbox import samples
from jimeng_tui.sandbox.app import create_app
from jimeng_tui.sandbox.ark import API_PREFIX
from jimeng_tui.sandbox.ark.state import ArkState, ArkTask
from jimeng_tui.sandbox.options import DEFAULT_HOST, SandboxOptions
from jimeng_tui.sandbox.state import SandboxState
from jimeng_tui.sandbox.tasks import Task
from jimeng_tui.services.jimeng.signing import Credentials

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0


class SandboxError(RuntimeError):
    pass


class _Server(uvicorn.Server):
    """uvicorn's server; stop() wakes its main loop at once, not at the next 0.1 s tick."""

    wake: asyncio.Event | None = None
    loop: asyncio.AbstractEventLoop | None = None

    async def main_loop(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.wake = asyncio.Event()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit and not self.should_exit:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), 0.1)
            counter = (counter + 1) % 864000
            should_exit = await self.on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        """uvicorn's shutdown, polling every 5 ms instead of sleeping 0.1 s steps (tests stop a
        server per test). Connections are asked to close; after the grace period, tasks are
        cancelled."""
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        deadline = time.monotonic() + (self.config.timeout_graceful_shutdown or 2)
        while (self.server_state.connections or self.server_state.tasks) and not self.force_exit:
            if time.monotonic() > deadline:
                for task in self.server_state.tasks:
                    task.cancel()
                for connection in list(self.server_state.connections):
                    with contextlib.suppress(Exception):
                        connection.transport.abort()
                break
            await asyncio.sleep(0.005)
        for server in self.servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 1.0)

    def request_exit(self) -> None:
        self.should_exit = True
        if self.loop is not None and self.wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop already closed
                self.loop.call_soon_threadsafe(self.wake.set)


class SandboxServer:
    """A running sandbox. ``with SandboxServer(opts) as server: server.base_url …``

    ``port=0`` picks a free port: the socket is bound here before the thread starts, so
    ``base_url`` is known at once and no other process can take the port in between.
    """

    def __init__(
        self, options: SandboxOptions | None = None, host: str = DEFAULT_HOST, port: int = 0
    ):
        self.options = options or SandboxOptions()
        self.host = host
        self.port = port
        self.state = SandboxState(self.options)
        self.app = create_app(state=self.state)
        self.ark: ArkState = self.app.state.ark
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._error: BaseException | None = None

    # lifecycle ----------------------------------------------------------
    def start(self) -> SandboxServer:
        if self._thread is not None:
            raise SandboxError("the sandbox is already started")
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit this: without it a keep-alive answer written in two
        # parts waits ~40 ms for the client's delayed ACK (Nagle), capping a connection at ~23
        # requests per second.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError as exc:
            sock.close()
            raise SandboxError(f"cannot listen on {self.host}:{self.port}: {exc.strerror}") from exc
        sock.listen(128)
        sock.setblocking(False)
        self._socket = sock
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            http="h11",
            lifespan="off",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=2,
            ws="none",
        )
        self._server = _Server(config)
        self._thread = threading.Thread(target=self._run, name="jimeng-sandbox", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive():
                self._cleanup_socket()
                raise SandboxError(f"the sandbox failed to start: {self._error!r}")
            if time.monotonic() > deadline:
                self.stop()
                raise SandboxError("the sandbox did not start within 10 s")
            time.sleep(0.005)
        return self

    def _run(self) -> None:
        assert self._server is not None and self._socket is not None
        try:
            asyncio.run(self._server.serve(sockets=[self._socket]))
        except BaseException as exc:  # reported by start()/stop()
            self._error = exc

    def stop(self) -> None:
        """Stop serving and join the thread (idempotent)."""
        if self._server is not None:
            self._server.request_exit()
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT_S)
            if self._thread.is_alive() and self._server is not None:
                self._server.force_exit = True
                self._thread.join(STOP_TIMEOUT_S)
        self._thread = None
        self._cleanup_socket()

    def _cleanup_socket(self) -> None:
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.close()
            self._socket = None

    def wait(self) -> None:
        """Block until the server thread ends (used by the foreground CLI)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(0.2)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"SandboxServer({self.base_url}, running={self.running})"

    # addresses & keys ------------------------------------------------------
    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        if host in ("0.0.0.0", "[::]"):
            host = "127.0.0.1"
        return f"http://{host}:{self.port}"

    @property
    def credentials(self) -> Credentials:
        return Credentials(self.options.access_key, self.options.secret_key)

    @property
    def ark_base_url(self) -> str:
        """Ark's base URL here (what ``ARK_BASE_URL`` / ``[network] ark_url`` would be)."""
        return self.base_url + API_PREFIX

    @property
    def ark_api_key(self) -> str:
        """The API key the sandbox's Ark accepts (``--ark-api-key``)."""
        return self.options.ark_api_key

    def sample_image_url(self, name: str) -> str:
        if name not in samples.SAMPLES:
            raise KeyError(f"no sample {name!r}; known: {', '.join(samples.SAMPLES)}")
        return f"{self.base_url}/samples/{name}"

    # runtime controls ------------------------------------------------------
    def set_faults(self, **changes: Any) -> None:
        """e.g. ``set_faults(reset_rate=1.0)``, ``set_faults(max_concurrency=2, qps=None)``."""
        self.state.set_faults(**changes)

    def inject(self, kind: str, count: int = 1, action: str | None = None) -> None:
        """The next ``count`` requests (of ``action``: submit/query/video) hit fault ``kind``."""
        self.state.inject(kind, count, action)

    def clear_faults(self) -> None:
        self.state.clear_faults()

    def advance(self, seconds: float) -> None:
        """Move the sandbox clock forward (tasks finish, links and tasks expire); real seconds."""
        self.state.advance(seconds)

    def force_status(self, task_id: str, status: str | None) -> None:
        """Pin a task's status (e.g. "expired"); None returns it to its timeline."""
        if task_id in self.ark.tasks:
            self.ark.force_status(task_id, status)
            return
        self.state.force_status(task_id, status)

    # inspection ---------------------------------------------------------------
    @property
    def requests(self) -> list[dict[str, Any]]:
        """The request log (a copy): one dict per API request and per video download."""
        with self.state.lock:
            return list(self.state.requests)

    def clear_requests(self) -> None:
        with self.state.lock:
            self.state.requests.clear()

    def requests_for(self, action: str) -> list[dict[str, Any]]:
        """Log entries of one action ("CVSync2AsyncSubmitTask", "CVSync2AsyncGetResult",
        "GetVideo")."""
        return [r for r in self.requests if r.get("action") == action]

    def submitted_bodies(self) -> list[dict[str, Any]]:
        """Bodies (image data redacted) of every submit that created a task — including one whose
        answer was lost to a reset — in order."""
        with self.state.lock:
            return [dict(t.body) for t in self.state.tasks.values()]

    @property
    def tasks(self) -> dict[str, Task]:
        with self.state.lock:
            return dict(self.state.tasks)

    def knows(self, task_id: str) -> bool:
        """Whether a query for ``task_id`` finds it (made here, or kept in the task file), a
        Jimeng task or an Ark one."""
        return self.state.lookup(task_id) is not None or self.ark.lookup(task_id) is not None

    def task_status(self, task_id: str) -> str:
        """A task's status as its service says it ("in_queue"… for Jimeng, "queued"… for Ark)."""
        task = self.state.lookup(task_id)
        if task is not None:
            return task.status(self.state.now())
        ark_task = self.ark.lookup(task_id)
        return "not_found" if ark_task is None else ark_task.status(self.state.now())

    @property
    def ark_tasks(self) -> dict[str, ArkTask]:
        """Every Ark task made here and not deleted (cancelled ones too), by id."""
        with self.state.lock:
            return {k: t for k, t in self.ark.tasks.items() if not t.deleted}

    def ark_created_bodies(self) -> list[dict[str, Any]]:
        """Bodies (image data shortened) of every Ark create that made a task, in order —
        including one whose answer was lost or was a 500."""
        with self.state.lock:
            return [dict(t.body) for t in self.ark.tasks.values()]

    def running_tasks(self, access_key: str | None = None) -> int:
        return self.state.running(access_key or self.options.access_key)
