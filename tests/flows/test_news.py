"""News reports through monthly-ingest, offline: discovery, pages, claims, checks, refusals."""

from __future__ import annotations

from contextlib import closing

import httpx
import pytest

from tests.conftest import use_source_client
from tradewatch.flows import IngestFailed, monthly_ingest
from tradewatch.pipelines.http import ExchangeLog, ReplayTransport, RetryPolicy, make_client
from tradewatch.pipelines.news import PublicOnlyTransport, replay
from tradewatch.sources.news import NewsClients
from tradewatch.warehouse import connect

pytestmark = pytest.mark.usefixtures("prefect_harness")


def query(path, sql):
    with closing(connect(path, read_only=True)) as con:
        return con.execute(sql).fetchall()


def test_a_month_of_news_is_found_kept_and_checked(warehouse_path):
    summary = monthly_ingest(month="2016-10", offline=True, warehouse=warehouse_path)
    assert summary["counters"]["news"]["new article versions"] == 1
    (article,) = query(
        warehouse_path,
        "select outlet, published_from, cast(published_at as date), version from news_articles",
    )
    assert article[0] == "Yalu Trade Monitor (reconstructed)"
    assert str(article[2]) == "2016-10-23"
    checks = query(
        warehouse_path,
        "select stated, strftime(period, '%Y-%m'), verdict from claim_checks order by claim_no",
    )
    assert ("1.8 million tons", "2016-09", "agrees") in checks
    assert ("27 percent", "2016-09", "agrees") in checks
    # Discovery is recorded: the feed link, what it became.
    assert query(warehouse_path, "select via, version from news_discoveries") == [("feed", 1)]
    # Every byte fetched is kept: the feed and the page.
    sources = query(
        warehouse_path, "select source, count(*) from raw.http_responses group by 1 order by 1"
    )
    assert ("news", 2) in sources


def test_the_same_month_again_adds_no_version(warehouse_path):
    monthly_ingest(month="2016-10", offline=True, warehouse=warehouse_path)
    again = monthly_ingest(month="2016-10", offline=True, warehouse=warehouse_path)
    assert again["counters"]["news"]["new article versions"] == 0
    assert query(warehouse_path, "select count(*) from news_article_versions") == [(1,)]
    assert query(warehouse_path, "select count(*) from news_discoveries") == [(2,)]


def test_gdelt_and_the_feed_find_one_article_once_and_a_page_without_a_body_is_refused(
    warehouse_path,
):
    monthly_ingest(month="2017-10", offline=True, warehouse=warehouse_path)
    outlets = query(warehouse_path, "select outlet from news_articles order by outlet")
    assert outlets == [
        ("Commodity Ledger (reconstructed)",),
        ("Yalu Trade Monitor (reconstructed)",),
    ]
    vias = query(warehouse_path, "select distinct via from news_discoveries order by via")
    assert vias == [("gdelt",)]  # GDELT listed the feed's article first: one fetch, not two
    (reject,) = query(warehouse_path, "select url, reason from news_rejects")
    assert reject[0].endswith("/video/dandong-bridge.html")
    assert reject[1].startswith("no article body")
    checks = dict(
        query(
            warehouse_path,
            "select stated, verdict from claim_checks where kind = 'quantity' and hs_code = '2701'",
        )
    )
    assert checks["511,619 tonnes"] == "agrees"


def test_a_gdelt_error_fails_the_run_naming_it(warehouse_path, monkeypatch):
    error = b"One or more of your keywords were too short, too long or too common: (coal)"

    def gdelt(request):
        return httpx.Response(200, content=error, headers={"content-type": "text/plain"})

    def clients(log: ExchangeLog, offline: bool):
        replayers = {**replay.replayers(), "api.gdeltproject.org": gdelt}
        transport = PublicOnlyTransport(ReplayTransport(replayers), None)
        quick = {"retry": RetryPolicy(attempts=1), "min_interval": 0, "transport": transport}
        return NewsClients(make_client("gdelt", log, **quick), make_client("news", log, **quick))

    use_source_client(monkeypatch, "news", clients)
    with pytest.raises(IngestFailed, match="too short, too long or too common"):
        monthly_ingest(month="2017-10", offline=True, warehouse=warehouse_path)
    (status,) = query(warehouse_path, "select status from ops.runs where source = 'news'")
    assert status == ("failed",)
    # The feed's article still loaded; the GDELT answer is kept as a refusal with its reason.
    assert query(warehouse_path, "select count(*) from news_articles") == [(1,)]
    reasons = query(warehouse_path, "select reason from news_rejects")
    assert any("GDELT says" in r for (r,) in reasons)


def test_a_backfill_of_news_loads_every_month_once(warehouse_path):
    from tradewatch.flows import backfill

    first = backfill(
        "2016-09", "2016-11", sources=["comtrade", "news"], offline=True, warehouse=warehouse_path
    )
    assert first["counters"]["news"]["new article versions"] == 3
    months = query(
        warehouse_path,
        "select strftime(published_at, '%Y-%m') from news_articles order by published_at",
    )
    assert months == [("2016-09",), ("2016-10",), ("2016-11",)]
    # The November report's deliberately wrong change is caught.
    wrong = query(warehouse_path, "select verdict from claim_checks where stated = '5 percent'")
    assert wrong == [("disagrees",)]
    again = backfill("2016-09", "2016-11", sources=["news"], offline=True, warehouse=warehouse_path)
    assert again["counters"] == {} and again["skipped"] == 3  # nothing fetched, nothing counted


def test_status_shows_the_months_news(warehouse_path, capsys):
    import json

    from tradewatch.cli import main

    monthly_ingest(month="2016-10", offline=True, warehouse=warehouse_path)
    capsys.readouterr()
    assert main(["status", "--format", "json", "--warehouse", warehouse_path]) == 0
    cells = {(c["month"], c["source"]): c for c in json.loads(capsys.readouterr().out)}
    news = cells[("2016-10", "news")]
    assert news["state"] == "loaded"
    assert news["detail"].startswith("1 reports found, 1 kept")
