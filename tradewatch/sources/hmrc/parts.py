"""HMRC's parts: requests, the client (every page followed) and its recordings, the rows
loaded (``parse`` reads the answers).

``https://api.uktradeinfo.com/OTS?$filter=MonthId eq 202401 and (FlowTypeId eq 1 or
FlowTypeId eq 3) and CommodityId ge 27010000 and CommodityId le 27019999``: a page holds at
most 30,000 rows and names the next by ``@odata.nextLink`` (the server's own link, followed as
given, never built here) until the last. ``/Country`` lists HMRC's country ids with their ISO
alpha-2 codes: read once a run, its bytes kept like any answer.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx

from ...pipelines.errors import LayoutChanged, SourceHTTPError
from ...pipelines.http import EXCHANGE_ID, source_client
from ...schemas import Month, Series
from ...warehouse.load import Loading, MonthLoad, RunIds, load_payload
from ..base import OneMonth, recorded_only
from .parse import FLOW_TYPES, SOURCE, Checked, country_table, read_page

HOST = "api.uktradeinfo.com"
BASE = f"https://{HOST}"
MIN_INTERVAL_SECONDS = 1.0
MAX_PAGES = 1000  # 30 million rows: past this the links go round in a circle
RECORDINGS = Path(__file__).parent / "recordings"
RECORDED_PAGE = 8  # the replay's page size (the service's is 30,000), so offline runs page


@dataclass(frozen=True)
class HmrcRequest(OneMonth):
    """One month, flow and commodity heading for every country (the series it serves)."""

    month: Month
    series: tuple[Series, ...]
    flow: str
    hs_code: str
    countries: tuple[tuple[int, str], ...]  # HMRC's country ids → ISO alpha-2, from /Country

    @property
    def flow_types(self) -> tuple[int, ...]:
        """HMRC's flow types of the flow: EU and non-EU."""
        return tuple(t for t, flow in FLOW_TYPES.items() if flow == self.flow)

    @property
    def codes(self) -> tuple[int, int]:
        """The CommodityIds under the heading (the CN8 code as a number), first and last."""
        return int(self.hs_code.ljust(8, "0")), int(self.hs_code.ljust(8, "9"))

    def query(self) -> str:
        """The ``$filter``: the month, both flow types of the flow, the codes under the
        heading."""
        (low, high), types = self.codes, self.flow_types
        return (
            f"MonthId eq {self.month.year}{self.month.month:02d} and (FlowTypeId eq {types[0]} "
            f"or FlowTypeId eq {types[1]}) and CommodityId ge {low} and CommodityId le {high}"
        )


@dataclass(frozen=True)
class HmrcAnswer:
    request: HmrcRequest
    url: str
    pages: list[list[dict]]
    exchange_ids: list[str]

    @property
    def exchange_id(self) -> str:
        """The first page's exchange names the answer (every page's bytes are kept)."""
        return self.exchange_ids[0]

    @property
    def countries(self) -> dict[int, str]:
        return dict(self.request.countries)


def hmrc_client(log_, offline: bool) -> httpx.Client:
    return source_client(
        SOURCE, log_, offline=offline, replayers={HOST: replay}, min_interval=MIN_INTERVAL_SECONDS
    )


def plan(client, series, months, note, offline: bool) -> list[HmrcRequest]:
    """The country list once, then a request a month, flow and heading."""
    wanted = list(months)
    if offline:
        wanted = recorded_only(wanted, recorded_months(), note, "offline: no recording of HMRC's "
                               "OTS for this month; run live to fetch it",
                               [s.key for s in series])  # fmt: skip
    if not wanted:
        return []
    countries = tuple(sorted(fetch_countries(client).items()))
    groups: dict[tuple[str, str], list[Series]] = defaultdict(list)
    for s in series:
        groups[(s.flow, s.hs_code)].append(s)
    return [
        HmrcRequest(month, tuple(group), flow, hs, countries)
        for month in wanted
        for (flow, hs), group in sorted(groups.items())
    ]


def fetch_countries(client: httpx.Client) -> dict[int, str]:
    response = client.get(f"{BASE}/Country")
    _raise_for_status(response)
    return country_table(str(response.request.url), response.content)


def fetch(client: httpx.Client, request: HmrcRequest) -> HmrcAnswer:
    """Every page of the answer, following ``@odata.nextLink`` to the last."""
    url: str | None = f"{BASE}/OTS?$filter={quote(request.query(), safe='')}"
    first, pages, exchanges, seen = url, [], [], set()
    while url is not None:
        if url in seen or len(pages) >= MAX_PAGES:
            raise LayoutChanged(first, f"the pages do not end (page {len(pages) + 1}: {url})")
        seen.add(url)
        if not url.startswith(f"{BASE}/"):
            raise LayoutChanged(first, f"the next page is on another host: {url}")
        response = client.get(httpx.URL(url))
        _raise_for_status(response)
        rows, url = read_page(str(response.request.url), response.content)
        pages.append(rows)
        exchanges.append(response.extensions[EXCHANGE_ID])
    return HmrcAnswer(request, first, pages, exchanges)


