"""Tiny statistics: a made-up source in a package of its own (see the README beside it).

What a source says is its own: how to ask (client, plan, fetch), how to read and check the
answer, and how it loads; tradewatch's engine does the rest (bytes kept, quarantine, vintages,
the ledger, alerts, status and the briefing).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx

from tradewatch.pipelines.http import EXCHANGE_ID, make_client
from tradewatch.schemas import Month
from tradewatch.sources import Source

URL = "https://tiny.example/stats"
# Invented figures (kg): what the offline client answers, month by month
FIGURES = {
    "2016-01": 1_950_000_000, "2016-02": 1_520_000_000, "2016-03": 2_345_000_000,
    "2016-04": 1_527_000_000, "2016-05": 1_700_000_000, "2016-06": 1_800_000_000,
    "2016-07": 2_100_000_000, "2016-08": 2_465_000_000, "2016-09": 1_798_000_000,
}  # fmt: skip


@dataclass(frozen=True)
class TinyRequest:
    month: Month
    keys: tuple[str, ...]

    @property
    def months(self) -> list[Month]:
        return [self.month]


@dataclass(frozen=True)
class TinyAnswer:
    request: TinyRequest
    body: bytes
    exchange_id: str


def _offline(request: httpx.Request) -> httpx.Response:
    kg = FIGURES.get(request.url.params["month"])
    body = json.dumps({"partner": 408, "hs": "2701", "kg": kg}) if kg else ""
    return httpx.Response(200, text=body)


class Tiny(Source):
    name = "tiny"
    title = "Tiny statistics"

    def client(self, log, offline):
        transport = httpx.MockTransport(_offline) if offline else None
        return make_client(self.name, log, transport=transport, min_interval=0 if offline else 1)

    def plan(self, client, series, months, note):
        keys = tuple(sorted(s.key for s in series))
        return [TinyRequest(month, keys) for month in months]

    def fetch(self, client, request):
        response = client.get(URL, params={"month": str(request.month)})
        response.raise_for_status()
        return TinyAnswer(request, response.content, response.extensions[EXCHANGE_ID])

    def check(self, raw):
        import pandas as pd

        from tradewatch.schemas import TRADE_COLUMNS, check_trade_rows

        records = [json.loads(line) for line in raw.body.decode().splitlines() if line]
        frame = pd.DataFrame(
            [
                {"source": self.name, "reporter_code": 156, "partner_code": r["partner"],
                 "hs_code": r["hs"], "flow": "M", "freq": "M",
                 "period": raw.request.month.first_day, "net_weight_kg": r["kg"],
                 "quantity": None, "quantity_unit": None, "value_usd": None}
                for r in records
            ],
            columns=TRADE_COLUMNS,
        )  # fmt: skip
        return check_trade_rows(frame)

    def load(self, con, raw, checked, run):
        from tradewatch.warehouse.load import Loading, load_payload

        months = [raw.request.month.first_day]
        loading = Loading(self.name, run, months, list(raw.request.keys), raw.exchange_id)
        return load_payload(con, loading, checked)

    def label(self, request):
        return f"tiny {request.month}"
