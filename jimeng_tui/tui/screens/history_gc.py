"""The History screen's hold on the cyclic garbage collector, and its freeze of the heap."""

from __future__ import annotations

import gc

from textual.timer import Timer
from textual.widget import Widget

GC_HOLD_S = 2.0  # the longest the cyclic GC waits while the screen opens or the user types


class GcHold:
    """Holds the collector for ``owner`` (the screen), whose timer bounds the hold."""

    def __init__(self, owner: Widget) -> None:
        self.owner = owner
        self.held = False
        self.froze_heap = False
        self._timer: Timer | None = None

    def hold(self) -> None:
        """Hold the cyclic garbage collector while the user waits on this screen: while it
        opens, and through a burst of typing in the search box. A full collection of a big
        heap takes tens of milliseconds, and one landing on a keystroke doubles its wait; it
        runs when the typing pauses instead (Textual holds it the same way while it scrolls,
        the app while it draws its first screen). Released by ``release``, at the latest
        GC_HOLD_S after it began."""
        if self.held or not gc.isenabled():
            return  # already held (here, or by the app while it starts)
        gc.disable()
        self.held = True
        if self.owner.is_mounted:
            self._timer = self.owner.set_timer(GC_HOLD_S, self.release)

    def start_timer(self) -> None:
        """Once the owner is mounted: bound a hold that began before (in ``compose``)."""
        if self.held and self._timer is None:
            self._timer = self.owner.set_timer(GC_HOLD_S, self.release)

    def release(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.held:
            self.held = False
            gc.enable()

    def freeze_heap(self) -> None:
        """Once the screen is up: move every object alive now (the app, this screen) out of the
        collector's sight until the screen closes (``gc.freeze``). A full collection then looks
        at what was made since (the rows of recent searches) and takes well under a
        millisecond, instead of 50 ms or more over the whole heap, whenever it falls on a
        keystroke. Unfreezing is all or nothing: closing the screen also ends the app's own
        freeze of its first screen, which only served that first frame."""
        if not self.froze_heap:
            gc.collect(1)  # not the young garbage of opening the screen (a few ms)
            gc.freeze()
            self.froze_heap = True

    def close(self) -> None:
        """When the screen is unmounted: release the hold and end the freeze."""
        self.release()
        if self.froze_heap:
            self.froze_heap = False
            gc.unfreeze()  # what this screen left behind can be collected again
