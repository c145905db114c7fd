"""The faces without a screen: ``jimeng-tui`` (console script ``jimeng_tui.cli:main``)."""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    # Imported on call, so that importing the package costs nothing.
    from jimeng_tui.cli.entry import main as entry_main

    return entry_main(argv)
