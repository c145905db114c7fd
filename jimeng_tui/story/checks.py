"""Every shot of a storyboard checked against the engine before anything is sent.

Apart from ``board.py`` (which ``jobs.py``'s checks serve while reading the file) so that the
modules form no cycle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.story.board import Storyboard
from jimeng_tui.story.jobs import preflight_shot, served

if TYPE_CHECKING:
    from jimeng_tui.jobs.engine import Engine

# what a request's field is called in a storyboard file
FILE_FIELDS = {"first_image": "from", "last_image": "end", "duration": "length"}


class ShotRefused(ValidationError):
    """A shot that cannot be sent (nothing was); ``shot`` is its number."""

    def __init__(self, shot: int, error: ValidationError):
        name = error.field or "request"
        super().__init__(FILE_FIELDS.get(name, name), error.reason)  # reason names what is allowed
        self.shot = shot

    def __str__(self) -> str:
        return f"shot {self.shot}: {self.field}: {self.reason}"


async def preflight_board(engine: Engine, board: Storyboard) -> None:
    """Every shot the engine can drive and every image it names readable and within the
    limits, before anything is sent; ShotRefused for the first that is not. (A chained shot's
    first frame does not exist yet: its end image alone is checked.)"""
    for shot in board.shots:
        # a chained shot: its end image stands in for its first frame (the same reads, limits)
        stand_in = shot.end_image if shot.chained else None
        fields = shot.video_input(board.fps, stand_in)
        try:
            served(engine, fields)
            if not shot.chained or stand_in:
                await preflight_shot(engine, fields, board.folder)
        except ValidationError as exc:
            if stand_in and exc.field in ("first_image", "last_image", "from"):
                exc = ValidationError("end", exc.reason)  # the only image this shot names
            raise ShotRefused(shot.index, exc) from None


__all__ = ["ShotRefused", "preflight_board"]
