"""argparse value types with a clear message for a bad value (argparse turns it into exit 2).

They live here, in the emulator, because ``python -m jimeng_tui.sandbox`` needs them and must
not import the ``jimeng-tui`` command line; ``jimeng-tui`` uses them too (``cli/parser.py``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

from jimeng_tui.sandbox.ark_settings import DENY_CODES

Number = TypeVar("Number", int, float)


def checked(
    convert: Callable[[str], Number], what: str, ok: Callable[[Number], bool], rule: str
) -> Callable[[str], Number]:
    """A value type: ``convert`` the text, then check it with ``ok``; else a clear message."""

    def parse(text: str) -> Number:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"{value} {rule}")
        return value

    return parse


positive_int = checked(int, "a whole number", lambda v: v >= 1, "must be at least 1")
positive_float = checked(float, "a number", lambda v: v > 0, "must be greater than 0")
non_negative_float = checked(float, "a number", lambda v: v >= 0, "must not be negative")
probability = checked(
    float, "a number", lambda v: 0.0 <= v <= 1.0, "is not a probability between 0 and 1"
)
port = checked(
    int, "a port number", lambda v: 0 <= v <= 65535, "is not a port (0-65535; 0 picks a free one)"
)


def ark_deny_code(text: str) -> str:
    if text not in DENY_CODES:
        raise argparse.ArgumentTypeError(f"{text!r} is not one of {', '.join(DENY_CODES)}")
    return text


def ark_model_id(text: str) -> str:
    """A Seedance model id of the sandbox's table."""
    from jimeng_tui.sandbox.ark.models import MODELS

    if text not in MODELS:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a Seedance model id (known: {', '.join(MODELS)})"
        )
    return text


def endpoint_pair(text: str) -> tuple[str, str]:
    """``ep-…=MODEL`` → (endpoint, model id)."""
    endpoint, sep, model = text.partition("=")
    if not sep or not endpoint.startswith("ep-"):
        raise argparse.ArgumentTypeError(f"{text!r} is not EP=MODEL with EP starting ep-")
    return endpoint, ark_model_id(model)
