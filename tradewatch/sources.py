"""The registry of sources: each source's pipeline and warehouse parts, put together once.

The only place that knows every source by name; ``flows/engine.py`` runs any of them.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from .pipelines import comtrade, gacc
from .pipelines.contract import SourceSpec
from .pipelines.http import source_client
from .schemas import Month, check_trade_rows
from .warehouse import comtrade as warehouse_comtrade
from .warehouse import gacc as warehouse_gacc
from .warehouse.db import connect
from .warehouse.load import MonthLoad


def _comtrade_client(log, offline: bool):
    """One request a second live, or the shipped recordings offline."""
    return source_client(
        comtrade.SOURCE,
        log,
        offline=offline,
        replayers=comtrade.REPLAYERS,
        min_interval=comtrade.MIN_INTERVAL_SECONDS,
    )


def _comtrade_load(con, raw, checked, run_id, flow_run_id):
    return warehouse_comtrade.load_rows(
        con,
        exchange_id=raw.exchange_id,
        months=[m.first_day for m in raw.request.months],
        series_keys=raw.request.series_keys(),
        checked=checked,
        run_id=run_id,
        flow_run_id=flow_run_id,
    )


COMTRADE = SourceSpec(
    name=comtrade.SOURCE,
    client=_comtrade_client,
    fetch=lambda client, request, options: comtrade.fetch_request(
        client, request, options.get("api_key")
    ),
    check=lambda raw: check_trade_rows(comtrade.parse_payload(raw)),
    load=_comtrade_load,
    months=lambda request: request.months,
    label=lambda r: f"comtrade {r.months[0]}..{r.months[-1]} hs {r.hs_codes}",
)


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


def _gacc_client(log_, offline: bool):
    """One request every 2 seconds live, or the shipped pages offline."""
    return source_client(
        gacc.SOURCE,
        log_,
        offline=offline,
        replayers=gacc.REPLAYERS,
        min_interval=gacc.MIN_INTERVAL_SECONDS,
    )


def _gacc_plan(client, series, months, note) -> list[GaccRequest]:
    """Read the index pages of the months' years and pick each wanted release page once.

    Months before the English archive, and months without a linked release yet, are noted
    not published; an index that fails or changed shape fails its year's months.
    """
    tables = {
        gacc.table_of(s): sorted(x.key for x in series if gacc.table_of(x) == gacc.table_of(s))
        for s in series
    }
    before = [m for m in months if m.year < gacc.ARCHIVE_START_YEAR]
    if before:
        message = f"GACC's English archive starts in {gacc.ARCHIVE_START_YEAR}"
        note(before, message, "not_published", sorted(s.key for s in series))
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


def _gacc_fetch(client, request: GaccRequest, options) -> GaccAnswer:
    try:
        return GaccAnswer(request, gacc.fetch_page(client, request.link.url))
    except Exception as exc:
        raise RuntimeError(f"{request.link.url}: {exc}") from exc


def _gacc_check(answer: GaccAnswer):
    link = answer.request.link
    try:
        release, figures = gacc.parse_release(answer.page)
    except gacc.LayoutChanged as exc:
        raise RuntimeError(f"{link.table} ({link.publication}): {exc}") from exc
    return release, figures, check_trade_rows(gacc.trade_rows(release, figures))


def _gacc_load(con, answer: GaccAnswer, checked, run_id, flow_run_id):
    release, figures, valid = checked
    keys = list(answer.request.keys)
    return warehouse_gacc.load_release(
        con,
        release=release,
        figures=figures,
        checked=valid,
        page_url=answer.page.url,
        exchange_id=answer.exchange_id,
        publication=answer.request.link.publication,
        months=gacc.release_months(release),
        series_keys=keys,
        combined_keys=gacc.combined_series(figures, keys) if release.combined else None,
        run_id=run_id,
        flow_run_id=flow_run_id,
    )


GACC = SourceSpec(
    name=gacc.SOURCE,
    client=_gacc_client,
    plan=_gacc_plan,
    fetch=_gacc_fetch,
    check=_gacc_check,
    load=_gacc_load,
    months=lambda request: [Month(request.link.year, request.link.month)],
    label=lambda r: f"gacc {r.link.table} {r.link.year}-{r.link.month:02d} ({r.link.publication})",
    # a January-February page is only known to be one once parsed: always load it again
    skip_unchanged=False,
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

    with closing(connect(warehouse)) as con:
        return warehouse_comtrade.load_file(
            con,
            path,
            batches,
            months=[m.first_day for m in months] if months is not None else None,
            series_keys=series_keys,
            run_id=run_id or str(uuid.uuid4()),
            memory_limit=memory_limit,
        )
