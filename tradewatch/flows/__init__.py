"""Prefect flows and the command line: orchestration only."""

from .ingest import IngestFailed, IngestSummary
from .monthly import monthly_ingest, previous_month

__all__ = ["IngestFailed", "IngestSummary", "monthly_ingest", "previous_month"]
