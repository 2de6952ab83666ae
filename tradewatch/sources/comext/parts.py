"""Eurostat Comext's parts: the monthly bulk file fetched, streamed, checked and loaded."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pandas as pd

from ...pipelines.errors import SourceHTTPError
from ...pipelines.http import EXCHANGE_ID, source_client
from ...schemas import Month, Series, ValidationResult, check_trade_rows
from ...schemas.trade import QUARANTINE_COLUMNS
from ...warehouse.load import Loading, MonthLoad, RunIds, load_payload
from ..base import OneMonth, recorded_only
from . import archive, parse

log = logging.getLogger(__name__)

HOST = "ec.europa.eu"
URL = f"https://{HOST}/eurostat/api/dissemination/files"
MIN_INTERVAL_SECONDS = 2.0  # one large file at a time, politely
RECORDINGS = Path(__file__).parent / "recordings"
LOAD_MEMORY = "512MB"


def file_param(month: Month) -> str:
    """The ``file`` parameter of a month's bulk file (hidden from the directory listing)."""
    return f"comext/COMEXT_DATA/PRODUCTS/full_v2_{month.year}{month.month:02d}.7z"


@dataclass(frozen=True)
class ComextRequest(OneMonth):
    """One month's bulk file, for the watched series it holds."""

    month: Month
    series: tuple[Series, ...]


@dataclass(frozen=True)
class ComextAnswer:
    """The bytes of a month's answer: an archive, or the page Comext shows before it exists."""

    request: ComextRequest
    url: str
    body: bytes
    is_archive: bool
    exchange_id: str


def recorded_months(suffix: str = ".*") -> list[Month]:
    """The months the offline recordings hold (an archive, or the not-yet-published page)."""
    found = []
    for path in sorted(RECORDINGS.glob(f"full_v2_*{suffix}")):
        stamp = path.name.removeprefix("full_v2_").split(".")[0]
        found.append(Month(int(stamp[:4]), int(stamp[4:])))
    return found


def replay(request: httpx.Request) -> httpx.Response:
    """Answer as the dissemination API does: the archive as an attachment, or — for a month
    not published yet — an HTML page with status 200."""
    name = request.url.params.get("file", "").rsplit("/", 1)[-1]
    archive_path = RECORDINGS / name
    if name.endswith(".7z") and archive_path.is_file():
        return httpx.Response(
            200, content=archive_path.read_bytes(),
            headers={"content-type": "application/octet-stream",
                     "content-disposition": f'attachment; filename="{name}"'},
        )  # fmt: skip
    page = RECORDINGS / name.replace(".7z", ".html")
    if page.is_file():
        return httpx.Response(
            200, content=page.read_bytes(), headers={"content-type": "text/html;charset=UTF-8"}
        )
    return httpx.Response(404, text="not in the offline recordings")


def comext_client(log_, offline: bool) -> httpx.Client:
    return source_client(
        parse.SOURCE, log_, offline=offline, replayers={HOST: replay},
        min_interval=MIN_INTERVAL_SECONDS,
    )  # fmt: skip


def plan(client, series, months, note, offline: bool) -> list[ComextRequest]:
    """One request a month; offline, the months with no recording are noted unavailable."""
    wanted = list(months)
    if offline:
        archives = recorded_months(".7z")
        wanted = recorded_only(wanted, recorded_months(), note, (
            f"offline: no recording of Comext's bulk file (recorded: {min(archives)}.."
            f"{max(archives)}, figures generated); run live to fetch it"
        ), [s.key for s in series])  # fmt: skip
    return [ComextRequest(m, tuple(series)) for m in wanted]


def fetch(client: httpx.Client, request: ComextRequest) -> ComextAnswer:
    response = client.get(URL, params={"file": file_param(request.month)})
    url = str(response.request.url)
    if response.status_code >= 400:
        raise SourceHTTPError(url, response.status_code)
    disposition = response.headers.get("content-disposition", "").lower()
    kind = response.headers.get("content-type", "").lower()
    is_archive = "attachment" in disposition or kind.startswith(
        ("application/octet-stream", "application/x-7z")
    )
    return ComextAnswer(
        request, url, response.content, is_archive, response.extensions[EXCHANGE_ID]
    )


@dataclass
class Checked:
    """A month's file checked: the watched series' rows (and every quarantined row), and the
    file's valid rows staged in a scratch Parquet file for the load (None: no archive)."""

    trade: ValidationResult
    staged: Path | None = None
    rows: int = 0
    sums: dict[str, parse.Sums] = field(default_factory=dict)  # by series key


