"""A fourth source, defined here and nowhere else, runs through the same engine and flow code.

"tiny" publishes one month of one series as JSON lines; the test says only what is its own —
client, fetch, check, load — and touches no file in ``tradewatch/flows/``.
"""

from __future__ import annotations

import datetime as dt
import json
from contextlib import closing
from dataclasses import dataclass

import httpx
import pandas as pd
import pytest
from prefect import flow

from tradewatch.flows import monthly_ingest
from tradewatch.flows.ingest import IngestSummary, Job, ingest
from tradewatch.pipelines.http import EXCHANGE_ID, make_client
from tradewatch.schemas import TRADE_COLUMNS, Month, check_trade_rows, series_key
from tradewatch.sources import Source
from tradewatch.warehouse import Warehouse, connect
from tradewatch.warehouse.load import Loading, RunIds, load_payload

pytestmark = pytest.mark.usefixtures("prefect_harness")

ROWS = [
    {"month": "2016-09", "partner": 408, "kg": 1_798_000_000},
    {"month": "2016-09", "partner": 0, "kg": -5},  # a weight below zero: quarantined
]


@dataclass(frozen=True)
class TinyRaw:
    month: Month
    body: bytes
    url: str
    exchange_id: str


def tiny_answer(request: httpx.Request) -> httpx.Response:
    lines = "\n".join(json.dumps(r) for r in ROWS if r["month"] == request.url.params["month"])
    return httpx.Response(200, text=lines)


def fetch(client: httpx.Client, month: Month, options) -> TinyRaw:
    response = client.get("https://tiny.example/stats", params={"month": str(month)})
    response.raise_for_status()
    return TinyRaw(month, response.content, str(response.url), response.extensions[EXCHANGE_ID])


def check(raw: TinyRaw):
    records = [json.loads(line) for line in raw.body.decode().splitlines()]
    frame = pd.DataFrame(
        [
            {"source": "tiny", "reporter_code": 156, "partner_code": r["partner"],
             "hs_code": "2701", "flow": "M", "freq": "M", "period": raw.month.first_day,
             "net_weight_kg": r["kg"], "quantity": None, "quantity_unit": None,
             "value_usd": None}
            for r in records
        ],
        columns=TRADE_COLUMNS,
    )  # fmt: skip
    return check_trade_rows(frame)


def load(con, raw: TinyRaw, checked, run: RunIds):
    keys = [series_key(156, 408, "2701", "M"), series_key(156, 0, "2701", "M")]
    return load_payload(
        con, Loading("tiny", run, [raw.month.first_day], keys, raw.exchange_id), checked
    )


class Tiny(Source):
    """The whole of a source: what it fetches, checks and loads; the rest is inherited."""

    name = "tiny"
    title = "Tiny statistics"

    def client(self, log, offline):
        return make_client("tiny", log, transport=httpx.MockTransport(tiny_answer), min_interval=0)

    def fetch(self, client, request):
        return fetch(client, request, self.options)

    def check(self, raw):
        return check(raw)

    def load(self, con, raw, checked, run):
        return load(con, raw, checked, run)


TINY = Tiny()


@flow(name="tiny-ingest")
def tiny_ingest(warehouse: str, run_id: str) -> dict:
    summary = IngestSummary(months=["2016-09"])
    job = Job(Warehouse(warehouse), RunIds(run_id), offline=False, summary=summary)
    ingest(TINY, [Month(2016, 9)], job=job)
    return summary.as_dict()


def test_a_source_defined_outside_flows_runs_through_the_engine(warehouse_path):
    first = tiny_ingest(warehouse_path, "run-1")
    assert (first["rows_fetched"], first["rows_valid"], first["rows_new"]) == (2, 1, 1)
    assert first["rows_quarantined"] == 1
    with closing(connect(warehouse_path)) as con:
        kept = con.execute(
            "select r.url, b.size_bytes from raw.http_responses r join raw.http_bodies b"
            " using (sha256) where r.source = 'tiny'"
        ).fetchall()
        assert kept == [("https://tiny.example/stats?month=2016-09", len(tiny_body()))]
        assert con.execute(
            "select partner_code, net_weight_kg from trade_vintages where source = 'tiny'"
        ).fetchall() == [(408, 1_798_000_000.0)]
        assert con.execute(
            "select column_name from ops.quarantine where source = 'tiny'"
        ).fetchall() == [("net_weight_kg",)]
        assert con.execute(
            "select period, status from ops.runs where source = 'tiny'"
        ).fetchall() == [(dt.date(2016, 9, 1), "partial")]
    again = tiny_ingest(warehouse_path, "run-2")
    assert again["rows_new"] == 0
    with closing(connect(warehouse_path)) as con:
        assert con.execute(
            "select count(*) from trade_vintages where source = 'tiny'"
        ).fetchall() == [(1,)]


def tiny_body() -> bytes:
    return "\n".join(json.dumps(r) for r in ROWS).encode()


def test_the_monthly_flow_runs_a_source_the_registry_hands_it(warehouse_path, monkeypatch):
    """monthly-ingest composes whatever runs the registry gives: a new source needs no flow."""
    from tradewatch import sources

    month = Month(2016, 9)
    runs = [sources.Run(TINY, [], [month], requests=[month])]
    monkeypatch.setattr(sources, "monthly_runs", lambda *args, **kwargs: runs)
    summary = monthly_ingest(month="2016-09", window_months=1, warehouse=warehouse_path)
    assert (summary["rows_valid"], summary["rows_new"], summary["rows_quarantined"]) == (1, 1, 1)
    with closing(connect(warehouse_path)) as con:
        assert con.execute(
            "select source, status from ops.runs where source = 'tiny'"
        ).fetchall() == [("tiny", "partial")]
