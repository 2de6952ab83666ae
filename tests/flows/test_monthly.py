import datetime as dt
import threading
from contextlib import closing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.conftest import comtrade_body, recorded_records, use_comtrade_client
from tradewatch import sources as registry
from tradewatch.flows import IngestFailed, monthly_ingest, previous_month
from tradewatch.pipelines.http import RetryPolicy, make_client
from tradewatch.schemas import Month
from tradewatch.warehouse import connect

pytestmark = pytest.mark.usefixtures("prefect_harness")


def rows(warehouse_path, sql):
    with closing(connect(warehouse_path)) as con:
        return con.execute(sql).fetchall()


def counts(warehouse_path):
    tables = [
        "trade_vintages",
        "ops.quarantine",
        "raw.http_bodies",
        "ops.runs",
        "raw.http_responses",
    ]
    return {t: rows(warehouse_path, f"select count(*) from {t}")[0][0] for t in tables}


def serve(monkeypatch, records, status=200):
    """Answer Comtrade calls from these records instead of the shipped recordings."""

    def handler(request):
        if status != 200:
            return httpx.Response(status, text="Invalid parameter: period")
        periods = request.url.params["period"].split(",")
        codes = request.url.params["cmdCode"].split(",")
        picked = [r for r in records if r["period"] in periods and r["cmdCode"] in codes]
        return httpx.Response(200, content=comtrade_body(picked))

    use_comtrade_client(
        monkeypatch,
        lambda log, offline: make_client(
            "comtrade", log, transport=httpx.MockTransport(handler), min_interval=0
        ),
    )


def test_offline_month_loads_its_window_and_reruns_change_no_data(warehouse_path):
    summary = monthly_ingest(month="2016-09", offline=True, warehouse=warehouse_path)
    assert summary["months"] == ["2016-07", "2016-08", "2016-09"]
    # Coal and iron ore from North Korea, and coal from the world: three series, three months.
    assert (summary["rows_fetched"], summary["rows_valid"], summary["rows_new"]) == (9, 9, 9)
    coal = rows(
        warehouse_path,
        "select period, net_weight_kg from trade_monthly where hs_code = '2701'"
        " and partner_code = 408 order by period",
    )
    assert coal == [
        (dt.date(2016, 7, 1), 2_100_000_000.0),
        (dt.date(2016, 8, 1), 2_465_000_000.0),
        (dt.date(2016, 9, 1), 1_798_000_000.0),
    ]
    first = counts(warehouse_path)
    again = monthly_ingest(month="2016-09", offline=True, warehouse=warehouse_path)
    assert again["rows_new"] == 0
    second = counts(warehouse_path)
    for table in ("trade_vintages", "ops.quarantine", "raw.http_bodies"):
        assert second[table] == first[table], table
    assert second["ops.runs"] == 2 * first["ops.runs"]
    assert second["raw.http_responses"] == 2 * first["raw.http_responses"]


def test_bad_rows_are_quarantined_while_good_rows_load(warehouse_path, monkeypatch, prk_watchlist):
    records = [dict(r) for r in recorded_records() if r["period"] in ("201608", "201609")]
    records[0]["netWgt"] = -1000.0
    records[3]["netWgt"] = "1,798,000 t"
    serve(monkeypatch, records)
    summary = monthly_ingest(
        month="2016-09", warehouse=warehouse_path, window_months=2, watchlist=prk_watchlist
    )
    assert (summary["rows_valid"], summary["rows_quarantined"]) == (2, 2)
    kept = rows(
        warehouse_path, "select reason, failure_case from ops.quarantine order by row_index"
    )
    assert kept == [
        ("net weight must be a non-negative number of kilograms", "-1000.0"),
        ("net_weight_kg is not a number", "1,798,000 t"),
    ]
    assert rows(warehouse_path, "select count(*) from trade_monthly") == [(2,)]


def test_a_run_whose_rows_are_all_invalid_fails(warehouse_path, monkeypatch, prk_watchlist):
    records = [dict(r, netWgt=-1.0) for r in recorded_records() if r["period"] == "201609"]
    serve(monkeypatch, records)
    with pytest.raises(IngestFailed, match="all 2 rows quarantined"):
        monthly_ingest(
            month="2016-09", warehouse=warehouse_path, window_months=1, watchlist=prk_watchlist
        )
    assert rows(warehouse_path, "select count(*) from ops.quarantine") == [(2,)]
    assert rows(warehouse_path, "select status from ops.runs") == [("failed",)]


def test_an_unpublished_month_is_recorded_not_an_error(warehouse_path):
    summary = monthly_ingest(
        month="2019-01", offline=True, warehouse=warehouse_path, window_months=1
    )
    assert sorted(summary["not_published"]) == ["comtrade 2019-01", "gacc 2019-01"]
    ledger = rows(warehouse_path, "select distinct source, status, period from ops.runs")
    assert sorted(ledger) == [
        # Census's, Comext's, HMRC's and the ECB's offline recordings are of other years: a month
        # without one is not available
        ("census", "unavailable", dt.date(2019, 1, 1)),
        ("comext", "unavailable", dt.date(2019, 1, 1)),
        ("comtrade", "not_published", dt.date(2019, 1, 1)),
        ("ecb", "unavailable", dt.date(2019, 1, 1)),
        ("gacc", "not_published", dt.date(2019, 1, 1)),
        ("hmrc", "unavailable", dt.date(2019, 1, 1)),
        # News for a month with no reports recorded: searched, nothing found, not an error.
        ("news", "loaded", dt.date(2019, 1, 1)),
    ]


