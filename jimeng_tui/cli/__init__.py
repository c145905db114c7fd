"""The faces without a screen: ``jimeng-tui`` (console script ``jimeng_tui.cli:main``)."""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    # Imported on call so that ``jimeng_tui.cli.argtypes`` (used by the sandbox) stays light.
    from jimeng_tui.cli.entry import main as entry_main

    return entry_main(argv)
