"""Prefect tasks and the per-source ingest step that ``monthly-ingest`` (and backfills) run."""

from __future__ import annotations

import os
import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import httpx
from prefect import get_run_logger, task
from prefect.cache_policies import NONE
from prefect.futures import PrefectFuture

from ..pipelines import comtrade
from ..pipelines.http import ExchangeLog, source_client
from ..schemas import Month, ValidationResult, check_trade_rows
from ..warehouse import (
    MonthLoad,
    connect,
    record_exchanges,
    record_failure,
    record_if_unchanged,
)
from ..warehouse import comtrade as warehouse_comtrade

# One writer at a time inside this process; DuckDB's file lock covers other processes.
_WRITER = threading.Lock()


@contextmanager
def writing(warehouse: str | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A writer connection held only for the block, one writer at a time in this process."""
    with _WRITER, closing(connect(warehouse)) as con:
        yield con


@dataclass
class IngestSummary:
    """What a run did, by month and source."""

    months: list[str]
    rows_fetched: int = 0
    rows_valid: int = 0
    rows_new: int = 0
    rows_quarantined: int = 0
    exchanges: int = 0
    skipped: int = 0
    alerts_raised: int = 0
    alerts_retracted: int = 0
    deliveries_failed: int = 0
    news_articles: int = 0
    news_claims: int = 0
    not_published: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def add(self, loads: Sequence[MonthLoad]) -> None:
        for load in loads:
            label = f"{load.source} {Month.of(load.period) if load.period else '(no month)'}"
            self.rows_fetched += load.rows_fetched
            self.rows_valid += load.rows_valid
            self.rows_new += load.rows_new
            self.rows_quarantined += load.rows_quarantined
            if load.status == "not_published":
                if label not in self.not_published:  # one month may span several calls
                    self.not_published.append(label)
            elif load.status == "partial":
                self.partial.append(f"{label}: {load.message}")
            elif load.status == "failed":
                self.failed.append(f"{label}: {load.message}")

    def failure_text(self) -> str:
        """The failed months, those that failed for the same reason named together."""
        by_reason: dict[str, dict[str, None]] = {}
        for entry in self.failed:
            label, _, reason = entry.partition(": ")
            by_reason.setdefault(reason, {})[label] = None  # a month may fail in several calls
        return "; ".join(f"{', '.join(labels)}: {reason}" for reason, labels in by_reason.items())

    def add_alerts(self, report) -> None:
        self.alerts_raised += len(report.raised)
        self.alerts_retracted += len(report.retracted)
        self.deliveries_failed += len(report.failed)

    def as_dict(self) -> dict:
        return asdict(self)

    def line(self) -> str:
        return (
            f"months {self.months[0]}..{self.months[-1]}: {self.rows_fetched} rows fetched, "
            f"{self.rows_valid} valid, {self.rows_new} new vintages, "
            f"{self.rows_quarantined} quarantined; not yet published: "
            f"{', '.join(self.not_published) or 'none'}; failed: {len(self.failed)}; "
            f"alerts raised {self.alerts_raised}, retracted {self.alerts_retracted}"
            + (
                f"; news: {self.news_articles} new article versions, {self.news_claims} claims"
                if self.news_articles or self.news_claims
                else ""
            )
        )


@task(
    name="fetch-comtrade",
    cache_policy=NONE,
)
def fetch_comtrade(
    client: httpx.Client, request: comtrade.ComtradeRequest, api_key: str | None
) -> comtrade.RawPayload:
    """Download one Comtrade call's bytes."""
    return comtrade.fetch_request(client, request, api_key)


@task(name="check-comtrade", cache_policy=NONE)
def check_comtrade(raw: comtrade.RawPayload) -> ValidationResult:
    """Parse a payload and validate its rows (pure)."""
    return check_trade_rows(comtrade.parse_payload(raw))


@task(name="store-exchanges", cache_policy=NONE)
def store_exchanges(warehouse: str | None, log: ExchangeLog, run_id: str) -> int:
    """Keep every byte fetched so far in ``raw.http_responses``."""
    exchanges = log.drain()
    if not exchanges:
        return 0
    with writing(warehouse) as con:
        return record_exchanges(con, exchanges, run_id)


@task(name="load-payload", cache_policy=NONE)
def load_checked(
    warehouse: str | None,
    raw: comtrade.RawPayload,
    checked: ValidationResult,
    run_id: str,
    flow_run_id: str | None,
) -> list[MonthLoad]:
    """Load one payload's rows, quarantine and ledger in one transaction."""
    with writing(warehouse) as con:
        return warehouse_comtrade.load_rows(
            con,
            exchange_id=raw.exchange_id,
            months=[m.first_day for m in raw.request.months],
            series_keys=raw.request.series_keys(),
            checked=checked,
            run_id=run_id,
            flow_run_id=flow_run_id,
        )


@task(name="record-failure", cache_policy=NONE)
def note_failure(
    warehouse: str | None,
    months: Sequence[Month],
    message: str,
    run_id: str,
    flow_run_id: str | None,
    exchange_id: str | None = None,
    source: str = comtrade.SOURCE,
) -> list[MonthLoad]:
    """Ledger rows for months that could not be loaded."""
    with writing(warehouse) as con:
        return record_failure(
            con,
            source=source,
            run_id=run_id,
            flow_run_id=flow_run_id,
            months=[m.first_day for m in months],
            message=message,
            exchange_id=exchange_id,
        )


def comtrade_client(log: ExchangeLog, offline: bool) -> httpx.Client:
    """The Comtrade client: one request a second live, or the shipped recordings offline."""
    return source_client(
        comtrade.SOURCE,
        log,
        offline=offline,
        replayers=comtrade.REPLAYERS,
        min_interval=comtrade.MIN_INTERVAL_SECONDS,
    )


def ingest_comtrade(
    requests: Sequence[comtrade.ComtradeRequest],
    *,
    offline: bool,
    warehouse: str | None,
    run_id: str,
    flow_run_id: str | None,
    api_key: str | None,
    summary: IngestSummary,
    on_loads: Callable[[list[MonthLoad]], None] | None = None,
    in_flight: int = 3,
) -> None:
    """Fetch, check and load these Comtrade calls, oldest first.

    Up to ``in_flight`` fetches overlap (the client still keeps its per-host interval); loads
    happen one at a time, in request order, each holding the writer only while it writes.
    """
    logger = get_run_logger()
    log = ExchangeLog()
    queue = iter(requests)
    pending: deque[tuple[comtrade.ComtradeRequest, PrefectFuture]] = deque()

    def submit_next() -> None:
        request = next(queue, None)
        if request is not None:
            pending.append((request, fetch_comtrade.submit(client, request, api_key)))

    def done(loads: list[MonthLoad]) -> None:
        summary.add(loads)
        if on_loads:
            on_loads(loads)

    with comtrade_client(log, offline) as client:
        for _ in range(in_flight):
            submit_next()
        while pending:
            request, future = pending.popleft()
            submit_next()
            label = f"comtrade {request.months[0]}..{request.months[-1]} hs {request.hs_codes}"
            try:
                raw = future.result()
            except Exception as exc:
                # Every byte is kept even when the fetch fails; the months are marked failed.
                summary.exchanges += store_exchanges(warehouse, log, run_id)
                logger.warning("%s: fetch failed: %s", label, exc)
                done(note_failure(warehouse, request.months, str(exc), run_id, flow_run_id))
                continue
            summary.exchanges += store_exchanges(warehouse, log, run_id)
            with writing(warehouse) as con:
                unchanged = record_if_unchanged(
                    con,
                    source=comtrade.SOURCE,
                    run_id=run_id,
                    flow_run_id=flow_run_id,
                    exchange_id=raw.exchange_id,
                    months=[m.first_day for m in request.months],
                )
            if unchanged is not None:
                done(unchanged)
                continue
            try:
                checked = check_comtrade(raw)
            except Exception as exc:
                logger.warning("%s: %s", label, exc)
                done(
                    note_failure(
                        warehouse, request.months, str(exc), run_id, flow_run_id, raw.exchange_id
                    )
                )
                continue
            loads = load_checked(warehouse, raw, checked, run_id, flow_run_id)
            done(loads)
            for load in loads:
                if load.rows_quarantined:
                    logger.warning(
                        "comtrade %s: %d rows quarantined (see ops.quarantine)",
                        Month.of(load.period) if load.period else "(no month)",
                        load.rows_quarantined,
                    )


def load_comtrade_file(
    path: str | os.PathLike,
    *,
    warehouse: str | None,
    months: Sequence[Month] | None = None,
    series_keys: Sequence[str] = (),
    run_id: str | None = None,
    batch_bytes: int = 64 * 2**20,
    memory_limit: str = "512MB",
) -> list[MonthLoad]:
    """Load a Comtrade payload saved on disk (a bulk download) in streaming mode.

    The file is kept once (read in chunks, compressed beside the warehouse), then parsed,
    validated and staged a batch at a time and loaded in one transaction: memory holds one
    batch, whatever the file's size. ``months`` None: the ledger names every month it holds.
    """
    path = Path(path)

    def batches(reader):
        frames = comtrade.iter_payload_frames(path.as_uri(), reader, batch_bytes=batch_bytes)
        return (check_trade_rows(frame) for frame in frames)

    with writing(warehouse) as con:
        return warehouse_comtrade.load_file(
            con,
            path,
            batches,
            months=[m.first_day for m in months] if months is not None else None,
            series_keys=series_keys,
            run_id=run_id or str(uuid.uuid4()),
            memory_limit=memory_limit,
        )
