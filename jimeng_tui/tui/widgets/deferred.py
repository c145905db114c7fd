"""A place held on the first screen for a part that is built and mounted a frame later."""

from __future__ import annotations

from collections.abc import Callable

from textual.widget import Widget


class Deferred(Widget):
    """Holds the place of what ``build`` makes, and mounts it after the first refresh.

    Like ``textual.lazy.Lazy``, which Textual offers so that the first frame comes sooner, but
    the widget is only created then (its module is imported then too), nothing is drawn
    meanwhile (the place is held by CSS), and nothing is mounted into a parent that is
    already closing (quitting in the first frame made ``Lazy`` raise MountError on the way
    out). ``mounted`` is called with the widget once it and its children are mounted: directly,
    as a message would wait behind the next part's mounting.
    """

    def __init__(
        self,
        build: Callable[[], Widget],
        *,
        frames: int = 1,
        mounted: Callable[[Widget], object] | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._build = build
        self._frames = frames  # how many refreshes to wait: a quick part can go first
        self._mounted = mounted

    def render(self) -> str:
        return ""

    def on_mount(self) -> None:
        self.call_after_refresh(self._mount_built)

    async def _mount_built(self) -> None:
        self._frames -= 1
        if self._frames > 0:
            self.call_after_refresh(self._mount_built)
            return
        parent = self.parent
        if not isinstance(parent, Widget):
            return
        if not (parent.is_attached and self.is_attached) or parent._closing:
            return
        widget = self._build()
        await parent.mount(widget, after=self)
        await self.remove()
        if self._mounted is not None and widget.is_attached:
            self._mounted(widget)
