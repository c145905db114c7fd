"""Raw Ark calls to a sandbox over its real socket (httpx, no client code of ours)."""

from __future__ import annotations

import base64
import io
from typing import Any

import av
import httpx
from PIL import Image

from jimeng_tui.sandbox.ark import models as m

MODEL_20 = "doubao-seedance-2-0-260128"
MODEL_20_FAST = "doubao-seedance-2-0-fast-260128"
MODEL_15 = "doubao-seedance-1-5-pro-251215"
MODEL_10_PRO = "doubao-seedance-1-0-pro-250528"
MODEL_10_PRO_FAST = "doubao-seedance-1-0-pro-fast-251015"
MODEL_LITE_T2V = "doubao-seedance-1-0-lite-t2v-250428"
MODEL_LITE_I2V = "doubao-seedance-1-0-lite-i2v-250428"
ALL_MODELS = (
    MODEL_20,
    MODEL_20_FAST,
    MODEL_15,
    MODEL_10_PRO,
    MODEL_10_PRO_FAST,
    MODEL_LITE_T2V,
    MODEL_LITE_I2V,
)
# The Python SDK's create body with nothing set: every optional field is null (contract 2.1).
SDK_NULLS = dict.fromkeys(
    [
        "safety_identifier",
        "callback_url",
        "return_last_frame",
        "service_tier",
        "execution_expires_after",
        "priority",
        "generate_audio",
        "draft",
        "camera_fixed",
        "watermark",
        "seed",
        "resolution",
        "ratio",
        "duration",
        "frames",
        "tools",
        "output_format",
        "omni_reference_task_type",
    ]
)

_http = httpx.Client(timeout=30.0, trust_env=False)


def text(prompt: str = "a red kite over the sea") -> dict[str, Any]:
    return {"type": "text", "text": prompt}


def image_bytes(width: int, height: int, fmt: str = "PNG", colour=(40, 120, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buf, format=fmt)
    return buf.getvalue()


def data_url(width: int = 1280, height: int = 720, fmt: str = "png", **kw: Any) -> str:
    pillow = {"jpeg": "JPEG", "jpg": "JPEG"}.get(fmt.lower(), fmt.upper())
    raw = image_bytes(width, height, pillow, **kw)
    return f"data:image/{fmt};base64,{base64.b64encode(raw).decode()}"


def image(url: str, role: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "image_url", "image_url": {"url": url}}
    if role is not None:
        item["role"] = role
    return item


def body(model: str = MODEL_20, *content: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"model": model, "content": list(content) or [text()], **fields}


class Ark:
    """The four task calls against ``server.ark_base_url`` with its key (or ``key``)."""

    def __init__(self, server: Any, key: str | None = None):
        self.server = server
        self.url = server.ark_base_url + "/contents/generations/tasks"
        self.key = server.ark_api_key if key is None else key

    def headers(self, key: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key if key is None else key}"}

    def create(self, payload: Any, **kw: Any) -> httpx.Response:
        """POST a body (raw bytes are sent as they are)."""
        headers = kw.pop("headers", self.headers())
        if isinstance(payload, bytes):
            return _http.post(self.url, content=payload, headers=headers, **kw)
        return _http.post(self.url, json=payload, headers=headers, **kw)

    def get(self, task_id: str) -> httpx.Response:
        return _http.get(f"{self.url}/{task_id}", headers=self.headers())

    def list(self, params: Any = None) -> httpx.Response:
        return _http.get(self.url, params=params, headers=self.headers())

    def delete(self, task_id: str) -> httpx.Response:
        return _http.delete(f"{self.url}/{task_id}", headers=self.headers())

    def created(self, payload: Any) -> str:
        """Create; the task id (asserting a 200)."""
        reply = self.create(payload)
        assert reply.status_code == 200, reply.text
        return reply.json()["id"]

    def finished(self, payload: Any) -> dict[str, Any]:
        """Create, step the sandbox clock past the task's end, GET it."""
        task_id = self.created(payload)
        self.server.advance(60)
        reply = self.get(task_id)
        assert reply.status_code == 200, reply.text
        return reply.json()


def download(url: str) -> httpx.Response:
    return _http.get(url)


def error_of(reply: httpx.Response, status: int, code: str, param: str | None = None) -> dict:
    """The contract's error body (section 6), with the request id in message and header."""
    assert reply.status_code == status, reply.text
    error = reply.json()["error"]
    assert set(error) == {"code", "message", "param", "type"}, error
    assert error["code"] == code, error
    request_id = reply.headers["x-request-id"]
    assert error["message"].endswith(f"Request id: {request_id}"), error
    if param is not None:
        assert error["param"] == param, error
    return error


def probe(data: bytes) -> dict[str, Any]:
    with av.open(io.BytesIO(data)) as container:
        video = container.streams.video[0]
        frames = sum(1 for _ in container.decode(video))
        return {
            "frames": frames,
            "size": (video.codec_context.width, video.codec_context.height),
            "fps": float(video.average_rate),
            "audio": [s.codec_context.name for s in container.streams.audio],
            "seconds": float(container.duration or 0) / av.time_base,
        }


def expected_size(model: str, resolution: str, ratio: str) -> tuple[int, int]:
    return m.MODELS[model].size(resolution, ratio)
