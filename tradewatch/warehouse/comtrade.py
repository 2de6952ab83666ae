"""Write UN Comtrade's answers: an API call's rows, or a whole payload saved on disk, streamed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import BinaryIO

import duckdb

from ..schemas import ValidationResult
from .load import MonthLoad, load_payload, load_payload_batches, record_file
from .names import record_commodity_names

SOURCE = "comtrade"


def load_rows(
    con: duckdb.DuckDBPyConnection,
    *,
    exchange_id: str,
    months: Sequence[dt.date],
    series_keys: Sequence[str],
    checked: ValidationResult,
    run_id: str,
    flow_run_id: str | None,
    commodity_names: Mapping[str, str] | None = None,
) -> list[MonthLoad]:
    """One API call's rows, quarantine and a ledger row for each month it asked for, and the
    commodity descriptions it carried (in the same transaction)."""

    def names(con: duckdb.DuckDBPyConnection, params: dict) -> None:
        record_commodity_names(con, SOURCE, commodity_names or {}, exchange_id)

    return load_payload(
        con,
        source=SOURCE,
        run_id=run_id,
        flow_run_id=flow_run_id,
        exchange_id=exchange_id,
        months=months,
        series_keys=series_keys,
        checked=checked,
        writes=names,
    )


def load_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    batches: Callable[[BinaryIO], Iterable[ValidationResult]],
    *,
    months: Sequence[dt.date] | None,
    series_keys: Sequence[str],
    run_id: str,
    memory_limit: str = "512MB",
) -> list[MonthLoad]:
    """A payload on disk: kept once (read in chunks), then its ``batches`` staged one at a time
    and loaded in one transaction, so memory holds one batch whatever the file's size."""
    if not re.fullmatch(r"\d+(?:\.\d+)?\s*[KMGT]?i?B", memory_limit):
        raise ValueError(f"not a memory size: {memory_limit!r}")
    # DuckDB spills the staged rows to disk past this, so memory does not grow with the file.
    con.execute(f"set memory_limit = '{memory_limit}'")
    exchange_id = record_file(con, path, source=SOURCE, url=path.resolve().as_uri(), run_id=run_id)
    with open(path, "rb") as reader:
        return load_payload_batches(
            con,
            source=SOURCE,
            run_id=run_id,
            flow_run_id=None,
            exchange_id=exchange_id,
            months=months,
            series_keys=list(series_keys),
            batches=batches(reader),
            commit_batches=True,
        )
