"""The job, its events and the base errors: stdlib only, imported by every layer."""
