"""Letters typed into the job list go to the prompt; a single letter is an action.

The job list's actions are single letters (c, t, r, l, o, d…). Text meant for the prompt that
lands in the list (the focus was there) must not run them. The rule, by the keys' own arrival
times (``Key.time``, when the terminal's bytes were read, not when the app got round to them):

- a letter the list has no action for is text: it goes to the prompt at once;
- an action letter is held for ``HOLD_S``; if another printable key arrives within that time
  it is a word being typed: both, and every key after them in the same burst, go to the
  prompt. Otherwise the held key runs its action (at once when a non-printable key such as
  Down follows, so that it acts on the job it was pressed on; never once the focus has left
  the list).

Why a time window and not "keys read in one batch": a paste or a machine (tmux send-keys)
delivers a burst in one read, but a person types a key every 80–250 ms, one read each. 0.2 s
catches typing and costs an action key a barely noticeable 0.2 s; two action keys pressed on
purpose are further apart than that. The prompt gets the keys themselves, so the text, spaces
and Enter land as typed.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.message import Message
from textual.timer import Timer

HOLD_S = 0.2


class TypedIntoList(Message):
    """Keys typed into the job list that belong to the prompt (in order)."""

    def __init__(self, keys: list[events.Key]) -> None:
        super().__init__()
        self.keys = keys


def _copy(key: events.Key) -> events.Key:
    return events.Key(key.key, key.character)


class TypingGuard:
    """Decides, key by key, whether a key in the job list is an action or text (see above).

    ``owner`` is the list widget: it posts :class:`TypedIntoList` and replays held actions.
    """

    def __init__(self, owner: Any, hold_s: float = HOLD_S) -> None:
        self.owner = owner
        self.hold_s = hold_s
        self._held: events.Key | None = None
        self._timer: Timer | None = None
        self._typing_until = float("-inf")
        self._replay: events.Key | None = None

    def intercept(self, event: events.Key, is_action_key: bool) -> bool:
        """True when the guard took ``event`` (the caller stops it)."""
        if event is self._replay:  # a held action key, now released: let it run
            self._replay = None
            return False
        if event.time <= self._typing_until:  # the rest of a burst already going to the prompt
            self._typing_until = event.time + self.hold_s
            self._send([event])
            return True
        if not (event.is_printable and event.character):
            if self._held is not None:
                # Down or Enter right after an action letter: the letter acts first, on the
                # job it was pressed on, then this key (re-sent behind it).
                self._release()
                self.owner.app.post_message(_copy(event))
                return True
            return False
        if self._held is not None and event.time - self._held.time <= self.hold_s:
            held, self._held = self._held, None
            self._cancel_timer()
            self._typing_until = event.time + self.hold_s
            self._send([held, event])
            return True
        self._release()  # an older held key (its timer not run yet) acts first
        if not is_action_key:
            self._typing_until = event.time + self.hold_s
            self._send([event])
            return True
        self._held = event
        self._timer = self.owner.set_timer(self.hold_s, self._release, name="typing-guard")
        return True

    def _send(self, keys: list[events.Key]) -> None:
        self.owner.post_message(TypedIntoList([_copy(k) for k in keys]))

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _release(self) -> None:
        """Run the held key's action: the key goes through the app again, marked to pass."""
        self._cancel_timer()
        held, self._held = self._held, None
        if held is None or not self.owner.has_focus:
            return  # the focus moved on (F4) before the letter acted: it is dropped
        replay = _copy(held)
        self._replay = replay
        self.owner.app.post_message(replay)
