"""Errors the command line tells apart by exit code, importable without Prefect or pandas."""

import os


class IngestFailed(RuntimeError):
    """Some months could not be loaded; the message says which and why."""


class ConfigError(ValueError):
    """A setting (an environment variable) is malformed: nothing was done."""


MEMORY_ENV = "TRADEWATCH_MEMORY_LIMIT"
_SIZE = r"\d+(?:\.\d+)?\s*(?:[KMGT]i?B|B)"


def memory_limit() -> str | None:
    """``TRADEWATCH_MEMORY_LIMIT`` ("4GB", "512MiB") for DuckDB, or None for DuckDB's default
    (80% of the machine's memory); anything else is refused by name."""
    import re

    value = os.environ.get(MEMORY_ENV, "").strip()
    if not value:
        return None
    if not re.fullmatch(_SIZE, value, flags=re.IGNORECASE):
        raise ConfigError(f"{MEMORY_ENV}={value!r} is not a size such as 4GB or 512MiB")
    return value


def describe_failure(exc: BaseException, where: str | None = None) -> str:
    """What went wrong in one line a person can act on; never empty.

    Running out of memory or disk says so, with the limit met and the setting that moves it
    (DuckDB's own advice, ``SET memory_limit``, cannot be followed through tradewatch).
    ``where`` is the warehouse path, for the free space of its disk.
    """
    import errno
    import re

    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    if type(exc).__name__ == "OutOfMemoryException" or first.startswith("Out of Memory Error"):
        found = re.search(r"\(([\d.]+ \w+)/([\d.]+ \w+) used\)", first)
        limit = found.group(2) if found else "its limit"
        setting = os.environ.get(MEMORY_ENV, "").strip() or "not set"
        return (
            f"out of memory: DuckDB reached its memory limit of {limit} ({MEMORY_ENV} is "
            f"{setting}); set {MEMORY_ENV} higher (e.g. {MEMORY_ENV}=8GB) or ask for less. "
            f"DuckDB said: {first}"
        )
    if isinstance(exc, MemoryError):
        return (
            "out of memory in Python (the machine or its ulimit gave no more): ask for fewer "
            f"rows or columns, or give the process more memory{': ' + first if first else ''}"
        )
    full = (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or (
        "no space left on device" in text.lower()
    )
    if full:
        room = ""
        if where:
            import shutil
            from pathlib import Path

            folder = Path(where).resolve().parent
            try:
                room = f"; {folder} has {shutil.disk_usage(folder).free:,} bytes free"
            except OSError:
                room = ""
        return (
            f"disk full: the step in progress was rolled back{room}. Free space there, or keep "
            f"the warehouse on a disk with room (--warehouse or TRADEWATCH_WAREHOUSE). {first}"
        )
    unreachable = _unreachable_host(exc, first)
    if unreachable:
        return unreachable
    return text or type(exc).__name__


# what the resolver says when a name cannot be looked up (glibc, macOS, Windows)
_NO_NAME = (
    "Name or service not known",
    "Temporary failure in name resolution",
    "nodename nor servname",
    "getaddrinfo failed",
    "No address associated with hostname",
)


def _unreachable_host(exc: BaseException, first: str) -> str | None:
    """A host that could not be looked up or reached, named, with the way to run without one:
    "[Errno -2] Name or service not known" says neither which host nor what to do."""
    if type(exc).__name__ not in ("ConnectError", "ConnectTimeout"):
        return None
    try:
        host = exc.request.url.host  # httpx's errors carry the request they were for
    except (AttributeError, RuntimeError):
        host = "the source's host"
    if any(phrase in first for phrase in _NO_NAME):
        what = f"cannot look up {host} (no network, or no DNS)"
    else:
        what = f"cannot connect to {host}"
    return (
        f"{what}: {first}; to load from the recordings shipped in the package instead, "
        "add --offline"
    )
