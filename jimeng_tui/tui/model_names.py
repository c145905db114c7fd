"""How the studio names a model where room is short (the job list, the paid confirmation):
the shortest of its id and aliases — Jimeng 3.0's modes by their names (``t2v_720p``), the
Seedance models by their aliases (``seedance-2.0``, not ``doubao-seedance-2-0-260128``).
Read from the registry here, for the widgets (which import no service)."""

from __future__ import annotations

from functools import cache

from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.services import registry


@cache
def short_model_name(model_id: str) -> str:
    """``model_id``'s shortest name; a model no service knows keeps its id."""
    try:
        _, model = registry.find_model(model_id)
    except ValidationError:
        return model_id
    return min((model.id, *model.aliases), key=len)


def model_label(model_id: str) -> str:
    """The model's label ("Seedance 2.0"), or its id when no service knows it."""
    try:
        return registry.find_model(model_id)[1].label
    except ValidationError:
        return model_id


def fitted_model_name(model_id: str, width: int) -> str:
    """The short name when it fits in ``width`` cells; else the label with its first word cut
    to its initial ("S2.0 fast" for Seedance 2.0 fast), so a narrow column still says which
    version it is (the caller cuts what is still too long)."""
    name = short_model_name(model_id)
    if len(name) <= width:
        return name
    first, _, rest = model_label(model_id).partition(" ")
    return f"{first[:1]}{rest}" if rest else name
