"""The ECB's parts: a month's request, the client and its recordings, the rates loaded into
``ref.fx_rates`` (``parse`` reads the answers).

``https://data-api.ecb.europa.eu/service/data/EXR/M.USD+CNY+GBP+KRW+JPY.EUR.SP00.A`` with the
month as ``startPeriod``/``endPeriod`` and ``format=csvdata``; a month with no rates yet
answers 404 ("No results found").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import httpx

from ...pipelines.errors import SourceHTTPError
from ...pipelines.http import EXCHANGE_ID, source_client
from ...schemas import Month
from ...warehouse.load import Loading, MonthLoad, MonthsAs, RunIds, load_payload
from ..base import recorded_only
from .parse import CURRENCIES, SOURCE, Checked

HOST = "data-api.ecb.europa.eu"
URL = f"https://{HOST}/service/data/EXR/M.{'+'.join(CURRENCIES)}.EUR.SP00.A"
MIN_INTERVAL_SECONDS = 1.0
RECORDINGS = Path(__file__).parent / "recordings"


@dataclass(frozen=True)
class EcbRequest:
    month: Month

    @property
    def months(self) -> list[Month]:
        return [self.month]

    def params(self) -> dict[str, str]:
        stamp = f"{self.month.year}-{self.month.month:02d}"
        return {"startPeriod": stamp, "endPeriod": stamp, "format": "csvdata"}


@dataclass(frozen=True)
class EcbAnswer:
    request: EcbRequest
    url: str
    status: int
    body: bytes
    exchange_id: str


def recording(month: Month) -> Path:
    return RECORDINGS / f"EXR_M_{month.year}{month.month:02d}.csv"


def replay(request: httpx.Request) -> httpx.Response:
    """The recorded CSV of the month asked for, or 404 as the API answers a month without
    rates (an empty recording)."""
    stamp = request.url.params.get("startPeriod", "")
    if len(stamp) != 7 or stamp != request.url.params.get("endPeriod"):
        return httpx.Response(400, text="tradewatch's replay answers one month at a time")
    path = recording(Month(int(stamp[:4]), int(stamp[5:])))
    if not path.is_file():
        return httpx.Response(404, text="not in the offline recordings")
    body = path.read_bytes()
    if not body:
        return httpx.Response(404, text="No results found.")
    return httpx.Response(200, content=body, headers={"content-type": "text/csv"})


def recorded_months() -> list[Month]:
    stamps = sorted(p.stem.rsplit("_", 1)[-1] for p in RECORDINGS.glob("EXR_M_*.csv"))
    return [Month(int(s[:4]), int(s[4:])) for s in stamps]


def ecb_client(log_, offline: bool) -> httpx.Client:
    return source_client(
        SOURCE, log_, offline=offline, replayers={HOST: replay}, min_interval=MIN_INTERVAL_SECONDS
    )


def plan(months, note, offline: bool) -> list[EcbRequest]:
    wanted = list(months)
    if offline:
        wanted = recorded_only(wanted, recorded_months(), note, "offline: no recording of the "
                               "ECB's rates for this month; run live to fetch them")  # fmt: skip
    return [EcbRequest(m) for m in wanted]


def fetch(client: httpx.Client, request: EcbRequest) -> EcbAnswer:
    response = client.get(URL, params=request.params())
    url = str(response.request.url)
    if response.status_code >= 400 and response.status_code != 404:
        raise SourceHTTPError(url, response.status_code, response.text.strip()[:300])
    return EcbAnswer(
        request, url, response.status_code, response.content, response.extensions[EXCHANGE_ID]
    )


def load(con, answer: EcbAnswer, checked: Checked, run: RunIds) -> list[MonthLoad]:
    """The month's rates into ``ref.fx_rates`` (a row each, with the exchange), the quarantine
    and the ledger, in one transaction."""
    first_day = answer.request.month.first_day
    loading = Loading(SOURCE, run, [first_day], [], answer.exchange_id)
    now = dt.datetime.now(dt.UTC)

    def rates(con, params: dict) -> None:
        con.executemany(
            "insert into ref.fx_rates values (?, ?, ?, ?, ?, ?)",
            [(first_day, currency, per_eur, SOURCE, answer.exchange_id, now)
             for currency, per_eur in sorted(checked.rates.items())],
        )  # fmt: skip

    if not checked.rates:
        return load_payload(con, loading, checked.trade)
    told = ", ".join(f"{c} {v:g}" for c, v in sorted(checked.rates.items()))
    return load_payload(
        con, loading, checked.trade, writes=rates,
        months_as=MonthsAs("loaded", [], f"{len(checked.rates)} rates per euro: {told}"),
    )  # fmt: skip
