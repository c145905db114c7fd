"""jimeng-tui: a terminal studio for Volcengine's Jimeng Video 3.0 API."""

__version__ = "0.1.0"
