"""What the warehouse holds, month by month and source by source: the partition view."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb

from .db import Warehouse, run_sql, sql

LOADED, PARTIAL, NOT_PUBLISHED, NOT_AVAILABLE, MISSING, FAILED, NEVER = (
    "loaded",
    "partial",
    "not yet published",
    "not available",  # the source never publishes this month (GACC's archive starts in 2018)
    "missing",
    "failed",
    "never run",
)


@dataclass(frozen=True)
class Cell:
    """One month of one source."""

    source: str
    period: dt.date
    state: str
    detail: str = ""
    rows_quarantined: int = 0


def month_history(
    con: duckdb.DuckDBPyConnection, start: dt.date, end: dt.date
) -> dict[tuple[str, dt.date], tuple]:
    """``ops.month_status`` rows between two months, keyed by (source, period)."""
    result = con.execute(sql("month_status"), {"start": start, "end": end}).fetchall()
    return {(row[0], row[1]): row for row in result}


def loaded_series(
    con: duckdb.DuckDBPyConnection, source: str, start: dt.date, end: dt.date
) -> dict[dt.date, set[str]]:
    """For each month, the series of ``source`` that have been loaded at least once."""
    return {
        period: set(row[5])
        for (src, period), row in month_history(con, start, end).items()
        if src == source
    }


def status_grid(
    con: duckdb.DuckDBPyConnection,
    months: Sequence[dt.date],
    watched: Mapping[str, set[str]],
    window_start: dt.date,
) -> list[Cell]:
    """A cell for every month and watched source.

    ``watched`` maps each source to the series keys it should hold; a month is loaded when every
    one of them has been loaded. A month still unpublished once it has left the lookback window
    (before ``window_start``) is reported as missing: no run will fetch it again by itself.
    """
    if not months:
        return []
    history = month_history(con, min(months), max(months))
    cells = []
    for period in months:
        for source, keys in watched.items():
            row = history.get((source, period))
            cells.append(_cell(source, period, row, keys, window_start))
    return cells


def _cell(source, period, row, keys, window_start) -> Cell:
    if row is None:
        return Cell(source, period, NEVER)
    _, _, status, message, quarantined, series_loaded = row
    quarantined = quarantined or 0
    have = set(series_loaded or [])
    if keys and keys <= have:
        detail = f"{quarantined} rows quarantined" if quarantined else ""
        if status == "combined":
            detail = "published as January-February combined (cumulative only)"
        if status == "failed":
            detail = f"last run failed: {message}"
        return Cell(source, period, LOADED, detail, quarantined)
    if have:
        missing = ", ".join(sorted(keys - have))
        return Cell(source, period, PARTIAL, f"not loaded: {missing}", quarantined)
    if status == "not_published":
        if period < window_start:
            return Cell(source, period, MISSING, f"{message or 'not published'}; past the window")
        return Cell(source, period, NOT_PUBLISHED)
    if status == "unavailable":
        return Cell(source, period, NOT_AVAILABLE, message or "")
    if status == "failed":
        return Cell(source, period, FAILED, message or "", quarantined)
    return Cell(source, period, status, message or "", quarantined)


def status_of(
    warehouse: Warehouse,
    watched: Mapping[str, set[str]],
    window_start: dt.date,
    start=None,
    end=None,
) -> tuple[list[dt.date], list[Cell]]:
    """The months from ``start`` to ``end`` (``Month``s; by default every month a run has
    touched) and their cells, read on one short read-only connection."""
    from ..schemas.series import Month

    with Warehouse.of(warehouse).reader() as con:
        first, last = run_sql(con, "months_run").fetchall()[0]
        start = start or Month.of(first or window_start)
        end = end or Month.of(last or window_start)
        months = [m.first_day for m in Month.span(start, end)]
        return months, status_grid(con, months, watched, window_start)
