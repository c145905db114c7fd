"""The part of a ``Service`` every service writes the same way: its tables, its request type,
the endpoint of its client. A service class names ``caps`` and ``request_type`` and inherits the
rest; what talks to the wire (build, submit, query, classify…) stays its own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, Protocol, Self, TypeVar

from jimeng_tui.domain.capabilities import Capabilities


class StoredRequest(Protocol):
    """A service's typed request: rebuilt from a job's stored params, checked before sending."""

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Self: ...

    def validate(self) -> None: ...


class _Client(Protocol):
    base_url: str


RequestT = TypeVar("RequestT", bound=StoredRequest)


class ServiceBase(Generic[RequestT]):
    name: str
    caps: Capabilities
    request_type: type[RequestT]
    client: _Client

    @property
    def endpoint(self) -> str:
        return self.client.base_url

    def capabilities(self) -> Capabilities:
        return self.caps

    def request_from_params(self, params: Mapping[str, object]) -> RequestT:
        return self.request_type.from_params(dict(params))

    def validate(self, request: object) -> None:
        self.checked(request).validate()

    def checked(self, request: object) -> RequestT:
        """``request`` if it is this service's own request type (a TypeError otherwise: a bug)."""
        if not isinstance(request, self.request_type):
            raise TypeError(
                f"the {self.name} service takes a {self.request_type.__name__}, "
                f"not {type(request).__name__}"
            )
        return request
