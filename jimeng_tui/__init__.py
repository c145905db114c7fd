"""jimeng-tui: a terminal studio for Volcengine's Jimeng Video 3.0 API."""

import sys as _sys

__version__ = "0.1.0"

# httpx imports its own command-line client on import when click is installed (click, pygments,
# rich.progress: 60-150 ms of every start that opens an engine). jimeng-tui never runs it;
# a None entry makes that optional import fail at once, and httpx falls back to a stub `main`.
_sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
# httpcore imports trio when it is installed (a test dependency of some tools brings it), to
# offer trio locks; jimeng-tui runs on asyncio only. Not importing it keeps ~4 MB of memory
# and ~20 ms of the engine's start (issue 20).
_sys.modules.setdefault("trio", None)  # type: ignore[arg-type]
