"""Prefect settings tradewatch needs, applied before Prefect is first imported.

Prefect reads its settings from the environment once, when it is imported, so these defaults
must be in ``os.environ`` before any ``import prefect``. A value the user set always wins.
"""

from __future__ import annotations

import os

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
