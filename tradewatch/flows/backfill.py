"""The ``backfill`` flow: every month of a range, once, skipping what is already loaded."""

from __future__ import annotations

import uuid

from prefect import flow, get_run_logger
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.runtime import flow_run

from .. import sources as registry
from .. import watchlist as watchlists
from ..errors import IngestFailed
from ..schemas import Month
from ..warehouse import run_lock
from . import progress
from .alerts import alert_step
from .ingest import IngestSummary, ingest_run, set_writer_wait, writing
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
) -> dict:
    """Load every month from ``start`` to ``end`` (YYYY-MM), oldest first, resumably.

    A month is skipped for a source when every watched series of that source has been loaded
    for it before (from ``ops.runs``), unless ``force``. Failed months do not stop the others;
    the flow fails at the end, naming them. Alerts for reversals in old months are recorded
    but not delivered unless ``notify``.
    """
    logger = get_run_logger()
    config = watchlists.load(watchlist)
    months = Month.span(Month.parse(start), Month.parse(end))
    chosen = registry.backfill_sources(config, sources)
    run_id = str(flow_run.id or uuid.uuid4())
    summary = IngestSummary(months=[str(m) for m in months])
    artifact = create_progress_artifact(
        0.0, key="backfill-progress", description=f"backfill {start}..{end}: {', '.join(chosen)}"
    )
    tally = progress.Tally(
        months[0].first_day,
        months[-1].first_day,
        len(months) * len(chosen),
        on_change=lambda percent: update_progress_artifact(artifact, percent),
    )

    set_writer_wait(lock_wait)
    with run_lock(
        warehouse, wait_seconds=lock_wait, holder=f"backfill {start}..{end}", on_wait=logger.info
    ):
        for source in chosen:
            with writing(warehouse) as con:
                runs, skipped = registry.backfill_runs(
                    source, con, config, months, force=force, offline=offline, secret=load_secret
                )
            for month in skipped:
                summary.skipped += 1
                tally.advance(source, month.first_day, "already loaded")
            logger.info(
                "%s: %d of %d months to load", source, len(months) - len(skipped), len(months)
            )
            for run in runs:
                ingest_run(
                    run,
                    offline=offline,
                    warehouse=warehouse,
                    run_id=run_id,
                    flow_run_id=flow_run.id,
                    summary=summary,
                    on_loads=tally.on_loads,
                )
        summary.add_alerts(
            alert_step(warehouse, config, run_id, notify, f"backfill {start}..{end}")
        )
    update_progress_artifact(artifact, 100.0)
    logger.info(
        "backfill %s..%s: %s; %d already loaded", start, end, summary.line(), summary.skipped
    )
    if summary.failed:
        raise IngestFailed(
            f"backfill: {len(summary.failed)} months failed: " + summary.failure_text()
        )
    return summary.as_dict()
