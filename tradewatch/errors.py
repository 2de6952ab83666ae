"""Errors the command line tells apart by exit code, importable without Prefect or pandas."""


class IngestFailed(RuntimeError):
    """Some months could not be loaded; the message says which and why."""
