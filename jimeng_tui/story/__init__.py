"""Storyboards (issue 19): shots chained into one film, run crash-safe and never paid twice.

- ``board.py``: the TOML file, read and checked (every bad field named with its shot), each
  shot matched by content (its fingerprint covers the shots it chains from).
- ``plan.py``: what each shot needs, given the jobs earlier runs left (like a batch line).
- ``jobs.py``: the one place a shot's request is built and its job row made.
- ``frames.py``: a shot's last frame as a PNG (the service's, or the last decoded one).
- ``run.py``: shots in dependency order through the engine; ``join.py``: one MP4 + sidecar.

No Textual and no concrete service here (import-linter contract): like ``jobs``.
"""
