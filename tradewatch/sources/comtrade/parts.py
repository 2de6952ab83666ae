"""UN Comtrade's parts: its client, how its checked rows load, its payloads on disk."""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from functools import partial
from pathlib import Path

from ... import errors
from ...pipelines import comtrade
from ...pipelines.comtrade import bulk
from ...pipelines.http import source_client
from ...schemas import Month, check_trade_rows
from ...warehouse import comtrade as warehouse_comtrade
from ...warehouse.db import Warehouse
from ...warehouse.load import Loading, MonthLoad, RunIds, stage_parquet, staging_folder


def comtrade_client(log, offline: bool):
    """One request a second live, or the shipped recordings offline."""
    return source_client(
        comtrade.SOURCE,
        log,
        offline=offline,
        replayers=comtrade.REPLAYERS,
        min_interval=comtrade.MIN_INTERVAL_SECONDS,
    )


def load(con, raw, checked, run: RunIds):
    months = [m.first_day for m in raw.request.months]
    loading = Loading(comtrade.SOURCE, run, months, raw.request.series_keys(), raw.exchange_id)
    return warehouse_comtrade.load_rows(con, loading, checked, comtrade.commodity_names(raw))


def load_comtrade_file(
    path: str | os.PathLike,
    *,
    warehouse: Warehouse | None,
    months: Sequence[Month] | None = None,
    series_keys: Sequence[str] = (),
    run_id: str | None = None,
    batch_bytes: int = 32 * 2**20,
    workers: int | None = None,
) -> list[MonthLoad]:
    """Load a Comtrade payload saved on disk (a bulk download) in streaming mode.

    The file is kept once (read in chunks, compressed beside the warehouse), then parsed,
    validated and staged a batch at a time and loaded in one transaction: memory holds a few
    batches, whatever the file's size. ``months`` None: the ledger names every month it holds.
    ``workers`` processes (default: one a core) read the batches and write their rows to
    Parquet under ``<warehouse>.staging`` while this one keeps the file (``comtrade.bulk``); 1
    reads them here. DuckDB is held to ``TRADEWATCH_MEMORY_LIMIT``, else 192 MB, and spills
    past it.
    """
    path = Path(path).resolve()  # relative paths too: the file is named by its URI
    url = path.as_uri()

    def batches(reader):
        frames = comtrade.iter_payload_frames(url, reader, batch_bytes=batch_bytes)
        return (check_trade_rows(frame) for frame in frames)

    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers < 1:
        raise ValueError(f"workers: {workers} (one process at least)")
    warehouse = Warehouse.of(warehouse)
    ranges = bulk.plan(path, batch_bytes) if workers > 1 and bulk.forkable() else None
    with ExitStack() as stack:
        parallel = None
        if ranges:
            # the workers start reading now, while this process keeps the file; they write
            # their checked rows to Parquet, which the load reads in one query
            folder = stack.enter_context(staging_folder(warehouse))
            stage = partial(stage_parquet, folder) if folder else None
            parallel = bulk.ParallelBatches(url, path, ranges, check_trade_rows, workers, stage)
            stack.enter_context(parallel)
        con = stack.enter_context(warehouse.writer())
        return warehouse_comtrade.load_file(
            con,
            path,
            parallel.batches if parallel else batches,
            months=[m.first_day for m in months] if months is not None else None,
            series_keys=series_keys,
            run_id=run_id or str(uuid.uuid4()),
            memory_limit=errors.memory_limit() or warehouse_comtrade.FILE_MEMORY_LIMIT,
        )


def api_key(secret_block: str | None, offline: bool, secret) -> str | None:
    """``COMTRADE_API_KEY``, else the named secret (``secret(name)``), else none (keyless)."""
    if offline:
        return None
    key = comtrade.api_key_from_env()
    if key or not secret_block:
        return key
    return (secret(secret_block) or "").strip() or None
