"""What jimeng-tui records about a job besides the request itself (the ``meta`` column).

Until schema 4 these lived in ``job.params`` beside the request's own fields, under keys such as
``_batch``, ``_request_body``, ``_service``, ``_refusals``, ``_link_dropped`` and ``output``.
:func:`split_params` takes such a dict apart (the history migration uses it); a key it does not
know is kept in ``JobMeta.extra`` under its old name, never dropped.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# params keys of older versions that are bookkeeping, not part of the request
OLD_KEYS: dict[str, str] = {
    "_batch": "batch",
    "_refusals": "refusals",
    "_request_body": "sent_body",
    "_service": "endpoint",
    "_link_dropped": "link_dropped",
    "output": "output",
}


@dataclass(frozen=True)
class BatchOrigin:
    """The batch file line a job was made from (``jimeng-tui batch``)."""

    path: str  # the file's absolute path
    sha256: str  # of the file's bytes when the job was made
    line: int  # 1-based
    request: str = ""  # the line's request fingerprint
    repeat: int = 0  # 0 for the first line with this fingerprint, 1 for the second, ...

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BatchOrigin:
        line = data.get("line")
        return cls(
            path=str(data.get("path", data.get("file", ""))),  # "file" before schema 4
            sha256=str(data.get("sha256", "")),
            line=line if isinstance(line, int) else 0,
            request=str(data.get("request", "")),
            repeat=int(data.get("repeat", 0) or 0),
        )


@dataclass
class JobMeta:
    """Bookkeeping kept with a job; never sent to the service as part of the request."""

    batch: BatchOrigin | None = None
    refusals: int = 0  # submits refused with a safe-to-resend code in a row
    sent_body: dict[str, Any] | None = None  # the exact body submitted, image data left out
    endpoint: str | None = None  # the base URL of the service holding the task
    output: str | None = None  # the file name asked for with --output
    link_dropped: str | None = None  # why the video link was dropped; read once, then cleared
    # the registry name of the service holding the task; None in rows before Ark: "jimeng3"
    service: str | None = None
    usage_tokens: int | None = None  # what the service says it counted (Ark: completion_tokens)
    last_frame_path: str | None = None  # the service's last frame, saved beside the video
    last_frame_url: str | None = None  # where the service holds that frame (Ark: 24 h)
    has_audio: bool | None = None  # the saved file has a sound track (None: not measured)
    # cost (issue 16): the price in force when the job was made (domain.prices.Price JSON), the
    # estimate then, what it was billed once saved, the currency, and whether a budget cap was
    # passed on purpose (--over-budget)
    price: dict[str, Any] | None = None
    estimate: float | None = None
    cost: float | None = None
    currency: str | None = None
    over_budget: bool = False
    extra: dict[str, Any] = field(default_factory=dict)  # keys this version does not know

    def to_json(self) -> dict[str, Any]:
        """Only what is set, so an empty meta is ``{}``."""
        out: dict[str, Any] = {}
        if self.batch is not None:
            out["batch"] = self.batch.to_json()
        if self.refusals:
            out["refusals"] = self.refusals
        if self.over_budget:
            out["over_budget"] = True
        for name in (
            "sent_body",
            "endpoint",
            "output",
            "link_dropped",
            "service",
            "usage_tokens",
            "last_frame_path",
            "last_frame_url",
            "has_audio",
            "price",
            "estimate",
            "cost",
            "currency",
        ):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.extra:
            out["extra"] = dict(self.extra)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> JobMeta:
        if not data:
            return cls()
        batch = data.get("batch")
        extra = data.get("extra")
        return cls(
            batch=BatchOrigin.from_json(batch) if isinstance(batch, Mapping) else None,
            refusals=int(data.get("refusals", 0) or 0),
            sent_body=data.get("sent_body"),
            endpoint=data.get("endpoint"),
            output=data.get("output"),
            link_dropped=data.get("link_dropped"),
            service=_str_or_none(data.get("service")),
            usage_tokens=_int_or_none(data.get("usage_tokens")),
            last_frame_path=_str_or_none(data.get("last_frame_path")),
            last_frame_url=_str_or_none(data.get("last_frame_url")),
            has_audio=data.get("has_audio") if isinstance(data.get("has_audio"), bool) else None,
            price=dict(data["price"]) if isinstance(data.get("price"), Mapping) else None,
            estimate=_float_or_none(data.get("estimate")),
            cost=_float_or_none(data.get("cost")),
            currency=_str_or_none(data.get("currency")),
            over_budget=data.get("over_budget") is True,
            extra=dict(extra) if isinstance(extra, Mapping) else {},
        )

    def copy(self) -> JobMeta:
        return JobMeta.from_json(self.to_json())

    @property
    def service_name(self) -> str:
        """The service holding the task (rows written before Ark are Jimeng 3.0's)."""
        return self.service or "jimeng3"


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float_or_none(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _fits(name: str, value: Any) -> bool:
    """Whether an old value has the shape its field takes (else it is kept in ``extra``)."""
    if name == "batch":
        return isinstance(value, Mapping)
    if name == "refusals":
        return isinstance(value, int)
    if name == "sent_body":
        return isinstance(value, dict)
    return isinstance(value, str)


def split_params(params: Mapping[str, Any]) -> tuple[dict[str, Any], JobMeta]:
    """An old ``params`` dict → (the request's own fields, the meta it carried)."""
    request: dict[str, Any] = {}
    moved: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in params.items():
        if key in OLD_KEYS and _fits(OLD_KEYS[key], value):
            moved[OLD_KEYS[key]] = value
        elif key.startswith("_"):
            extra[key] = value
        else:
            request[key] = value
    meta = JobMeta.from_json(moved)
    meta.extra = extra
    return request, meta


__all__ = ["OLD_KEYS", "BatchOrigin", "JobMeta", "split_params"]
