"""Prefect flows and the command line: orchestration only."""

from .prefect_env import apply_prefect_defaults, tie_temporary_servers

apply_prefect_defaults()  # before the modules below import Prefect, which reads them once
tie_temporary_servers()  # a run's temporary Prefect server ends with the run, even on kill -9

from ..errors import IngestFailed  # noqa: E402
from .backfill import backfill  # noqa: E402
from .ingest import IngestSummary  # noqa: E402
from .monthly import monthly_ingest, previous_month  # noqa: E402

__all__ = ["IngestFailed", "IngestSummary", "backfill", "monthly_ingest", "previous_month"]
