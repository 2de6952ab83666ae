"""The ingest engine: one generic set of Prefect tasks that runs any source (``Source``)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import httpx
from prefect import get_run_logger, task
from prefect.cache_policies import NONE
from prefect.futures import PrefectFuture

from ..errors import describe_failure
from ..pipelines.contract import Note, Refused
from ..pipelines.http import ExchangeLog
from ..schemas import Month
from ..sources.base import Run, Source
from ..warehouse import (
    Loading,
    MonthLoad,
    RunIds,
    Warehouse,
    WarehouseBusy,
    record_exchanges,
    record_failure,
    record_if_unchanged,
    unsaved,
)


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
    # Each source's own counts under its name: {source: {"new article versions": 2}}.
    counters: dict[str, dict[str, int]] = field(default_factory=dict)
    not_published: list[str] = field(default_factory=list)
    unavailable: dict[str, list[str]] = field(default_factory=dict)  # reason -> months
    partial: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    not_done: list[str] = field(default_factory=list)  # steps after the loads: "alerts: why"
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    report: str | None = None  # the month's briefing page, when the run wrote one

    def add(self, loads: Sequence[MonthLoad]) -> None:
        for load in loads:
            for reason, rows in (load.reasons or {}).items():
                self.quarantine_reasons[reason] = self.quarantine_reasons.get(reason, 0) + rows
            label = f"{load.source} {Month.of(load.period) if load.period else '(no month)'}"
            self.rows_fetched += load.rows_fetched
            self.rows_valid += load.rows_valid
            self.rows_new += load.rows_new
            self.rows_quarantined += load.rows_quarantined
            if load.status == "not_published":
                if label not in self.not_published:  # one month may span several calls
                    self.not_published.append(label)
            elif load.status == "unavailable":  # never to be published where we look
                labels = self.unavailable.setdefault(load.message or "not available", [])
                if label not in labels:
                    labels.append(label)
            elif load.status == "partial":
                self.partial.append(f"{label}: {load.message}")
            elif load.status == "failed":
                self.failed.append(f"{label}: {load.message}")

    def failed_months(self) -> int:
        """How many months failed (a month may fail in several requests)."""
        return len({entry.partition(": ")[0] for entry in self.failed})

    def failure_text(self) -> str:
        """The failed months, those that failed for the same reason named together."""
        by_reason: dict[str, dict[str, None]] = {}
        for entry in self.failed:
            label, _, reason = entry.partition(": ")
            by_reason.setdefault(reason, {})[label] = None  # a month may fail in several calls
        return "; ".join(
            [f"{', '.join(labels)}: {reason}" for reason, labels in by_reason.items()]
            + [f"not done: {step}" for step in self.not_done]
        )

    def merge(self, other: dict) -> None:
        """Fold in another summary's figures (a chunk of a parallel backfill, ``as_dict``)."""
        for counter in (f.name for f in fields(self) if f.type == "int"):
            setattr(self, counter, getattr(self, counter) + other.get(counter, 0))
        for name in ("not_published", "partial", "failed", "not_done"):
            mine = getattr(self, name)
            mine.extend(label for label in other.get(name, []) if label not in mine)
        for reason, labels in other.get("unavailable", {}).items():
            mine = self.unavailable.setdefault(reason, [])
            mine[:] = sorted({*mine, *labels})
        self.not_published.sort()
        for reason, rows in other.get("quarantine_reasons", {}).items():
            self.quarantine_reasons[reason] = self.quarantine_reasons.get(reason, 0) + rows
        for source, counters in other.get("counters", {}).items():
            self.count(source, counters)

    def count(self, source: str, counters: dict[str, int]) -> None:
        """Add a source's own counts (what ``Source.finish`` returns) under its name."""
        mine = self.counters.setdefault(source, {})
        for name, count in counters.items():
            mine[name] = mine.get(name, 0) + count

    def add_alerts(self, report) -> None:
        self.alerts_raised += len(report.raised)
        self.alerts_retracted += len(report.retracted)
        self.deliveries_failed += len(report.failed)
        if report.held:
            self.not_done.append(f"alerts: {report.held}")

    def as_dict(self) -> dict:
        return asdict(self)

    def line(self) -> str:
        return (
            f"months {self.months[0]}..{self.months[-1]}: {self.rows_fetched} rows fetched, "
            f"{self.rows_valid} valid, {self.rows_new} new vintages, "
            f"{self.rows_quarantined} quarantined; not yet published: "
            f"{', '.join(self.not_published) or 'none'}; "
            + "".join(
                f"not available ({reason}): {', '.join(labels)}; "
                for reason, labels in self.unavailable.items()
            )
            + f"failed: {self.failed_months()}; "
            f"alerts raised {self.alerts_raised}, retracted {self.alerts_retracted}"
            + "".join(
                f"; {source}: " + ", ".join(f"{count} {name}" for name, count in counters.items())
                for source, counters in self.counters.items()
                if any(counters.values())
            )
        )


