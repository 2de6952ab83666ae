"""Prefect flows and the command line: orchestration only."""

from .backfill import backfill
from .ingest import IngestFailed, IngestSummary
from .monthly import monthly_ingest, previous_month

__all__ = ["IngestFailed", "IngestSummary", "backfill", "monthly_ingest", "previous_month"]
