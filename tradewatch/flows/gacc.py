"""Fetch, parse and load China Customs' (GACC) release pages for the watched months."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import httpx
import pandas as pd
from prefect import get_run_logger, task
from prefect.cache_policies import NONE

from ..pipelines import gacc
from ..pipelines.http import ExchangeLog, source_client
from ..schemas import Month, Series, ValidationResult, check_trade_rows
from ..warehouse import MonthLoad, record_failure
from ..warehouse import gacc as warehouse_gacc
from .ingest import IngestSummary, note_failure, store_exchanges, writing


def gacc_client(log: ExchangeLog, offline: bool) -> httpx.Client:
    """The GACC client: one request every 2 seconds live, or the shipped pages offline."""
    return source_client(
        gacc.SOURCE,
        log,
        offline=offline,
        replayers=gacc.REPLAYERS,
        min_interval=gacc.MIN_INTERVAL_SECONDS,
    )


def table_of(series: Series) -> str:
    if series.hs_code == "TOTAL":
        return "country"
    return "commodity_imports" if series.flow == "M" else "commodity_exports"


@task(
    name="fetch-gacc-page",
    cache_policy=NONE,
)
def fetch_gacc_page(client: httpx.Client, url: str) -> gacc.RawPage:
    """Download one index or release page."""
    return gacc.fetch_page(client, url)


@task(
    name="fetch-gacc-index",
    cache_policy=NONE,
)
def fetch_gacc_index(client: httpx.Client, url: str) -> gacc.RawPage | None:
    """An index page, or None when the site has none at that address (404): an answer, not a
    failure — the year's index is simply not there yet."""
    try:
        return gacc.fetch_page(client, url)
    except gacc.GaccHTTPError as exc:
        if exc.status == 404:
            return None
        raise


@task(name="check-gacc-release", cache_policy=NONE)
def check_release(page: gacc.RawPage) -> tuple[gacc.Release, pd.DataFrame, ValidationResult]:
    """Parse a release page; validate the month's rows it gives for the trade tables (pure)."""
    release, figures = gacc.parse_release(page)
    return release, figures, check_trade_rows(gacc.trade_rows(release, figures))


@task(name="load-gacc-release", cache_policy=NONE)
def load_release(
    warehouse: str | None,
    page: gacc.RawPage,
    link: gacc.ReleaseLink,
    checked: tuple[gacc.Release, pd.DataFrame, ValidationResult],
    series_keys: list[str],
    run_id: str,
    flow_run_id: str | None,
) -> list[MonthLoad]:
    """The release, its figures and its month's rows in one transaction, with ledger rows."""
    release, figures, valid = checked
    with writing(warehouse) as con:
        return warehouse_gacc.load_release(
            con,
            release=release,
            figures=figures,
            checked=valid,
            page_url=page.url,
            exchange_id=page.exchange_id,
            publication=link.publication,
            months=gacc.release_months(release),
            series_keys=series_keys,
            combined_keys=gacc.combined_series(figures, series_keys) if release.combined else None,
            run_id=run_id,
            flow_run_id=flow_run_id,
        )


