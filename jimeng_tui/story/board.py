"""A storyboard file (TOML): a title, defaults and an ordered list of shots.

```toml
title = "Harbour at dawn"
[defaults]
model = "t2v_720p"     # a Jimeng 3.0 mode or a Seedance model (id or alias)
resolution = "720p"    # optional; ratio, fps, length, transition, crossfade too
[[shot]]
prompt = "Fishing boats leave the harbour"
length = 5
from = "none"          # "previous" (the last frame of the shot before), an image, or "none"
end = "dusk.jpg"       # optional: an image, or "next" (the next shot's start image)
```

Every shot is checked through the service's own request builder before anything runs; each
error names the shot and the field. A shot is known by its content (its fingerprint): the
fields as written, defaults filled in, and, for a shot that starts from the previous one, that
shot's fingerprint, so editing a shot changes it and every shot chained from it, and only those.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jimeng_tui.domain.capabilities import Capabilities, InputKind, ModelCaps
from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.domain.request import OptionValue, VideoInput
from jimeng_tui.localfiles import FileTooLarge, NotARegularFile, read_regular_file, size_text
from jimeng_tui.services import registry
from jimeng_tui.story.jobs import check_shot

BOARD_MAX_BYTES = 4_000_000
PREVIOUS, NONE, NEXT = "previous", "none", "next"
CUT, CROSSFADE = "cut", "crossfade"
DEFAULT_CROSSFADE_S = 0.5
MAX_CROSSFADE_S = 2.0
TOP_KEYS = ("title", "defaults", "shot")
DEFAULT_KEYS = (
    "model",
    "resolution",
    "ratio",
    "fps",
    "length",
    "transition",
    "crossfade",
    "options",
)
SHOT_KEYS = ("prompt", "length", "from", "end", "seed", "model", "ratio", "transition", "options")
# a stand-in for a chained shot's first frame while checking (no image is read then)
CHAINED_STAND_IN = ".previous-shot-last-frame.png"


class BoardFileError(ValueError):
    """The file as a whole cannot be used (missing, not TOML, no shots)."""


@dataclass(frozen=True)
class BoardError:
    shot: int | None  # 1-based; None: the file or its defaults
    field: str
    message: str

    def __str__(self) -> str:
        where = f"shot {self.shot}: " if self.shot is not None else ""
        return f"{where}{self.field}: {self.message}"


@dataclass
class Shot:
    index: int  # 1-based
    prompt: str
    length: int
    start: str  # "previous", "none", or an image as written
    end: str | None  # an image as written, "next", or None
    end_image: str | None  # the image the shot ends on ("next" resolved), as written
    seed: int | None
    model: str  # the model id this shot is sent to
    service: str
    ratio: str | None
    resolution: str | None
    transition: str  # into the next shot
    options: dict[str, OptionValue]
    fingerprint: str = ""
    repeat: int = 0  # 0 for the first shot with this fingerprint, 1 for the second, ...

    @property
    def chained(self) -> bool:
        return self.start == PREVIOUS

    @property
    def start_image(self) -> str | None:
        return None if self.start in (PREVIOUS, NONE) else self.start

    def video_input(self, fps: int, first_image: str | None) -> VideoInput:
        """The request for this shot; ``first_image`` is the previous shot's last frame for a
        chained shot (an absolute path), else ignored."""
        first = first_image if self.chained else self.start_image
        return VideoInput(
            prompt=self.prompt,
            model=self.model,
            duration=self.length or None,
            fps=fps,
            ratio=self.ratio if first is None else None,
            resolution=self.resolution,
            first_image=first,
            last_image=self.end_image,
            seed=self.seed,
            options=dict(self.options),
            image_fields=("from", "end", "reference_image"),
        )


@dataclass
class Storyboard:
    path: Path  # absolute
    sha256: str
    title: str
    fps: int
    crossfade_s: float
    shots: list[Shot] = field(default_factory=list)
    errors: list[BoardError] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return self.path.parent

    def history_matches(self) -> dict[str, str]:
        """The look-up for earlier jobs of this storyboard: by path, or by content."""
        return {"$.extra.story.path": str(self.path), "$.extra.story.sha256": self.sha256}


# ------------------------------------------------------------------------------------------


def read_board(path: Path) -> Storyboard:
    """Parse and check the file (images are not read: see ``jobs.preflight_shot``); bad fields
    are collected in ``errors``. BoardFileError when the file itself is unusable."""
    try:
        path = Path(path).expanduser().resolve()
        raw = read_regular_file(path, BOARD_MAX_BYTES)
    except FileNotFoundError:
        raise BoardFileError(f"{path}: no such file") from None
    except NotARegularFile as exc:
        raise BoardFileError(f"{path} is {exc.kind}, not a storyboard file") from None
    except FileTooLarge as exc:
        raise BoardFileError(
            f"{path} is {exc.shown}; a storyboard may be at most {size_text(exc.limit)}"
        ) from None
    except (OSError, RuntimeError) as exc:
        raise BoardFileError(f"{path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise BoardFileError(f"{path} is not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise BoardFileError(f"{path} is not valid TOML: {exc}") from None
    board = Storyboard(path, hashlib.sha256(raw).hexdigest(), "", 24, DEFAULT_CROSSFADE_S)
    _Reader(board, data).read()
    return board


class _Reader:
    def __init__(self, board: Storyboard, data: dict[str, Any]):
        self.board = board
        self.data = data

    def error(self, shot: int | None, name: str, message: str) -> None:
        self.board.errors.append(BoardError(shot, name, message))

    def unknown(self, shot: int | None, table: dict[str, Any], known: tuple[str, ...]) -> None:
        for key in table:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1)
                maybe = f" (did you mean {close[0]!r}?)" if close else ""
                self.error(shot, key, f"unknown field{maybe}; the fields are {', '.join(known)}")

    def read(self) -> None:
        board, data = self.board, self.data
        self.unknown(None, data, TOP_KEYS)
        title = data.get("title", "")
        if not isinstance(title, str):
            self.error(None, "title", "write the title as text in quotes")
            title = ""
        board.title = title.strip() or board.path.stem
        defaults = data.get("defaults", {})
        if not isinstance(defaults, dict):
            self.error(None, "defaults", "must be a table: [defaults]")
            defaults = {}
        self.unknown(None, defaults, DEFAULT_KEYS)
        shots = data.get("shot")
        if not isinstance(shots, list) or not shots or not all(isinstance(s, dict) for s in shots):
            raise BoardFileError(
                f"{board.path} has no shots; add one [[shot]] table per shot, with its prompt"
            )
        model_name = self.text(None, defaults, "model") or ""
        fps = self.number(None, defaults, "fps")
        board.fps = fps if fps is not None else 24
        crossfade = defaults.get("crossfade", DEFAULT_CROSSFADE_S)
        if isinstance(crossfade, bool) or not isinstance(crossfade, int | float):
            self.error(None, "crossfade", "write the crossfade's length in seconds, e.g. 0.5")
        elif not 0 < crossfade <= MAX_CROSSFADE_S:
            self.error(None, "crossfade", f"{crossfade} s: allowed 0 < seconds ≤ {MAX_CROSSFADE_S}")
        else:
            board.crossfade_s = float(crossfade)
        base = {
            "model": model_name,
            "resolution": self.text(None, defaults, "resolution"),
            "ratio": self.text(None, defaults, "ratio"),
            "length": self.number(None, defaults, "length"),
            "transition": self.transition(None, defaults) or CUT,
            "options": self.options(None, defaults),
        }
        for index, raw in enumerate(shots, start=1):
            shot = self.shot(index, raw, base, shots)
            if shot is not None:
                board.shots.append(shot)
        if board.errors:
            return
        _fingerprint(board)

    # -- values --------------------------------------------------------------------------------

    def text(self, shot: int | None, table: dict[str, Any], key: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.error(shot, key, f"{json.dumps(value)} is not text; write it in quotes")
            return None
        return value.strip() or None

    def number(self, shot: int | None, table: dict[str, Any], key: str) -> int | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(shot, key, f"{json.dumps(value)} is not a whole number")
            return None
        return value

    def transition(self, shot: int | None, table: dict[str, Any]) -> str | None:
        value = self.text(shot, table, "transition")
        if value is not None and value not in (CUT, CROSSFADE):
            self.error(shot, "transition", f"{value!r}: allowed {CUT!r} or {CROSSFADE!r}")
            return None
        return value

    def options(self, shot: int | None, table: dict[str, Any]) -> dict[str, OptionValue]:
        value = table.get("options", {})
        if not isinstance(value, dict) or not all(
            isinstance(v, str | int | bool) for v in value.values()
        ):
            self.error(
                shot, "options", "must be a table of names and values: {camera_fixed = true}"
            )
            return {}
        return dict(value)

    # -- one shot ------------------------------------------------------------------------------

    def shot(
        self, index: int, raw: dict[str, Any], base: dict[str, Any], shots: list[Any]
    ) -> Shot | None:
        before = len(self.board.errors)
        self.unknown(index, raw, SHOT_KEYS)
        prompt = raw.get("prompt", "")
        if not isinstance(prompt, str):
            self.error(index, "prompt", "write the prompt as text in quotes")
            prompt = ""
        start = self.text(index, raw, "from") or NONE
        end = self.text(index, raw, "end")
        seed = self.number(index, raw, "seed")
        length = self.number(index, raw, "length")
        length = length if length is not None else base["length"]
        transition = self.transition(index, raw) or base["transition"]
        options = {**base["options"], **self.options(index, raw)}
        if start == PREVIOUS and index == 1:
            self.error(index, "from", "the first shot has no previous shot to start from")
        end_image = end
        if end == NEXT:
            following = shots[index] if index < len(shots) else None
            nxt = following.get("from") if isinstance(following, dict) else None
            if following is None:
                self.error(index, "end", '"next" needs a next shot; this is the last one')
            elif not isinstance(nxt, str) or nxt.strip() in ("", PREVIOUS, NONE):
                self.error(
                    index,
                    "end",
                    f'"next" ends on the next shot\'s start image, but shot {index + 1} starts '
                    "from no image (give it from = an image, or give this shot an image)",
                )
            else:
                end_image = nxt.strip()
        if len(self.board.errors) > before:
            return None
        kind = InputKind.TEXT if start == NONE else InputKind.FIRST_FRAME
        if end_image is not None:
            kind = InputKind.FIRST_LAST
            if start == NONE:
                self.error(
                    index, "end", "an end frame needs a start: give from = an image or previous"
                )
                return None
        model_field = "model" if raw.get("model") is not None else "defaults.model"
        named = self.text(index, raw, "model") or base["model"]
        resolution = base["resolution"]
        try:
            caps, model = _model_for(named, kind, resolution)
        except ValidationError as exc:
            self.error(index, model_field, exc.reason)
            return None
        shot = Shot(
            index=index,
            prompt=prompt,
            length=length or 0,  # 0 until checked: the model's default
            start=start,
            end=end,
            end_image=end_image,
            seed=seed,
            model=model.id,
            service=caps.service,
            ratio=self.text(index, raw, "ratio") or base["ratio"],
            resolution=resolution,
            transition=transition,
            options=options,
        )
        stand_in = str(self.board.folder / CHAINED_STAND_IN) if shot.chained else None
        try:
            fields = shot.video_input(self.board.fps, stand_in)
            shot.length = check_shot(fields, self.board.folder)
        except ValidationError as exc:
            name = {"duration": "length", "first_image": "from", "last_image": "end"}
            self.error(index, name.get(exc.field or "", exc.field or "request"), exc.reason)
            return None
        return shot


def _model_for(
    named: str, kind: InputKind, resolution: str | None
) -> tuple[Capabilities, ModelCaps]:
    """The model a shot is sent to: the one named when it takes the shot's inputs (and
    resolution); else the same service's model made for exactly this kind of input at that
    resolution (Jimeng 3.0 has one mode per input kind: t2v_720p → i2v_first_720p for a shot
    that starts from a frame). Never another model family in disguise."""
    if not named:
        named = registry.all_capabilities()[0].models[0].id
    caps, model = registry.find_model(named)
    wanted = resolution or (model.resolutions[0] if model.resolutions else None)

    def usable(m: ModelCaps) -> bool:
        return (
            kind in m.inputs
            and not m.retired
            and not any(o.required for o in m.options)
            and (wanted is None or not m.resolutions or wanted in m.resolutions)
        )

    if usable(model) or (kind in model.inputs and resolution is None):
        return caps, model
    for other in caps.models:
        if other.inputs == {kind} and usable(other):
            return caps, other
    what = {
        InputKind.TEXT: "text only",
        InputKind.FIRST_FRAME: "a first frame",
        InputKind.FIRST_LAST: "a first and a last frame",
    }[kind]
    able = [m.id for m in caps.models if usable(m)]
    at = f" at {resolution}" if resolution else ""
    hint = f"; give the shot a model that does (model = {able[0]!r}; also {', '.join(able[1:])})"
    raise ValidationError(
        "model",
        f"{model.id} takes no shot from {what}{at}"
        + (hint if len(able) > 1 else f"; give the shot model = {able[0]!r}" if able else ""),
    )


def _fingerprint(board: Storyboard) -> None:
    upstream = ""
    seen: dict[str, int] = {}
    for shot in board.shots:
        values: dict[str, Any] = {
            "prompt": shot.prompt,
            "model": shot.model,
            "length": shot.length,
            "fps": board.fps,
            "ratio": shot.ratio,
            "resolution": shot.resolution,
            "from": f"previous:{upstream}" if shot.chained else shot.start,
            "end": shot.end_image,
            "seed": shot.seed,
            "options": shot.options or None,
        }
        values = {k: v for k, v in values.items() if v is not None}
        text = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        shot.fingerprint = hashlib.sha256(text.encode("utf-8")).hexdigest()
        shot.repeat = seen.get(shot.fingerprint, 0)
        seen[shot.fingerprint] = shot.repeat + 1
        upstream = f"{shot.fingerprint}/{shot.repeat}"


__all__ = ["BoardError", "BoardFileError", "Shot", "Storyboard", "read_board"]
