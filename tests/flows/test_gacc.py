"""China Customs' pages through monthly-ingest, offline, beside Comtrade."""

import datetime as dt
from contextlib import closing

import httpx
import pytest

from tests.conftest import use_source_client
from tests.samples import shared_sample
from tradewatch import sources as registry
from tradewatch.cli import main
from tradewatch.flows import IngestFailed, backfill, monthly_ingest
from tradewatch.pipelines import gacc as gacc_pipeline
from tradewatch.pipelines.gacc.replay import RECORDINGS, replay
from tradewatch.pipelines.http import ExchangeLog, ReplayTransport, RetryPolicy, make_client
from tradewatch.warehouse import connect

pytestmark = pytest.mark.usefixtures("prefect_harness")


def query(path, sql):
    with closing(connect(path, read_only=True)) as con:
        return con.execute(sql).fetchall()


def release_path(text: str):
    return next(p for p in (RECORDINGS / "Statics").glob("*.html") if text in p.read_text())


def serve_changed(monkeypatch, url_path: str, change):
    """Replay the GACC recordings, with one page's bytes changed by ``change``."""

    def handler(request):
        response = replay(request)
        if request.url.path == url_path:
            return httpx.Response(200, content=change(response.content))
        return response

    use_source_client(
        monkeypatch,
        "gacc",
        lambda log, offline: make_client(
            "gacc",
            log,
            transport=ReplayTransport({"english.customs.gov.cn": handler}),
            retry=RetryPolicy(attempts=1),
            min_interval=0,
        ),
    )