def failed_run(error: Exception):
    """The flow run's end when some months failed: a Failed state carrying ``error`` (the
    caller gets it raised, the run is Failed on the server), logged as one line with the months
    and reasons rather than as a traceback of the flow's own code."""
    from prefect.states import Failed

    return Failed(message=str(error), data=error)


@dataclass(frozen=True)
class FetchFailed:
    """A request whose answer could not be had once the client's retries were spent."""

    error: Exception


@task(name="fetch", task_run_name="fetch-{source.name}", cache_policy=NONE)
def fetch_request(source: Source, client: httpx.Client, request: Any) -> Any:
    """Download one request's bytes (I/O only); the source's one retry layer is its client.

    A request that fails comes back as ``FetchFailed``: the engine records its months failed
    with the reason in one line (the run then fails, naming them) — not as a task error whose
    log is fifty lines of httpx's internals per request.
    """
    try:
        return source.fetch(client, request)
    except Exception as exc:
        return FetchFailed(exc)


@task(name="check", task_run_name="check-{source.name}", cache_policy=NONE)
def check_raw(source: Source, raw: Any) -> Any:
    """Parse the raw answer and check it against the source's schema (pure)."""
    return source.check(raw)


@dataclass(frozen=True)
class Held:
    """A write that found the warehouse file held by another process past the run's wait."""

    reason: str


@task(name="load", task_run_name="load-{source.name}", cache_policy=NONE)
def load_checked(
    source: Source, warehouse: Warehouse, raw: Any, checked: Any, run: RunIds
) -> list[MonthLoad] | Held:
    """The checked rows, quarantine and ledger rows, in one transaction."""
    try:
        with warehouse.writer() as con:
            return source.load(con, raw, checked, run)
    except WarehouseBusy as exc:
        return Held(str(exc))


@task(name="store-exchanges", cache_policy=NONE)
def store_exchanges(warehouse: Warehouse, log: ExchangeLog, run_id: str) -> int:
    """Keep every byte fetched so far in ``raw.http_responses``, with what an earlier run kept
    in ``<warehouse>.unsaved/``. While another process holds the file they stay in the log."""
    exchanges = log.drain()
    folder = warehouse.beside(unsaved.SUFFIX)
    if not exchanges and not unsaved.pending(folder):
        return 0
    try:
        with warehouse.writer() as con:
            return unsaved.store_pending(con, folder) + record_exchanges(con, exchanges, run_id)
    except WarehouseBusy:
        log.put_back(exchanges)
        return 0


@task(name="record-months", cache_policy=NONE)
def note_months(
    warehouse: Warehouse, loading: Loading, message: str, status: str
) -> list[MonthLoad]:
    """Ledger rows for months a source answered without rows: failed, or not published yet.

    With the file held past the run's wait they are the run's own rows only: the months are
    not in the ledger, so the next run asks for them again."""
    try:
        with warehouse.writer() as con:
            return record_failure(con, loading, message, status)
    except WarehouseBusy as exc:
        return [
            MonthLoad(loading.source, day, status, message=f"{message}; not in the ledger: {exc}")
            for day in loading.months
        ]


@dataclass
class Job:
    """What every request of a run shares: where it writes, as which run, live or from the
    recordings, the summary it adds to (and who else hears of each load), how many fetches
    overlap."""

    warehouse: Warehouse
    run: RunIds
    offline: bool
    summary: IngestSummary
    on_loads: Callable[[list[MonthLoad]], None] | None = None
    in_flight: int = 3

    def done(self, loads: list[MonthLoad]) -> None:
        self.summary.add(loads)
        if self.on_loads:
            self.on_loads(loads)


