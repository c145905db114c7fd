"""Between the prompt form and the engine: which services' models the form offers (those the
session has credentials for; every registered one in the sandbox), and the form's
``VideoInput`` turned into the request a job runs (``jobs.request_builder.build_request``, the
one path every face takes: a ``BuiltRequest`` of whichever service the model belongs to).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jimeng_tui.domain.errors import ValidationError

if TYPE_CHECKING:  # the first screen imports this module; the registry loads after it
    from jimeng_tui.domain.capabilities import Capabilities
    from jimeng_tui.domain.request import VideoInput
    from jimeng_tui.services.base import BuiltRequest

# registry name → (whether the credentials allow it, how to add them: one line on the form)
SERVICE_ACCESS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "jimeng3": (
        lambda credentials: bool(credentials.complete),
        "Jimeng 3.0: add your AccessKey and SecretKey in Settings (F2).",
    ),
    "ark": (
        lambda credentials: bool(credentials.has_ark),
        "Seedance models: add an Ark API key in Settings (F2).",
    ),
}


def offered_services(credentials: Any, *, sandbox: bool) -> tuple[tuple[Capabilities, ...], str]:
    """(the services whose models the form offers, the hint line for the others).

    With no credentials for any (the first run is on screen then) every service is offered."""
    from jimeng_tui.services import registry

    every = registry.all_capabilities()
    if sandbox:
        return every, ""
    usable: list[Capabilities] = []
    hints: list[str] = []
    for caps in every:
        allowed, hint = SERVICE_ACCESS.get(
            caps.service,
            (lambda _c: False, f"{caps.label}: add its credentials in Settings (F2)."),
        )
        if allowed(credentials):
            usable.append(caps)
        else:
            hints.append(hint)
    if not usable:
        return every, " ".join(hints)
    return tuple(usable), " ".join(hints)


def every_service() -> tuple[Capabilities, ...]:
    """Every registered service (the sandbox's view, before the config is read), the built-in
    ones registered first if none is: the studio does it here, after its first frame (their
    tables were ~15 ms of imports before it)."""
    from jimeng_tui.session.services import ensure_builtin

    ensure_builtin()
    return offered_services(None, sandbox=True)[0]


def build_from_form(video: VideoInput, *, default_model: str = "") -> BuiltRequest:
    """The validated request for the form's input, of the chosen model's service
    (ValidationError names the field); image paths are made absolute against the working
    folder, as the CLI does."""
    from jimeng_tui.jobs.request_builder import build_request

    return build_request(video, base_dir=Path.cwd(), default_model=default_model)


def video_input_of(request: BuiltRequest) -> VideoInput:
    """A past job's request (a ``BuiltRequest`` of any service) as the form's input, to load it
    into the form."""
    return video_input_from_params(request.params)


def video_input_from_params(params: Mapping[str, Any]) -> VideoInput:
    """Stored request parameters → the form's input. The model's own options are found by
    their names; what no longer fits is left to the form (it keeps its value)."""
    from jimeng_tui.domain.request import VideoInput
    from jimeng_tui.services import registry

    model_id = str(params.get("model") or params.get("mode") or "")
    try:
        option_names = {o.name for o in registry.find_model(model_id)[1].options}
    except ValidationError:
        option_names = set()
    seed = params.get("seed")
    return VideoInput(
        prompt=str(params.get("prompt") or ""),
        model=model_id,
        duration=params.get("duration"),
        fps=params.get("fps"),
        ratio=params.get("ratio") or params.get("aspect_ratio"),
        resolution=params.get("resolution"),
        first_image=params.get("first_image"),
        last_image=params.get("last_image"),
        reference_images=tuple(params.get("reference_images") or ()),
        seed=None if seed in (None, -1) else seed,
        options={k: v for k, v in params.items() if k in option_names and v is not None},
    )
