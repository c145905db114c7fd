"""The older interface's parameters at the end of the prompt, e.g. ``"… --ratio 1:1 --dur 5"``
(ark-contract.md 2.5). The emulator accepts both forms; where both give a field, the body wins
(which one the service prefers is unverified). Unknown ``--words`` are left as prompt text."""

from __future__ import annotations

import re
from typing import Any

from jimeng_tui.sandbox.ark import models as m
from jimeng_tui.sandbox.ark.errors import invalid

# command (long and short forms; the short ones are unverified) → body field
COMMANDS = {
    "resolution": "resolution",
    "rs": "resolution",
    "ratio": "ratio",
    "rt": "ratio",
    "duration": "duration",
    "dur": "duration",
    "frames": "frames",
    "seed": "seed",
    "camerafixed": "camera_fixed",
    "cf": "camera_fixed",
    "watermark": "watermark",
    "wm": "watermark",
    "fps": "fps",
}
_INTS = {"duration", "frames", "seed", "fps"}
_BOOLS = {"camera_fixed", "watermark"}
_COMMAND = re.compile(r"(?:^|\s)--([A-Za-z]+)\s+(\S+)")


def with_text_commands(body: dict[str, Any], prompt: str) -> dict[str, Any]:
    """``body`` plus the fields the prompt's text commands give and the body does not."""
    merged = dict(body)
    for name, text in _COMMAND.findall(prompt):
        field = COMMANDS.get(name.lower())
        if field is None:
            continue
        value: Any = text
        if field in _INTS:
            try:
                value = int(text)
            except ValueError:
                raise invalid(field, f"--{name} {text}: must be a whole number") from None
        elif field in _BOOLS:
            if text.lower() not in ("true", "false"):
                raise invalid(field, f"--{name} {text}: must be true or false")
            value = text.lower() == "true"
        if field == "fps":
            if value != m.FPS:
                raise invalid("fps", f"--{name} {text}: the only frame rate is {m.FPS}")
            continue
        merged.setdefault(field, value)
    return merged
