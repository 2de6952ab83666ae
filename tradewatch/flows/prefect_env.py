"""Prefect settings tradewatch needs, applied before Prefect is first imported.

Prefect reads its settings from the environment once, when it is imported, so these defaults
must be in ``os.environ`` before any ``import prefect``. A value the user set always wins.
"""

from __future__ import annotations

import os
import signal
import subprocess
import types

from ..lifetime import die_with, resolve_prctl

# The ephemeral server migrates a fresh PREFECT_HOME's database before it answers; on a busy
# 2-core machine that took 19-35 s, beyond Prefect's own 20 s limit, and the run failed.
EPHEMERAL_STARTUP_TIMEOUT_SECONDS = 180

DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": str(EPHEMERAL_STARTUP_TIMEOUT_SECONDS),
    # the HTTP layer's retry warnings reach the run's logs in the Prefect UI; outside a run
    # (the library called directly, `news extract`) they stay local logs, without a warning
    "PREFECT_LOGGING_EXTRA_LOGGERS": "tradewatch",
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
}


def apply_prefect_defaults() -> None:
    """Put tradewatch's Prefect defaults in the environment unless the user set them."""
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)


# Prefect's temporary server is a child process (uvicorn) the run stops at exit; a run killed
# outright (kill -9) cannot, and a run lock that had not yet named the server (killed while it
# started) left it running for good. Linux's parent-death signal ends it with its parent,
# whenever that happens.
_SERVER_APP = "prefect.server.api.server:create_app"


class _ServerDiesWithParent(subprocess.Popen):
    """``subprocess.Popen`` that gives Prefect's temporary server a parent-death signal."""

    prctl = resolve_prctl()  # resolved here, never after a fork

    def __init__(self, args, *rest, **kwargs):
        if self.prctl is not None and _SERVER_APP in list(args or ()) and not rest:
            parent, prctl = os.getpid(), self.prctl

            def die_with_parent() -> None:  # in the child, between fork and exec
                die_with(parent, signal.SIGTERM, prctl)

            kwargs.setdefault("preexec_fn", die_with_parent)
        super().__init__(args, *rest, **kwargs)


class _SubprocessForServer(types.ModuleType):
    """What Prefect's server module sees as ``subprocess``: the same, but its ``Popen``."""

    Popen = _ServerDiesWithParent

    def __getattr__(self, name: str):
        return getattr(subprocess, name)


def tie_temporary_servers() -> None:
    """Every temporary Prefect server this process starts ends when the process does (only
    where a run starts one: without ``PREFECT_API_URL``; Linux)."""
    if os.environ.get("PREFECT_API_URL") or _ServerDiesWithParent.prctl is None:
        return
    import prefect.server.api.server as server  # imported by the temporary server anyway

    if getattr(server, "subprocess", None) is subprocess:
        server.subprocess = _SubprocessForServer("subprocess")