def ingest(
    source: Source,
    requests: Sequence[Any] | None = None,
    *,
    series: Sequence[Any] = (),
    months: Sequence[Month] = (),
    job: Job,
) -> None:
    """Run any source's requests, oldest first: fetch → keep the bytes → check → load → ledger.

    Up to ``job.in_flight`` fetches overlap (the client still keeps its per-host interval); loads
    happen one at a time, in request order, each holding the writer only while it writes. An
    answer whose bytes were loaded before adds ledger rows only. A failure at any step is its
    months' ``failed`` ledger rows, with every byte fetched kept; the other requests go on.
    Without ``requests`` the source plans them from ``series`` and ``months``.
    """
    logger = get_run_logger()
    log = ExchangeLog()
    queue = iter(())
    pending: deque[tuple[Any, PrefectFuture]] = deque()
    warehouse, run, summary, done = job.warehouse, job.run, job.summary, job.done

    def submit_next() -> None:
        request = next(queue, None)
        if request is not None:
            pending.append((request, fetch_request.submit(source, client, request)))

    def ledger(months_noted, message, status="failed", series_keys=None, exchange_id=None):
        first_days = [m.first_day for m in months_noted]
        loading = Loading(source.name, run, first_days, list(series_keys or ()), exchange_id)
        done(note_months(warehouse, loading, message, status))

    notes: list[Note] = []
    outcomes: list[tuple[Any, Any]] = []

    def failed(request: Any, message: str, exchange_id: str | None = None) -> None:
        months_failed = source.months(request)
        if source.ledger_at_end:  # the source writes its months' one ledger row at the end
            notes.append(Note(months_failed, message, exchange_id=exchange_id))
            return
        ledger(months_failed, message, exchange_id=exchange_id)

    def refused(request: Any, outcome: Refused) -> None:
        logger.warning("%s: refused %s: %s", source.name, source.label(request), outcome.reason)
        try:
            with warehouse.writer() as con:
                source.refuse(con, request, outcome, run, months)
        except WarehouseBusy as exc:
            failed(request, str(exc))
            return
        outcomes.append((request, outcome))

    def note(
        months_noted: Sequence[Month],
        message: str,
        status: str = "failed",
        series_keys: Sequence[str] | None = None,
        exchange_id: str | None = None,
        url: str | None = None,
    ) -> None:
        if status == "failed":
            logger.warning("%s %s: %s", source.name, ", ".join(map(str, months_noted)), message)
        if source.ledger_at_end:
            notes.append(Note(months_noted, message, status, series_keys, exchange_id, url))
            return
        ledger(months_noted, message, status, series_keys, exchange_id)

    with source.client(log, job.offline) as client:
        if requests is None:
            requests = source.plan(client, series, months, note)
            summary.exchanges += store_exchanges(warehouse, log, run.run_id)
        queue = iter(requests)
        for _ in range(job.in_flight):
            submit_next()
        while pending:
            request, future = pending.popleft()
            submit_next()
            label = source.label(request)
            try:
                raw = future.result()
            except Exception as exc:  # the task itself crashed
                raw = FetchFailed(exc)
            if isinstance(raw, FetchFailed):
                summary.exchanges += store_exchanges(warehouse, log, run.run_id)
                logger.warning("%s: fetch failed: %s", label, describe_failure(raw.error))
                failed(request, describe_failure(raw.error))
                continue
            summary.exchanges += store_exchanges(warehouse, log, run.run_id)
            if isinstance(raw, Refused):
                refused(request, raw)
                continue
            if source.skip_unchanged:
                first_days = [m.first_day for m in source.months(request)]
                loading = Loading(source.name, run, first_days, exchange_id=raw.exchange_id)
                try:
                    with warehouse.writer() as con:
                        unchanged = record_if_unchanged(con, loading)
                except WarehouseBusy as exc:
                    logger.warning("%s: %s", label, exc)
                    failed(request, str(exc), raw.exchange_id)
                    continue
                if unchanged is not None:
                    done(unchanged)
                    continue
            try:
                checked = check_raw(source, raw)
            except Exception as exc:
                logger.warning("%s: %s", label, describe_failure(exc))
                failed(request, describe_failure(exc), raw.exchange_id)
                continue
            if isinstance(checked, Refused):
                refused(request, checked)
                continue
            loads = load_checked(source, warehouse, raw, checked, run)
            if isinstance(loads, Held):
                # held past the run's wait: this request's months fail, the others still load
                logger.warning("%s: %s", label, loads.reason)
                failed(request, loads.reason, raw.exchange_id)
                continue
            if source.ledger_at_end:
                outcomes.append((request, loads))
                continue
            done(loads)
            for load in loads:
                if load.rows_quarantined:
                    logger.warning(
                        "%s %s: %d rows quarantined (see ops.quarantine)",
                        source.name,
                        Month.of(load.period) if load.period else "(no month)",
                        load.rows_quarantined,
                    )
    if source.ledger_at_end:
        try:
            with warehouse.writer() as con:
                loads, counters = source.finish(con, outcomes, notes, months, run)
        except WarehouseBusy as exc:
            logger.warning("%s: %s", source.name, exc)
            loads, counters = (
                [MonthLoad(source.name, m.first_day, "failed", message=str(exc)) for m in months],
                {},
            )
        done(loads)
        summary.count(source.name, dict(counters))
    left = log.drain()
    if left:  # the file was held to the end: the bytes wait on disk for the next run
        folder = unsaved.keep(warehouse.beside(unsaved.SUFFIX), left, run.run_id).parent
        logger.warning(
            "%s: %d exchanges kept in %s until the warehouse can be written; the next run "
            "stores them", source.name, len(left), folder,
        )  # fmt: skip


def ingest_runs(runs: Sequence[Run], job: Job) -> None:
    """Every ``Run`` of a flow in turn, one ``job``."""
    for run in runs:
        ingest(run.source, run.requests, series=run.series, months=run.months, job=job)