def _raise_for_status(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    detail = response.text[:300]
    try:
        detail = json.loads(response.content)["error"]["message"]
    except (ValueError, KeyError, TypeError):
        pass
    raise SourceHTTPError(str(response.request.url), response.status_code, detail)


def recorded_months() -> list[Month]:
    stamps = sorted(p.stem.rsplit("_", 1)[-1] for p in RECORDINGS.glob("OTS_*.json"))
    return sorted({Month(int(s[:4]), int(s[4:])) for s in stamps})


def replay(request: httpx.Request) -> httpx.Response:
    """Answer as the service does: the country list, or the month's recorded rows that match
    the filter's flow types and code range, a page at a time with the server's next link."""
    url = request.url
    if url.path == "/Country":
        return _json(json.loads((RECORDINGS / "Country.json").read_bytes()))
    if url.path != "/OTS":
        return httpx.Response(404, text="not in the offline recordings")
    query = url.params.get("$filter", "")
    month = re.search(r"MonthId eq (\d{6})", query)
    low, high = re.search(r"CommodityId ge (\d+)", query), re.search(r"CommodityId le (\d+)", query)
    types = {int(t) for t in re.findall(r"FlowTypeId eq (\d+)", query)}
    if not (month and low and high and types):
        return _json({"error": {"code": "", "message": "The query specified in the URI is not "
                                "valid (tradewatch's replay)."}}, 400)  # fmt: skip
    month, low, high = month.group(1), int(low.group(1)), int(high.group(1))
    path = RECORDINGS / f"OTS_{month}.json"
    if not path.is_file():
        return httpx.Response(404, text="not in the offline recordings")
    rows = [
        r for r in json.loads(path.read_bytes())["value"]
        if r["FlowTypeId"] in types and low <= r["CommodityId"] <= high
    ]  # fmt: skip
    skip = int(url.params.get("$skip", "0"))
    page = {"@odata.context": f"{BASE}/$metadata#OTS", "value": rows[skip : skip + RECORDED_PAGE]}
    if skip + RECORDED_PAGE < len(rows):
        page["@odata.nextLink"] = (
            f"{BASE}/OTS?$filter={quote(query, safe='')}&$skip={skip + RECORDED_PAGE}"
        )
    return _json(page)


def _json(document: dict, status: int = 200) -> httpx.Response:
    return httpx.Response(
        status, content=json.dumps(document, separators=(",", ":")).encode(),
        headers={"content-type": "application/json; odata.metadata=minimal"},
    )  # fmt: skip


def load(con, answer: HmrcAnswer, checked: Checked, run: RunIds) -> list[MonthLoad]:
    """The trade rows (vintages, quarantine, ledger), every row as published in ``hmrc_rows``
    (replacing the month, flow and heading's earlier answer) and each partner's value in pounds
    in ``trade_values``, in one transaction. The first page's exchange names the load; every
    page's bytes are kept."""
    request = answer.request
    first_day = request.month.first_day
    exchange = answer.exchange_ids[0]
    loading = Loading(SOURCE, run, [first_day], request.series_keys(), exchange)
    now = dt.datetime.now(dt.UTC)

    def writes(con, params: dict) -> None:
        con.execute(
            "delete from hmrc_rows where period = ? and list_contains(?, flow_type_id)"
            " and commodity_id between ? and ?",
            [first_day, list(request.flow_types), *request.codes],
        )
        if not checked.published.empty:
            rows = checked.published.assign(period=first_day, exchange_id=exchange)
            con.register("hmrc_published", rows)
            try:
                con.execute(INSERT_PUBLISHED)
            finally:
                con.unregister("hmrc_published")
        values = [
            (SOURCE, 826, partner, request.hs_code, request.flow, first_day, "GBP",
             found.value_gbp, exchange, now)
            for partner, found in sorted(checked.sums.items()) if found.lines
        ]  # fmt: skip
        if values:
            con.executemany(
                "insert into trade_values values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values
            )

    return load_payload(con, loading, checked.trade, writes=writes)


INSERT_PUBLISHED = """
insert into hmrc_rows
select period, flow_type_id::integer, commodity_id::bigint, country_id::integer, country_alpha,
    partner_code::integer, suppression_index::integer, port_id::integer, value_gbp::double,
    net_mass_kg::double, supp_unit::double, exchange_id
from hmrc_published
"""
