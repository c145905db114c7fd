"""The prompt's text area, with recall of earlier prompts and a clear key.

Up on the first line of an empty prompt shows the latest earlier prompt; more Up goes further
back, Down comes forward and, past the newest, back to the empty prompt. Only an empty prompt or
one still showing a recalled prompt unchanged recalls: once you edit it (or type your own), the
arrows move the cursor again, so a draft is never replaced by a stray key. The list is handed in
by the app (``recall``, newest first): no I/O here.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.widgets import TextArea


class PromptArea(TextArea):
    BINDINGS = [
        Binding(
            "up",
            "recall_older",
            "Earlier prompt",
            show=False,
            id="recall_older",
            tooltip="In an empty prompt: the prompts you ran before, newest first",
        ),
        Binding(
            "down",
            "recall_newer",
            "Later prompt",
            show=False,
            id="recall_newer",
            tooltip="Back towards the newest, then the empty prompt",
        ),
        # ctrl+l: free in TextArea and passed on by terminals and tmux (unlike ctrl+j/s/h/b/y)
        Binding(
            "ctrl+l",
            "clear_prompt",
            "Clear prompt",
            show=False,
            id="clear_prompt",
            tooltip="Ctrl+Z brings it back",
        ),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recall: list[str] = []  # earlier prompts, newest first
        self._recall_at = -1  # index shown, -1: none

    def remember(self, prompt: str) -> None:
        """A prompt just sent goes to the front of the recall list."""
        prompt = prompt.strip()
        if prompt:
            self.recall = [prompt, *(p for p in self.recall if p != prompt)]
        self._recall_at = -1

    @property
    def recalling(self) -> bool:
        at = self._recall_at
        return 0 <= at < len(self.recall) and self.text == self.recall[at]

    def _show(self, index: int) -> None:
        self._recall_at = index
        text = self.recall[index] if index >= 0 else ""
        self.replace(text, (0, 0), self.document.end, maintain_selection_offset=False)  # undoable
        self.move_cursor((0, 0))

    def action_recall_older(self) -> None:
        recalling = self.recalling
        if self.cursor_location[0] == 0 and self.recall and (recalling or not self.text.strip()):
            older = self._recall_at + 1 if recalling else 0
            if older < len(self.recall):
                self._show(older)
            else:
                self.app.bell()  # the oldest one is showing
            return
        self.action_cursor_up()

    def action_recall_newer(self) -> None:
        last_line = self.cursor_location[0] >= self.document.line_count - 1
        if last_line and self.recalling:
            self._show(self._recall_at - 1)
            return
        self.action_cursor_down()

    def action_clear_prompt(self) -> None:
        self._recall_at = -1
        self.clear()  # an edit: Ctrl+Z undoes it
