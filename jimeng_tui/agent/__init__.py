"""Agent mode (issue 17): ``jimeng-tui mcp``, an MCP server on the durable job queue.

Another face beside ``cli/`` and ``tui/``: it opens one engine through ``session``, drives jobs
with the same runner, history, claims and throttle, and never loads Textual (an import-linter
contract). Modules:

- ``jobs.py``: the one place a :class:`~jimeng_tui.domain.request.VideoInput` becomes a job row.
- ``inputs.py``: tool arguments → ``VideoInput``, checked against the models' capabilities.
- ``desk.py``: the jobs the server drives: start, idempotency keys, waiting, cancel, retry.
- ``facts.py``: what a tool says about a job (JSON, a short summary, the result block, poster).
- ``server.py``: the MCP tools and resources; ``serve.py``: stdio or streamable HTTP.

Imported only by ``jimeng-tui mcp`` (``cli/mcp.py``).
"""