def test_march_2018_loads_gacc_beside_comtrade(warehouse_path, capsys):
    monthly_ingest(month="2018-03", offline=True, warehouse=warehouse_path)
    coal = query(
        warehouse_path,
        "select source, net_weight_kg, vintage, published_at"
        " from trade_monthly where hs_code = '2701' and partner_code = 0"
        " and period = '2018-03-01' order by source",
    )
    # The monthly bulletin (23 April) revised the preliminary release (12 April).
    assert coal == [
        ("comtrade", 27_520_000_000.0, 1, None),
        ("gacc", 27_520_000_000.0, 2, dt.date(2018, 4, 23)),
    ]
    revisions = query(
        warehouse_path,
        "select v.vintage, v.net_weight_kg, r.publication"
        " from trade_vintages v join gacc_releases r"
        " on v.release_url = r.url where v.hs_code = '2701'"
        " order by v.vintage",
    )
    assert revisions == [(1, 27_400_000_000.0, "preliminary"), (2, 27_520_000_000.0, "monthly")]
    dprk = query(
        warehouse_path,
        "select value_usd from trade_monthly where source = 'gacc'"
        " and partner_code = 408 and flow = 'M'",
    )
    assert dprk == [(13_900_000.0,)]
    assert (
        main(
            [
                "query",
                "select period, gacc_kg, comtrade_kg, difference_kg from"
                " source_comparison where period = '2018-03-01'",
                "--format",
                "csv",
                "--warehouse",
                warehouse_path,
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.splitlines()[1] == "2018-03-01,27520000000.0,27520000000.0,0.0"
    ledger = query(
        warehouse_path,
        "select distinct strftime(period, '%Y-%m'), status from ops.runs"
        " where source = 'gacc' order by 1, 2",
    )
    assert ledger == [("2018-01", "combined"), ("2018-02", "combined"), ("2018-03", "loaded")]
    combined = query(
        warehouse_path,
        "select value from gacc_figures where hs_code = '2701'"
        " and period_kind = 'cumulative' and measure = 'quantity'"
        " and period_end = '2018-02-01'",
    )
    assert combined == [(50_410_000_000.0,)]
    assert query(
        warehouse_path,
        "select count(*) from trade_vintages where source = 'gacc' and month(period) in (1, 2)",
    ) == [(0,)]

    tables = ["trade_vintages", "gacc_figures", "gacc_releases", "raw.http_bodies"]
    before = {t: query(warehouse_path, f"select count(*) from {t}") for t in tables}
    monthly_ingest(month="2018-03", offline=True, warehouse=warehouse_path)
    assert {t: query(warehouse_path, f"select count(*) from {t}") for t in tables} == before


def test_a_release_without_a_table_fails_by_name_and_the_rest_loads(warehouse_path, monkeypatch):
    april = release_path("by Country/Region, Apr 2018")
    url_path = f"/Statics/{april.name}"

    def xls_only(body: bytes) -> bytes:
        html = body.decode()
        start, end = html.index("<table"), html.index("</table>") + len("</table>")
        return (html[:start] + '<a href="/Statics/2018-04.xls">xls</a>' + html[end:]).encode()

    serve_changed(monkeypatch, url_path, xls_only)
    with pytest.raises(
        IngestFailed,
        match=rf"gacc 2018-04: country \(preliminary\): .*{april.name}"
        r": no HTML table in the release",
    ):
        monthly_ingest(month="2018-04", offline=True, warehouse=warehouse_path, window_months=2)
    loaded = query(
        warehouse_path,
        "select strftime(period, '%Y-%m'), hs_code from trade_monthly"
        " where source = 'gacc' and partner_code = 0 and flow = 'M' order by 1, 2",
    )
    # April's country table failed; its commodity table and all of March loaded.
    assert loaded == [
        ("2018-03", "2601"),
        ("2018-03", "2701"),
        ("2018-03", "TOTAL"),
        ("2018-04", "2601"),
        ("2018-04", "2701"),
    ]
    (message,) = query(warehouse_path, "select message from ops.runs where status = 'failed'")[0]
    assert april.name in message


def test_a_month_left_blank_is_derived_from_two_cumulatives_and_marked(warehouse_path, monkeypatch):
    may = release_path("Quantity and Value, May 2018")

    def blank_the_month(body: bytes) -> bytes:
        html = body.decode()
        coal = html.index("Coal and lignite")
        head, tail = html[:coal], html[coal:]
        for published in ("2,480", "2,281,600"):  # May's quantity and value
            tail = tail.replace(f"<span>{published}</span>", "<span>-</span>", 1)
        return (head + tail).encode()

    serve_changed(monkeypatch, f"/Statics/{may.name}", blank_the_month)
    backfill("2018-04", "2018-05", sources=["gacc"], offline=True, warehouse=warehouse_path)
    rows = query(
        warehouse_path,
        "select strftime(period, '%Y-%m'), measure, value, derived"
        " from gacc_monthly where hs_code = '2701' order by 1, 2",
    )
    assert rows == [
        ("2018-04", "quantity", 22_400_000_000.0, False),
        ("2018-04", "value", 2_060_800_000.0, False),
        ("2018-05", "quantity", 24_800_000_000.0, True),
        ("2018-05", "value", 2_281_600_000.0, True),
    ]


def test_live_client_is_polite():
    client = registry.source_class("gacc")().client(ExchangeLog(), offline=False)
    with client:
        assert client._transport._min_interval == 2.0
        assert client.headers["User-Agent"].startswith("tradewatch/")


def test_the_current_year_index_is_also_read_without_the_year(
    warehouse_path, monkeypatch, tmp_path
):
    from tradewatch.pipelines.gacc import index_urls

    assert index_urls("preliminary", 2026, dt.date(2026, 11, 29)) == [
        "http://english.customs.gov.cn/statics/report/preliminary2026.html",
        "http://english.customs.gov.cn/statics/report/preliminary.html",
    ]
    assert len(index_urls("preliminary", 2018, dt.date(2026, 11, 29))) == 1
    seed = shared_sample("gacc/meridian_seed_2026.html")
    asked = []

    def handler(request):
        asked.append(request.url.path)
        if request.url.path == "/statics/report/preliminary.html":
            return httpx.Response(200, content=seed.read_bytes())
        return httpx.Response(404, text="404 Not Found")

    use_source_client(
        monkeypatch,
        "gacc",
        lambda log, offline: make_client(
            "gacc",
            log,
            transport=httpx.MockTransport(handler),
            retry=RetryPolicy(attempts=1),
            min_interval=0,
        ),
    )
    monkeypatch.setattr(
        gacc_pipeline,
        "index_urls",
        lambda publication, year: index_urls(publication, year, dt.date(2026, 11, 29)),
    )
    gacc_only = tmp_path / "gacc.toml"
    gacc_only.write_text(
        '[[series]]\nname = "coal"\nreporter = 156\npartner = 0\nhs = "2701"\nsources = ["gacc"]\n'
    )
    # The index links March's releases, which are not served here: the run fails on them.
    with pytest.raises(IngestFailed, match="gacc 2026-03: .*HTTP 404"):
        monthly_ingest(
            month="2026-03", window_months=1, warehouse=warehouse_path, watchlist=str(gacc_only)
        )
    assert asked[:3] == [
        "/statics/report/preliminary2026.html",
        "/statics/report/preliminary.html",
        "/statics/report/monthly2026.html",
    ]
