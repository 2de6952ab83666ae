"""The ``backfill`` flow: every month of a range, once, skipping what is already loaded."""

from __future__ import annotations

import os
import uuid

from prefect import flow, get_run_logger
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.runtime import flow_run

from .. import sources as registry
from .. import watchlist as watchlists
from ..errors import IngestFailed
from ..schemas import Month
from ..warehouse import MonthLoad, RunIds, Warehouse, WarehouseBusy, lake
from . import fanout, progress
from .alerts import alert_step
from .ingest import IngestSummary, Job, failed_run, ingest_runs
from .monthly import load_secret


@flow(name="backfill")
def backfill(
    start: str,
    end: str,
    sources: list[str] | None = None,
    force: bool = False,
    offline: bool = False,
    warehouse: str | None = None,
    watchlist: str | None = None,
    lock_wait: float | None = None,
    notify: bool = False,
    parallel: int = 1,
    chunk_months: int = 12,
    data_path: str | None = None,
    chunk_of: str | None = None,
) -> dict:
    """Load every month from ``start`` to ``end`` (YYYY-MM), oldest first, resumably.

    A month is skipped for a source when every watched series of that source has been loaded
    for it before (from ``ops.runs``), unless ``force``. Failed months do not stop the others;
    the flow fails at the end, naming them. Alerts for reversals in old months are recorded
    but not delivered unless ``notify``.

    With ``parallel`` above 1 the range runs as chunks of ``chunk_months`` on Prefect workers
    (``fanout``), into a DuckLake; ``chunk_of`` marks such a chunk (its parent raises the alerts).
    """
    logger = get_run_logger()
    if data_path:  # a chunk on a worker: the lake's files where its parent put them
        os.environ[lake.DATA_PATH_ENV] = data_path
    config = watchlists.load(watchlist)
    months = Month.span(Month.parse(start), Month.parse(end))
    chosen = registry.backfill_sources(config, sources)
    run_id = chunk_of or str(flow_run.id or uuid.uuid4())
    summary = IngestSummary(months=[str(m) for m in months])
    label = f"backfill {start}..{end}"
    artifact = create_progress_artifact(
        0.0,
        key=fanout.CHUNK_PROGRESS_KEY if chunk_of else fanout.PROGRESS_KEY,
        description=f"{label}: {', '.join(chosen)}",
    )

    def show(percent: float) -> None:
        update_progress_artifact(artifact, percent)

    place = Warehouse(warehouse, write_wait=lock_wait)
    if parallel > 1:
        options = {
            "sources": list(chosen), "force": force, "offline": offline, "watchlist": watchlist,
            "lock_wait": lock_wait, "warehouse": fanout.check_parallel(place),
            "data_path": lake.data_location(), "chunk_of": run_id,
        }  # fmt: skip
        fanout.run_chunks(
            fanout.plan_chunks(months, chosen, chunk_months), options, parallel, summary,
            on_progress=_chunk_progress(show), log=logger.info,
        )  # fmt: skip
        summary.add_alerts(alert_step(place, config, run_id, notify, label))
    else:
        tally = progress.Tally(
            months[0].first_day, months[-1].first_day, len(months) * len(chosen), on_change=show
        )
        job = Job(place, RunIds(run_id, flow_run.id), offline, summary, tally.on_loads)
        with place.run_lock(wait_seconds=lock_wait, holder=label, on_wait=logger.info):
            _load_months(job, config, months, chosen, force, tally, logger)
            if chunk_of is None:
                summary.add_alerts(alert_step(place, config, run_id, notify, label))
    show(100.0)
    logger.info("%s: %s; %d already loaded", label, summary.line(), summary.skipped)
    if chunk_of is not None:
        fanout.write_summary(summary)
    if summary.failed or summary.not_done:
        return failed_run(
            IngestFailed(
                f"backfill: {summary.failed_months()} months failed: " + summary.failure_text()
            )
        )
    return summary.as_dict()


def _load_months(job: Job, config, months, chosen, force, tally, logger):
    """The months of every chosen source, one source after another, in this process."""
    for source in chosen:
        try:
            runs, skipped = _plan(job.warehouse, source, config, months, force, job.offline)
        except WarehouseBusy as exc:  # its ledger cannot be read: none of its months is asked
            logger.warning("%s: %s", source, exc)
            job.done([MonthLoad(source, m.first_day, "failed", message=str(exc)) for m in months])
            continue
        for month in skipped:
            job.summary.skipped += 1
            tally.advance(source, month.first_day, "already loaded")
        logger.info("%s: %d of %d months to load", source, len(months) - len(skipped), len(months))
        ingest_runs(runs, job)


def _plan(place: Warehouse, source: str, config, months, force: bool, offline: bool):
    """A source's runs and the months its ledger says are loaded. With the file held by a
    reader past the run's wait the ledger is read beside it, read-only: the months are still
    fetched, and their bytes kept, though they cannot be written yet."""
    options = {"force": force, "offline": offline, "secret": load_secret}
    try:
        with place.writer() as con:
            return registry.backfill_runs(source, con, config, months, **options)
    except WarehouseBusy:
        with place.reader() as con:
            return registry.backfill_runs(source, con, config, months, **options)


def _chunk_progress(show):
    """A parallel backfill's progress: chunks done and months (x sources) loaded."""

    def on_progress(chunks: list[fanout.Chunk], chunk: fanout.Chunk) -> None:
        done = sum(c.done_cells for c in chunks)
        total = sum(c.cells for c in chunks)
        show(100.0 * done / max(total, 1))
        progress.emit(
            progress.ProgressEvent(
                done, total, "chunk", chunk.months[0].first_day, chunk.state,
                fanout.counts(chunks), where=f"chunk {chunk.label}",
            )
        )  # fmt: skip

    return on_progress
