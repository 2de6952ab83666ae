"""Write UN Comtrade's answers: an API call's rows, or a whole payload saved on disk, streamed."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

import duckdb

from ..schemas import ValidationResult
from .bodies import file_store, keep_file
from .load import Loading, MonthLoad, RunIds, load_payload, load_payload_batches, record_kept_file
from .names import record_commodity_names

SOURCE = "comtrade"
# DuckDB's memory while a payload on disk loads, unless TRADEWATCH_MEMORY_LIMIT says otherwise:
# it spills the staged rows past this, so memory does not grow with the file
FILE_MEMORY_LIMIT = "192MB"


def load_rows(
    con: duckdb.DuckDBPyConnection,
    loading: Loading,
    checked: ValidationResult,
    commodity_names: Mapping[str, str] | None = None,
) -> list[MonthLoad]:
    """One API call's rows, quarantine and a ledger row for each month it asked for, and the
    commodity descriptions it carried (in the same transaction)."""

    def names(con: duckdb.DuckDBPyConnection, params: dict) -> None:
        record_commodity_names(con, SOURCE, commodity_names or {}, loading.exchange_id)

    return load_payload(con, loading, checked, writes=names)


def load_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    batches: Callable[[BinaryIO], Iterable[ValidationResult]],
    *,
    months: Sequence[dt.date] | None,
    series_keys: Sequence[str],
    run_id: str,
    memory_limit: str = FILE_MEMORY_LIMIT,
) -> list[MonthLoad]:
    """A payload on disk: kept once (read in chunks, in a thread, while its ``batches`` are
    staged one at a time), recorded as an exchange whether its rows load or not, and loaded in
    one transaction, so memory holds one batch whatever the file's size."""
    if not re.fullmatch(r"\d+(?:\.\d+)?\s*[KMGT]?i?B", memory_limit):
        raise ValueError(f"not a memory size: {memory_limit!r}")
    # DuckDB spills the staged rows to disk past this, so memory does not grow with the file.
    con.execute(f"set memory_limit = '{memory_limit}'")
    exchange_id, root = str(uuid.uuid4()), file_store(con)
    loading = Loading(SOURCE, RunIds(run_id), months, list(series_keys), exchange_id)
    with ThreadPoolExecutor(1, thread_name_prefix="keep-file") as keeper:
        kept = keeper.submit(keep_file, root, path)
        recorded = False

        def record() -> None:
            nonlocal recorded
            if not recorded:
                url = path.resolve().as_uri()
                record_kept_file(
                    con, kept.result(), exchange_id, source=SOURCE, url=url, run_id=run_id
                )
                recorded = True

        def staged_then_recorded(reader: BinaryIO) -> Iterator[ValidationResult]:
            yield from batches(reader)
            record()

        with open(path, "rb") as reader:
            try:
                return load_payload_batches(
                    con, loading, staged_then_recorded(reader), commit_batches=True
                )
            except Exception:
                record()  # every byte read is kept, the rows loaded or not
                raise