def check(answer: ComextAnswer) -> Checked:
    """The month's file streamed: every row checked, the valid ones staged a block at a time in
    a scratch Parquet file (memory holds one block), the watched series summed. A month not
    published yet (an HTML page, no attachment) has no rows."""
    import tempfile

    import pyarrow.parquet as pq

    month, series = answer.request.month, answer.request.series
    if not answer.is_archive:
        log.info("comext %s: not published yet (the answer is a page, not an archive)", month)
        return Checked(check_trade_rows(parse.trade_rows(month, series, {})))
    known, codes = parse.country_codes()
    sums: dict[str, parse.Sums] = {}
    quarantine: list[dict] = []
    last_line, rows = 1, 0
    handle, name = tempfile.mkstemp(prefix=f"tradewatch-comext-{month}-", suffix=".parquet")
    os.close(handle)
    staged = Path(name)
    try:
        schema = _full_rows_schema()
        with pq.ParquetWriter(staged, schema) as writer:
            blocks = archive.csv_blocks(answer.body, answer.url)
            for block in parse.read_blocks(blocks, answer.url):
                ok, failures = parse.check_rows(block, month, known)
                quarantine += parse.malformed_records(block.bad, month) + failures
                valid = block.table.filter(ok)
                parse.add_sums(valid, series, codes, sums)
                writer.write_table(valid.rename_columns(schema.names))
                rows += valid.num_rows
                last_line = max(last_line, block.last_line)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    for watched in series:  # what each sum is made of, said once per month
        found = sums.get(watched.key)
        if found is not None:
            log.info(
                "comext %s %s: HS %s summed from %d CN8 lines (%d of them confidential), "
                "%s kg, EUR %s",
                month, watched.name, watched.hs_code, found.lines, found.confidential,
                f"{found.kg:,}", f"{found.value_eur:,}",
            )  # fmt: skip
    trade = parse.trade_rows(month, series, sums)
    trade.index = trade.index + last_line + 1  # no row index shared with the CSV's lines
    checked = check_trade_rows(trade)
    raw = pd.DataFrame(quarantine, columns=QUARANTINE_COLUMNS)
    if not raw.empty:
        checked.quarantine = pd.concat([raw, checked.quarantine], ignore_index=True)
    return Checked(checked, staged, rows, sums)


def load(con, answer: ComextAnswer, checked: Checked, run: RunIds) -> list[MonthLoad]:
    """The watched series' rows (vintages, quarantine, ledger) and the month's full rows in
    ``comext_rows`` (replacing that month's earlier file), in one transaction."""
    request = answer.request
    loading = Loading(
        parse.SOURCE, run, [request.month.first_day], request.series_keys(), answer.exchange_id
    )

    def full_rows(con, params: dict) -> None:
        if checked.staged is None:
            return
        # DuckDB spills the month's rows past this instead of holding them: memory stays
        # flat whatever the month's size (the connection is this load's own)
        con.execute(f"set memory_limit = '{LOAD_MEMORY}'")
        con.execute("delete from comext_rows where period = ?", [request.month.first_day])
        # in any order (a query orders them): every thread writes the month's rows at once
        # instead of one keeping the file's order, 4.5 s to 2.2 s for 4.9 million rows (benchmark)
        con.execute("set preserve_insertion_order = false")
        con.execute(
            INSERT_FULL_ROWS,
            [request.month.first_day, answer.exchange_id, params["sha256"], str(checked.staged)],
        )
        con.execute("reset preserve_insertion_order")
        con.execute("delete from comext_sums where period = ?", [request.month.first_day])
        summed = [(s, checked.sums[s.key]) for s in request.series if s.key in checked.sums]
        if not summed:
            return
        con.executemany(
            "insert into comext_sums values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (request.month.first_day, s.key, s.name, s.hs_code, " ".join(sorted(found.codes)),
                 found.lines, found.confidential, found.kg, found.value_eur, answer.exchange_id)
                for s, found in summed
            ],
        )  # fmt: skip
        # the value as published, in euro: trade_values_usd reads it in dollars beside it
        con.executemany(
            "insert into trade_values values (?, ?, ?, ?, ?, ?, 'EUR', ?, ?, now())",
            [
                (parse.SOURCE, s.reporter, s.partner, s.hs_code, s.flow, request.month.first_day,
                 float(found.value_eur), answer.exchange_id)
                for s, found in summed
            ],
        )  # fmt: skip

    try:
        return load_payload(con, loading, checked.trade, writes=full_rows)
    finally:
        if checked.staged is not None:
            checked.staged.unlink(missing_ok=True)


INSERT_FULL_ROWS = """
insert into comext_rows
select ?::date, reporter, partner, trade_type, product_nc, product_sitc, product_cpa21,
    product_cpa22, product_bec, product_bec5, product_section, flow, stat_procedure,
    suppl_unit, value_eur::bigint, value_nac::bigint, quantity_kg::bigint,
    quantity_suppl_unit::bigint, ?, ?
from read_parquet(?)
"""


def _full_rows_schema():
    import pyarrow as pa

    return pa.schema([(column.lower(), pa.string()) for column in parse.COLUMNS])
