"""China's customs (GACC)'s parts: index pages plan the release pages, which load."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ...pipelines import gacc
from ...pipelines.http import source_client
from ...schemas import check_trade_rows
from ...warehouse import gacc as warehouse_gacc
from ...warehouse.gacc import ReleasePage
from ...warehouse.load import Loading, RunIds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GaccRequest:
    """One release page to load, for the watched series its table publishes."""

    link: gacc.ReleaseLink
    keys: tuple[str, ...]


@dataclass(frozen=True)
class GaccAnswer:
    """A fetched release page and the request it answers."""

    request: GaccRequest
    page: gacc.RawPage

    @property
    def exchange_id(self) -> str | None:
        return self.page.exchange_id


def gacc_client(log_, offline: bool):
    """One request every 2 seconds live, or the shipped pages offline."""
    return source_client(
        gacc.SOURCE,
        log_,
        offline=offline,
        replayers=gacc.REPLAYERS,
        min_interval=gacc.MIN_INTERVAL_SECONDS,
    )


def plan(client, series, months, note) -> list[GaccRequest]:
    """Read the index pages of the months' years and pick each wanted release page once.

    Months before the English archive are noted unavailable (the source will never publish them
    there), months without a linked release yet not published; an index that fails or changed
    shape fails its year's months.
    """
    tables = {
        gacc.table_of(s): sorted(x.key for x in series if gacc.table_of(x) == gacc.table_of(s))
        for s in series
    }
    before = [m for m in months if m.year < gacc.ARCHIVE_START_YEAR]
    if before:
        message = f"GACC's English archive starts in {gacc.ARCHIVE_START_YEAR}"
        note(before, message, "unavailable", sorted(s.key for s in series))
    months = [m for m in months if m.year >= gacc.ARCHIVE_START_YEAR]
    links: dict[tuple[str, str, int, int], gacc.ReleaseLink] = {}
    for year in sorted({m.year for m in months}):
        in_year = [m for m in months if m.year == year]
        for publication in gacc.PUBLICATIONS:
            page = _gacc_index(client, publication, year, in_year, note)
            if page is None:
                continue
            try:
                links.update(gacc.preferred_links(gacc.parse_index(page, publication, year)))
            except gacc.LayoutChanged as exc:
                note(in_year, str(exc), exchange_id=page.exchange_id)
    requests, planned = [], set()
    for month in months:
        for table, keys in sorted(tables.items()):
            wanted = [
                links[key]
                for key in (
                    (p, table, month.year, gacc.release_month(month)) for p in gacc.PUBLICATIONS
                )
                if key in links
            ]
            if not wanted:
                note([month], f"{table}: no release linked yet", "not_published", keys)
            for link in wanted:
                if link.url not in planned:
                    planned.add(link.url)
                    requests.append(GaccRequest(link, tuple(keys)))
    return requests


def _gacc_index(client, publication: str, year: int, in_year, note) -> gacc.RawPage | None:
    """The year's index, or None: a 404 means no index yet (its months stay unpublished)."""
    for url in gacc.index_urls(publication, year):
        try:
            return gacc.fetch_page(client, url)
        except gacc.GaccHTTPError as exc:
            if exc.status == 404:
                log.info("gacc: no %s index at %s", publication, url)
                continue
            note(in_year, str(exc))
            return None
        except Exception as exc:
            note(in_year, f"{url}: {exc}")
            return None
    return None


def fetch(client, request: GaccRequest) -> GaccAnswer:
    try:
        return GaccAnswer(request, gacc.fetch_page(client, request.link.url))
    except Exception as exc:
        raise RuntimeError(f"{request.link.url}: {exc}") from exc


def check(answer: GaccAnswer):
    link = answer.request.link
    try:
        release, figures = gacc.parse_release(answer.page)
    except gacc.LayoutChanged as exc:
        raise RuntimeError(f"{link.table} ({link.publication}): {exc}") from exc
    return release, figures, check_trade_rows(gacc.trade_rows(release, figures))


def load(con, answer: GaccAnswer, checked, run: RunIds):
    release, figures, valid = checked
    keys = list(answer.request.keys)
    months = [m.first_day for m in gacc.release_months(release)]
    page = ReleasePage(release, figures, answer.page.url, answer.request.link.publication)
    return warehouse_gacc.load_release(
        con,
        Loading(gacc.SOURCE, run, months, keys, answer.exchange_id),
        page,
        valid,
        gacc.combined_series(figures, keys) if release.combined else None,
    )
