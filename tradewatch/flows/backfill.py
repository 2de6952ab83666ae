"""The ``backfill`` flow: every month of a range, once, skipping what is already loaded."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import replace

from prefect import flow, get_run_logger
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.runtime import flow_run

from .. import sources as registry
from .. import watchlist as watchlists
from ..errors import IngestFailed
from ..pipelines import comtrade, gacc, news
from ..schemas import Month, Series
from ..warehouse import MonthLoad, run_lock
from ..warehouse.news import news_loaded_months
from ..warehouse.status import loaded_series
from . import progress
from .alerts import alert_step
from .ingest import IngestSummary, ingest, writing
from .monthly import comtrade_api_key

SOURCES = (comtrade.SOURCE, gacc.SOURCE, news.SOURCE)
# News is backfilled only when asked for (--source news): GDELT allows a request every 5 s.
DEFAULT_SOURCES = (comtrade.SOURCE, gacc.SOURCE)


def pending_months(
    series: list[Series], months: list[Month], loaded: dict[dt.date, set[str]], force: bool
) -> dict[tuple[Month, ...], list[Series]]:
    """Group series by the months each still needs, so every month is fetched once per series."""
    groups: dict[tuple[Month, ...], list[Series]] = defaultdict(list)
    for s in series:
        needed = tuple(m for m in months if force or s.key not in loaded.get(m.first_day, set()))
        if needed:
            groups[needed].append(s)
    return dict(groups)


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
    chosen = list(sources) if sources else [s for s in DEFAULT_SOURCES if config.for_source(s)]
    unknown = sorted(set(chosen) - set(SOURCES))
    if unknown:
        raise ValueError(f"unknown source {', '.join(unknown)} (known: {', '.join(SOURCES)})")
    run_id = str(flow_run.id or uuid.uuid4())
    summary = IngestSummary(months=[str(m) for m in months])
    total = len(months) * len(chosen)
    state = {"done": 0}
    seen: set[tuple[str, dt.date]] = set()
    artifact = create_progress_artifact(
        0.0, key="backfill-progress", description=f"backfill {start}..{end}: {', '.join(chosen)}"
    )

    def advance(source: str, period: dt.date, status: str, detail: str = "") -> None:
        # A source may load a month in several pages (GACC's tables): count each cell once.
        if (source, period) in seen or period < months[0].first_day:
            return
        if period > months[-1].first_day:
            return
        seen.add((source, period))
        state["done"] += 1
        progress.emit(progress.ProgressEvent(state["done"], total, source, period, status, detail))

    def on_loads(loads: list[MonthLoad]) -> None:
        for load in loads:
            if load.period is not None:
                advance(load.source, load.period, load.status, load.message or "")
        update_progress_artifact(artifact, 100.0 * state["done"] / max(total, 1))

    with run_lock(
        warehouse, wait_seconds=lock_wait, holder=f"backfill {start}..{end}", on_wait=logger.info
    ):
        for source in chosen:
            if source == news.SOURCE:
                _backfill_news(config, months, force, offline, warehouse, run_id, summary, advance)
                continue
            series = config.for_source(source)
            with writing(warehouse) as con:
                loaded = loaded_series(con, source, months[0].first_day, months[-1].first_day)
            groups = pending_months(series, months, loaded, force)
            todo = {m for needed in groups for m in needed}
            for month in months:
                if month not in todo:
                    summary.skipped += 1
                    advance(source, month.first_day, "already loaded")
            logger.info("%s: %d of %d months to load", source, len(todo), len(months))
            if source == gacc.SOURCE:
                ingest(
                    registry.GACC,
                    series=sorted(
                        {s for group in groups.values() for s in group}, key=lambda s: s.key
                    ),
                    months=sorted(todo),
                    offline=offline,
                    warehouse=warehouse,
                    run_id=run_id,
                    flow_run_id=flow_run.id,
                    summary=summary,
                    on_loads=on_loads,
                )
                continue
            requests = sorted(
                (
                    r
                    for needed, group in groups.items()
                    for r in comtrade.plan_requests(group, needed)
                ),
                key=lambda r: (r.months[0], r.partner, r.hs_codes),
            )
            api_key = comtrade_api_key(config.comtrade_api_key_secret, offline)
            ingest(
                replace(registry.COMTRADE, options={"api_key": api_key}),
                requests,
                offline=offline,
                warehouse=warehouse,
                run_id=run_id,
                flow_run_id=flow_run.id,
                summary=summary,
                on_loads=on_loads,
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


def _backfill_news(config, months, force, offline, warehouse, run_id, summary, advance) -> None:
    """Each month's news reports, skipping months whose news already loaded (unless force)."""
    if not any(s.news_terms for s in config.series):
        return
    with writing(warehouse) as con:
        done = news_loaded_months(con, months[0].first_day, months[-1].first_day)
    for month in months:
        if not force and month.first_day in done:
            summary.skipped += 1
            advance(news.SOURCE, month.first_day, "already loaded")
            continue
        failed_before = len(summary.failed)
        ingest(
            replace(registry.NEWS, options=registry.news_options(config, offline)),
            series=[s for s in config.series if s.news_terms],
            months=[month],
            offline=offline,
            warehouse=warehouse,
            run_id=run_id,
            flow_run_id=flow_run.id,
            summary=summary,
        )
        advance(
            news.SOURCE,
            month.first_day,
            "failed" if len(summary.failed) > failed_before else "loaded",
        )
