"""The ``monthly-ingest`` flow: the target month and the window before it, every source."""

from __future__ import annotations

import uuid

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from .. import sources as registry
from .. import watchlist as watchlists
from ..errors import IngestFailed
from ..schemas import Month, previous_month
from ..warehouse import RunIds, Warehouse, WarehouseBusy
from . import progress
from .alerts import alert_step
from .ingest import IngestSummary, Job, failed_run, ingest_runs
from .report import report_step


def load_secret(name: str) -> str | None:
    """The value of a Prefect Secret block (a source's key, named in the watchlist)."""
    from prefect.blocks.system import Secret

    return str(Secret.load(name).get())


@flow(name="monthly-ingest")
def monthly_ingest(
    month: str | None = None,
    offline: bool = False,
    warehouse: str | None = None,
    watchlist: str | None = None,
    window_months: int | None = None,
    lock_wait: float | None = None,
    notify: bool = True,
) -> dict:
    """Load the target month (default: last month) and re-fetch the months before it.

    Then raise (and deliver, unless ``notify`` is false) alerts for new reversals, and retract
    those a revision took away.
    """
    logger = get_run_logger()
    config = watchlists.load(watchlist)
    target = Month.parse(month) if month else previous_month()
    window = window_months or config.window_months
    if window < 1:
        raise ValueError(f"window_months must be at least 1, got {window}")
    months = target.window(window)
    run_id = str(flow_run.id or uuid.uuid4())
    logger.info(
        "monthly-ingest %s (window %s..%s), watchlist %s, %s",
        target,
        months[0],
        months[-1],
        config.path,
        "offline replay" if offline else "live",
    )
    summary = IngestSummary(months=[str(m) for m in months])
    holder = f"monthly-ingest {target}"
    place = Warehouse(warehouse, write_wait=lock_wait)
    with place.run_lock(wait_seconds=lock_wait, holder=holder, on_wait=logger.info):
        runs = registry.monthly_runs(config, target, months, offline=offline, secret=load_secret)
        cells = {(run.source.name, m) for run in runs for m in run.months}
        tally = progress.Tally(months[0].first_day, months[-1].first_day, len(cells))
        job = Job(place, RunIds(run_id, flow_run.id), offline, summary, tally.on_loads)
        ingest_runs(runs, job)
        summary.add_alerts(alert_step(place, config, run_id, notify, f"monthly-ingest {target}"))
        try:
            summary.report = report_step(place, target)
        except WarehouseBusy as exc:  # a lake's catalog lost by now: the page waits for a run
            logger.warning("briefing not written: %s", exc)
            summary.not_done.append(f"briefing: {exc}")
    logger.info(summary.line())
    if summary.failed or summary.not_done:
        return failed_run(IngestFailed(summary.failure_text()))
    return summary.as_dict()
