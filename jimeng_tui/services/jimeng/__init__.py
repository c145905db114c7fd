"""Jimeng Video 3.0 (visual.volcengineapi.com): catalog, signing, client, errors."""
