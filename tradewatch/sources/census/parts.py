"""The US Census Bureau's parts: requests, the client and its recordings, the rows loaded
(``parse`` reads the answers).

A month not published yet is HTTP 204 with no body; an error is a status of 400 or more with a
text body; a key the API refuses answers with an HTML page.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import httpx

from ...pipelines.errors import SourceHTTPError
from ...pipelines.http import EXCHANGE_ID, source_client
from ...schemas import Month, Series
from ...warehouse.load import Loading, MonthLoad, RunIds, load_payload
from ..base import OneMonth, recorded_only
from .parse import SOURCE, VARIABLES, Checked

HOST = "api.census.gov"
URL = f"https://{HOST}/data/timeseries/intltrade/{{endpoint}}/hs"
API_KEY_ENV = "CENSUS_API_KEY"
MIN_INTERVAL_SECONDS = 0.5
RECORDINGS = Path(__file__).parent / "recordings"


@dataclass(frozen=True)
class CensusRequest(OneMonth):
    """One flow, commodity and month, for every country (the watched series it serves)."""

    flow: str
    hs_code: str
    month: Month
    series: tuple[Series, ...]

    def params(self) -> dict[str, str]:
        """The query: ``I_COMMODITY``/``E_COMMODITY`` at its HS level, ``-`` for all goods."""
        prefix = "I" if self.flow == "M" else "E"
        params = {"get": ",".join(VARIABLES[self.flow])}
        if self.hs_code == "TOTAL":
            params[f"{prefix}_COMMODITY"] = "-"
        else:
            params["COMM_LVL"] = f"HS{len(self.hs_code)}"
            params[f"{prefix}_COMMODITY"] = self.hs_code
        params["time"] = f"{self.month.year}-{self.month.month:02d}"
        return params

    @property
    def endpoint(self) -> str:
        return "imports" if self.flow == "M" else "exports"

    @property
    def recording(self) -> str:
        """The offline recording's file name."""
        return f"{self.endpoint}_{self.hs_code}_{self.month.year}{self.month.month:02d}.json"


@dataclass(frozen=True)
class CensusAnswer:
    request: CensusRequest
    url: str
    status: int
    body: bytes
    exchange_id: str


def api_key(secret_block: str | None, offline: bool, secret) -> str | None:
    """``CENSUS_API_KEY``, else the named secret, else none: the API answers keyless (at a
    lower daily limit)."""
    if offline:
        return None
    key = (os.environ.get(API_KEY_ENV) or "").strip()
    if key or not secret_block:
        return key or None
    return (secret(secret_block) or "").strip() or None


def replay(request: httpx.Request) -> httpx.Response:
    """Answer from the recordings as the API does: the JSON, or 204 for a month not yet
    published (a recording holding nothing)."""
    params = request.url.params
    flow = "M" if "/imports/" in request.url.path else "X"
    commodity = params.get("I_COMMODITY") or params.get("E_COMMODITY") or ""
    hs = "TOTAL" if commodity == "-" else commodity
    stamp = params.get("time", "")
    month = Month(int(stamp[:4]), int(stamp[5:7])) if len(stamp) == 7 else None
    if month is None:
        return httpx.Response(400, text="error: invalid 'time' argument")
    path = RECORDINGS / CensusRequest(flow, hs, month, ()).recording
    if not path.is_file():
        return httpx.Response(404, text="not in the offline recordings")
    body = path.read_bytes()
    if not body:
        return httpx.Response(204)
    return httpx.Response(200, content=body, headers={"content-type": "application/json"})


def recorded_months() -> list[Month]:
    stamps = {p.stem.rsplit("_", 1)[-1] for p in RECORDINGS.glob("*.json")}
    return sorted(Month(int(s[:4]), int(s[4:])) for s in stamps)


def census_client(log_, offline: bool) -> httpx.Client:
    return source_client(
        SOURCE, log_, offline=offline, replayers={HOST: replay}, min_interval=MIN_INTERVAL_SECONDS
    )


def plan(series, months, note, offline: bool) -> list[CensusRequest]:
    """One request a flow, commodity and month; offline, months with no recording are
    noted unavailable."""
    wanted = list(months)
    if offline:
        wanted = recorded_only(wanted, recorded_months(), note, "offline: no recording of the "
                               "Census API for this month; run live to fetch it",
                               [s.key for s in series])  # fmt: skip
    groups: dict[tuple[str, str], list[Series]] = defaultdict(list)
    for s in series:
        groups[(s.flow, s.hs_code)].append(s)
    return [
        CensusRequest(flow, hs, month, tuple(group))
        for month in wanted
        for (flow, hs), group in sorted(groups.items())
    ]


def fetch(client: httpx.Client, request: CensusRequest, key: str | None = None) -> CensusAnswer:
    params = request.params() | ({"key": key} if key else {})
    response = client.get(URL.format(endpoint=request.endpoint), params=params)
    url = str(response.request.url)
    if response.status_code >= 400:
        detail = response.text.strip()[:300] if response.content else ""
        raise SourceHTTPError(url, response.status_code, detail)
    return CensusAnswer(
        request, url, response.status_code, response.content, response.extensions[EXCHANGE_ID]
    )


def load(con, answer: CensusAnswer, checked: Checked, run: RunIds) -> list[MonthLoad]:
    """The trade rows (vintages, quarantine, ledger) and every row as published in
    ``census_rows`` (replacing the same flow, commodity and month's earlier answer), in one
    transaction."""
    request = answer.request
    first_day = request.month.first_day
    loading = Loading(SOURCE, run, [first_day], request.series_keys(), answer.exchange_id)

    def published(con, params: dict) -> None:
        if checked.published.empty:
            return
        con.execute(
            "delete from census_rows where period = ? and flow = ? and commodity = ?",
            [first_day, request.flow, request.hs_code],
        )
        rows = checked.published.assign(
            period=first_day, flow=request.flow, commodity=request.hs_code,
            exchange_id=answer.exchange_id,
        )  # fmt: skip
        con.register("census_published", rows)
        try:
            con.execute(INSERT_PUBLISHED)
        finally:
            con.unregister("census_published")

    return load_payload(con, loading, checked.trade, writes=published)


INSERT_PUBLISHED = """
insert into census_rows
select period, flow, commodity, cty_code, cty_name, summary_lvl, partner_code::integer,
    general_usd::bigint, consumption_usd::bigint, exports_usd::bigint, quantity::double,
    quantity_unit, exchange_id
from census_published
"""
