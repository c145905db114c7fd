"""The one place that wires things: service, live or sandbox, paths (issue 14, package B)."""
