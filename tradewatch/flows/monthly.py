"""The ``monthly-ingest`` flow: the target month and the window before it, every source."""

from __future__ import annotations

import uuid
from dataclasses import replace

from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from .. import sources as registry
from .. import watchlist as watchlists
from ..errors import IngestFailed
from ..pipelines import comtrade, gacc
from ..schemas import Month, previous_month
from ..warehouse import run_lock
from .alerts import alert_step
from .ingest import IngestSummary, ingest


def comtrade_api_key(secret_block: str | None, offline: bool) -> str | None:
    """``COMTRADE_API_KEY``, else the named Prefect Secret block, else none (keyless preview)."""
    if offline:
        return None
    key = comtrade.api_key_from_env()
    if key or not secret_block:
        return key
    from prefect.blocks.system import Secret

    return str(Secret.load(secret_block).get()).strip() or None


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
    series = config.for_source(comtrade.SOURCE)
    holder = f"monthly-ingest {target}"
    with run_lock(warehouse, wait_seconds=lock_wait, holder=holder, on_wait=logger.info):
        api_key = comtrade_api_key(config.comtrade_api_key_secret, offline)
        ingest(
            replace(registry.COMTRADE, options={"api_key": api_key}),
            comtrade.plan_requests(series, months),
            offline=offline,
            warehouse=warehouse,
            run_id=run_id,
            flow_run_id=flow_run.id,
            summary=summary,
        )
        gacc_series = config.for_source(gacc.SOURCE)
        if gacc_series:
            ingest(
                registry.GACC,
                series=gacc_series,
                months=months,
                offline=offline,
                warehouse=warehouse,
                run_id=run_id,
                flow_run_id=flow_run.id,
                summary=summary,
            )
        news_series = [s for s in config.series if s.news_terms]
        if news_series:
            ingest(
                replace(registry.NEWS, options=registry.news_options(config, offline)),
                series=news_series,
                months=[target],
                offline=offline,
                warehouse=warehouse,
                run_id=run_id,
                flow_run_id=flow_run.id,
                summary=summary,
            )
        summary.add_alerts(
            alert_step(warehouse, config, run_id, notify, f"monthly-ingest {target}")
        )
    logger.info(summary.line())
    if summary.failed:
        raise IngestFailed(summary.failure_text())
    return summary.as_dict()