def test_a_refused_request_keeps_its_bytes_and_fails_the_run(
    warehouse_path, monkeypatch, prk_watchlist
):
    serve(monkeypatch, [], status=400)
    with pytest.raises(IngestFailed, match="HTTP 400"):
        monthly_ingest(
            month="2016-09", warehouse=warehouse_path, window_months=1, watchlist=prk_watchlist
        )
    assert rows(
        warehouse_path,
        "select r.status, b.body from raw.http_responses r join raw.http_bodies b using (sha256)",
    ) == [(400, b"Invalid parameter: period")]
    assert rows(warehouse_path, "select status from ops.runs") == [("failed",)]


def test_default_target_is_the_previous_calendar_month():
    assert previous_month(dt.date(2026, 1, 15)) == Month(2025, 12)
    assert previous_month(dt.date(2026, 11, 29)) == Month(2026, 10)


def test_an_unknown_layout_is_a_named_failure_and_other_calls_still_load(
    warehouse_path, monkeypatch
):
    records = recorded_records()

    def handler(request):
        if "201609" in request.url.params["period"]:
            return httpx.Response(200, text="<html><body>Maintenance</body></html>")
        periods = request.url.params["period"].split(",")
        return httpx.Response(
            200, content=comtrade_body([r for r in records if r["period"] in periods])
        )

    use_comtrade_client(
        monkeypatch,
        lambda log, offline: make_client(
            "comtrade", log, transport=httpx.MockTransport(handler), min_interval=0
        ),
    )
    watchlist = warehouse_path + ".toml"  # two Comtrade series, one call each
    with open(watchlist, "w") as f:
        f.write(
            '[[series]]\nname = "coal"\nreporter = 156\npartner = 408\nhs = "2701"\n'
            '[[series]]\nname = "coal-world"\nreporter = 156\npartner = 0\nhs = "2701"\n'
        )
    with pytest.raises(
        IngestFailed, match=r"comtrade 2016-09: https://comtradeapi.un.org/.*not JSON"
    ):
        monthly_ingest(
            month="2016-09", warehouse=warehouse_path, window_months=1, watchlist=watchlist
        )
    assert rows(warehouse_path, "select status from ops.runs order by status") == [
        ("failed",),
        ("failed",),
    ]


def test_api_key_comes_from_the_environment_or_a_secret_block(monkeypatch):
    from prefect.blocks.system import Secret

    from tradewatch.flows.monthly import load_secret
    from tradewatch.sources.comtrade import api_key

    monkeypatch.setenv("COMTRADE_API_KEY", "from-env")
    assert api_key("comtrade-key", offline=False, secret=load_secret) == "from-env"
    assert api_key("comtrade-key", offline=True, secret=load_secret) is None
    monkeypatch.delenv("COMTRADE_API_KEY")
    assert api_key(None, offline=False, secret=load_secret) is None
    Secret(value="from-block").save("comtrade-key", overwrite=True)
    assert api_key("comtrade-key", offline=False, secret=load_secret) == "from-block"


def test_an_unchanged_payload_is_not_parsed_again(warehouse_path, monkeypatch, prk_watchlist):
    monthly_ingest(month="2016-09", offline=True, warehouse=warehouse_path, watchlist=prk_watchlist)

    def must_not_parse(raw):
        raise AssertionError("an unchanged payload was parsed again")

    monkeypatch.setattr(
        registry.source_class("comtrade"), "check", lambda self, raw: must_not_parse(raw)
    )
    again = monthly_ingest(
        month="2016-09", offline=True, warehouse=warehouse_path, watchlist=prk_watchlist
    )
    assert (again["rows_fetched"], again["rows_new"]) == (6, 0)
    latest = rows(
        warehouse_path,
        "select status, rows_valid, message, len(series_loaded) from ops.runs"
        " qualify row_number() over (partition by period order by recorded_at desc) = 1",
    )
    assert all(
        s == "loaded" and v == 2 and m.startswith("unchanged since") and n == 2
        for s, v, m, n in latest
    ), latest


class Always503(BaseHTTPRequestHandler):
    """A Comtrade that keeps failing, counting what it is asked."""

    requests: list[str] = []

    def do_GET(self):  # noqa: N802
        Always503.requests.append(self.path)
        self.send_response(503)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"Service Unavailable")

    def log_message(self, *args):
        pass


class ToLocalServer(httpx.BaseTransport):
    """Sends every request to the local server instead of its host, path and query kept."""

    def __init__(self, port: int) -> None:
        self._inner, self._port = httpx.HTTPTransport(), port

    def handle_request(self, request):
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self._port)
        return self._inner.handle_request(request)


def test_a_persistent_503_costs_the_documented_requests_and_no_more(monkeypatch, warehouse_path,
                                                                    prk_watchlist):  # fmt: skip
    server = ThreadingHTTPServer(("127.0.0.1", 0), Always503)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Always503.requests = []
    policy = RetryPolicy(sleep=lambda seconds: None)  # the default attempts, without the waits
    use_comtrade_client(
        monkeypatch,
        lambda log, offline: make_client(
            "comtrade", log, transport=ToLocalServer(server.server_port), retry=policy,
            min_interval=0,
        ),
    )  # fmt: skip
    try:
        with pytest.raises(IngestFailed, match="503"):
            monthly_ingest(
                month="2016-09", warehouse=warehouse_path, window_months=1, watchlist=prk_watchlist
            )
    finally:
        server.shutdown()
    # one Comtrade call for the month's two series: RetryPolicy.attempts requests, no more
    assert len(Always503.requests) == RetryPolicy().attempts == 4
    assert len(set(Always503.requests)) == 1