def ingest_gacc(
    series: Sequence[Series],
    months: Sequence[Month],
    *,
    offline: bool,
    warehouse: str | None,
    run_id: str,
    flow_run_id: str | None,
    summary: IngestSummary,
    on_loads: Callable[[list[MonthLoad]], None] | None = None,
) -> None:
    """Read the index pages of the months' years, then load each wanted release page once.

    January has no release of its own: it comes with February's combined January-February
    table. A month without a link yet is recorded as not published.
    """
    logger = get_run_logger()
    log = ExchangeLog()
    tables = {
        table_of(s): sorted(x.key for x in series if table_of(x) == table_of(s)) for s in series
    }

    def done(loads: list[MonthLoad]) -> None:
        summary.add(loads)
        if on_loads:
            on_loads(loads)

    def fail(months_failed: Sequence[Month], message: str, exchange_id: str | None = None):
        logger.warning("gacc %s: %s", ", ".join(map(str, months_failed)), message)
        done(
            note_failure(
                warehouse,
                months_failed,
                message,
                run_id,
                flow_run_id,
                exchange_id,
                source=gacc.SOURCE,
            )
        )

    def index_page(client, publication: str, year: int, in_year) -> gacc.RawPage | None:
        """The year's index, or None: a 404 means no index yet (its months stay unpublished)."""
        for url in gacc.index_urls(publication, year):
            try:
                page = fetch_gacc_index(client, url)
            except gacc.GaccHTTPError as exc:
                summary.exchanges += store_exchanges(warehouse, log, run_id)
                fail(in_year, str(exc))
                return None
            except Exception as exc:
                summary.exchanges += store_exchanges(warehouse, log, run_id)
                fail(in_year, f"{url}: {exc}")
                return None
            summary.exchanges += store_exchanges(warehouse, log, run_id)
            if page is None:
                logger.info("gacc: no %s index at %s", publication, url)
                continue
            return page
        return None

    before = [m for m in months if m.year < gacc.ARCHIVE_START_YEAR]
    if before:
        message = f"GACC's English archive starts in {gacc.ARCHIVE_START_YEAR}"
        keys = sorted(s.key for s in series)
        with writing(warehouse) as con:
            done(
                record_failure(
                    con,
                    source=gacc.SOURCE,
                    run_id=run_id,
                    flow_run_id=flow_run_id,
                    months=[m.first_day for m in before],
                    message=message,
                    status="not_published",
                    series_keys=keys,
                )
            )
        months = [m for m in months if m.year >= gacc.ARCHIVE_START_YEAR]
    if not months:
        return
    with gacc_client(log, offline) as client:
        links: dict[tuple[str, str, int, int], gacc.ReleaseLink] = {}
        for year in sorted({m.year for m in months}):
            in_year = [m for m in months if m.year == year]
            for publication in gacc.PUBLICATIONS:
                page = index_page(client, publication, year, in_year)
                if page is None:
                    continue
                try:
                    links.update(gacc.preferred_links(gacc.parse_index(page, publication, year)))
                except gacc.LayoutChanged as exc:
                    fail(in_year, str(exc), page.exchange_id)
        loaded_urls: set[str] = set()
        for month in months:
            release_month = 2 if month.month == 1 else month.month
            for table, keys in sorted(tables.items()):
                wanted = [
                    links[key]
                    for key in ((p, table, month.year, release_month) for p in gacc.PUBLICATIONS)
                    if key in links
                ]
                if not wanted:
                    with writing(warehouse) as con:
                        done(_not_published(con, month, keys, run_id, flow_run_id, table))
                    continue
                for link in wanted:
                    if link.url in loaded_urls:
                        continue
                    loaded_urls.add(link.url)
                    done(
                        _load_link(
                            client, log, link, keys, warehouse, run_id, flow_run_id, summary, fail
                        )
                    )


def _load_link(client, log, link, keys, warehouse, run_id, flow_run_id, summary, fail):
    try:
        page = fetch_gacc_page(client, link.url)
    except Exception as exc:
        summary.exchanges += store_exchanges(warehouse, log, run_id)
        fail([Month(link.year, link.month)], f"{link.url}: {exc}")
        return []
    summary.exchanges += store_exchanges(warehouse, log, run_id)
    try:
        checked = check_release(page)
    except gacc.LayoutChanged as exc:
        fail(
            [Month(link.year, link.month)],
            f"{link.table} ({link.publication}): {exc}",
            page.exchange_id,
        )
        return []
    return load_release(warehouse, page, link, checked, keys, run_id, flow_run_id)


def _not_published(con, month, keys, run_id, flow_run_id, table) -> list[MonthLoad]:
    return record_failure(
        con,
        source=gacc.SOURCE,
        run_id=run_id,
        flow_run_id=flow_run_id,
        months=[month.first_day],
        message=f"{table}: no release linked yet",
        status="not_published",
        series_keys=keys,
    )
