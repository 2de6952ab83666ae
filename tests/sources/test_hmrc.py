"""HMRC's OTS: the OData pages followed to the end, rows checked, suppressed lines kept and
never summed — on the real answers of the same service in ../shared/samples/hmrc (its /RTS pages,
its country list and its error body, read in place) and the filled offline months."""

import gzip
from contextlib import closing

import httpx
import pytest

from tests.samples import shared_sample
from tradewatch.pipelines.errors import LayoutChanged, SourceHTTPError
from tradewatch.pipelines.http import ExchangeLog, make_client
from tradewatch.schemas import Month, Series
from tradewatch.sources.hmrc import parse, parts

COAL = Series("coal-gbr-world", 826, 0, "2701", "M")
URL = "https://api.uktradeinfo.com/RTS"


def real(name: str) -> bytes:
    body = shared_sample(f"hmrc/{name}").read_bytes()
    return gzip.decompress(body) if name.endswith(".gz") else body


def client(handler) -> tuple[httpx.Client, ExchangeLog]:
    log = ExchangeLog()
    return make_client("hmrc", log, transport=httpx.MockTransport(handler), min_interval=0), log


def test_the_real_pages_read_with_their_next_link_and_the_last_has_none():
    """The same OData service's /RTS (no real /OTS answer is known): 30,000 rows and the
    server's own link to the next page; the last page, 12,377 rows and no link."""
    rows, link = parse.read_page(URL, real("rts_filter_MonthId_eq_201901_page1_200.json.gz"))
    assert len(rows) == 30_000
    assert link == "https://api.uktradeinfo.com/RTS?$filter=MonthId%20eq%20201901&$skip=30000"
    rows, link = parse.read_page(
        URL, real("rts_filter_MonthId_eq_201901_skip90000_lastpage_200.json.gz")
    )
    assert len(rows) == 12_377 and link is None
    assert set(rows[0]) >= {"MonthId", "FlowTypeId", "CountryId", "Value", "NetMass"}


def test_the_real_country_list_maps_hmrc_ids_to_iso_codes():
    countries = parse.country_table(URL, real("country_200.json"))
    assert len(countries) == 262
    assert (countries[1], countries[4], countries[400], countries[720]) == ("FR", "DE", "US", "CN")
    assert countries[977] == ""  # "Confidential Country": no code, summed into the world only
    assert parse._partner(countries[400]) == 842 and parse._partner(countries[977]) is None


def test_the_real_error_body_is_a_failed_request_with_the_service_s_words():
    body = real("rts_filter_MonthId_eq_string_400_error.json")
    http, _ = client(lambda r: httpx.Response(400, content=body))
    request = parts.HmrcRequest(Month(2024, 1), (COAL,), "M", "2701", ((720, "CN"),))
    with pytest.raises(SourceHTTPError, match="HTTP 400: The query specified in the URI is not"):
        parts.fetch(http, request)


def test_every_page_is_followed_and_its_bytes_kept():
    """The replay pages 40 rows at a time with the server's link: every page is fetched, each
    is an exchange of its own, and the rows are the month's matching rows."""
    http, log = client(parts.replay)
    countries = parts.fetch_countries(http)
    request = parts.HmrcRequest(
        Month(2024, 1), (COAL,), "M", "2701", tuple(sorted(countries.items()))
    )
    answer = parts.fetch(http, request)
    recorded = parts.RECORDINGS / "OTS_202401.json"
    import json

    wanted = [r for r in json.loads(recorded.read_bytes())["value"] if r["FlowTypeId"] in (1, 3)]
    assert len(answer.pages) == -(-len(wanted) // parts.RECORDED_PAGE) > 1
    assert sum(len(p) for p in answer.pages) == len(wanted)
    assert len(log.drain()) == 1 + len(answer.pages)  # the country list, every page
    checked = parse.check(answer)
    suppressed = [r for r in wanted if r["SuppressionIndex"]]
    world = checked.sums[0]
    assert world.suppressed == len(suppressed) and world.lines == len(wanted) - len(suppressed)
    assert world.value_gbp == sum(r["Value"] for r in wanted if not r["SuppressionIndex"])
    valid = checked.trade.valid.set_index("partner_code")
    assert valid.loc[0, "net_weight_kg"] == sum(
        r["NetMass"] for r in wanted if not r["SuppressionIndex"]
    )
    assert 842 in valid.index and valid["value_usd"].isna().all()  # pounds are not dollars


def test_a_link_that_goes_round_or_leaves_the_host_is_a_named_error():
    def looping(request):
        return httpx.Response(200, json={"value": [], "@odata.nextLink": str(request.url)})

    http, _ = client(looping)
    request = parts.HmrcRequest(Month(2024, 1), (COAL,), "M", "2701", ())
    with pytest.raises(LayoutChanged, match="the pages do not end"):
        parts.fetch(http, request)

    def elsewhere(request):
        return httpx.Response(200, json={"value": [], "@odata.nextLink": "https://x.example/OTS"})

    http, _ = client(elsewhere)
    with pytest.raises(LayoutChanged, match="another host"):
        parts.fetch(http, request)


def test_bad_rows_are_quarantined_with_their_reason():
    rows = [
        {"MonthId": 202401, "FlowTypeId": 3, "SuppressionIndex": 0, "CommodityId": 27011210,
         "CountryId": 720, "PortId": -1, "Value": 10.0, "NetMass": 5.0, "SuppUnit": None},
        {"MonthId": 202402, "FlowTypeId": 3, "SuppressionIndex": 0, "CommodityId": 27011210,
         "CountryId": 720, "PortId": -1, "Value": 10.0, "NetMass": 5.0, "SuppUnit": None},
        {"MonthId": 202401, "FlowTypeId": 2, "SuppressionIndex": 0, "CommodityId": 27011210,
         "CountryId": 720, "PortId": -1, "Value": 10.0, "NetMass": 5.0, "SuppUnit": None},
        {"MonthId": 202401, "FlowTypeId": 3, "SuppressionIndex": 0, "CommodityId": 26011100,
         "CountryId": 720, "PortId": -1, "Value": 10.0, "NetMass": 5.0, "SuppUnit": None},
        {"MonthId": 202401, "FlowTypeId": 3, "SuppressionIndex": 0, "CommodityId": 27011210,
         "CountryId": 720, "PortId": -1, "Value": "ten", "NetMass": 5.0, "SuppUnit": None},
        {"MonthId": 202401, "FlowTypeId": 3, "SuppressionIndex": 0, "CommodityId": 27011210,
         "CountryId": 5555, "PortId": -1, "Value": 1.0, "NetMass": 5.0, "SuppUnit": None},
    ]  # fmt: skip
    request = parts.HmrcRequest(Month(2024, 1), (COAL,), "M", "2701", ((720, "CN"),))
    checked = parse.check(parts.HmrcAnswer(request, URL, [rows], ["e1"]))
    quarantine = checked.trade.quarantine
    reasons = dict(zip(quarantine["row_index"], quarantine["reason"], strict=True))
    assert reasons == {
        2: "MonthId 202402 in the answer for 202401",
        3: "FlowTypeId 2 is not one of imports (EU or non-EU)",
        4: "CommodityId 26011100 is not under 2701",
        5: "Value must be a number of 0 or more, got 'ten'",
        6: "CountryId 5555 is not in HMRC's country list",
    }
    assert sorted(checked.trade.valid["partner_code"]) == [0, 156]


@pytest.mark.parametrize(
    "body, refusal",
    [(b"<html>maintenance</html>", "not JSON"), (b'{"rows": []}', "not an OData page")],
)
def test_an_answer_not_the_service_s_is_a_named_error(body, refusal):
    with pytest.raises(LayoutChanged, match=refusal):
        parse.read_page(URL, body)


@pytest.mark.usefixtures("prefect_harness")
def test_an_offline_backfill_loads_the_recorded_months_once(tmp_path):
    from tradewatch.cli import main
    from tradewatch.warehouse import connect

    watchlist = tmp_path / "w.toml"
    watchlist.write_text(
        '[[series]]\nname = "coal-gbr-world"\nreporter = "GBR"\npartner = 0\nhs = "2701"\n'
        'sources = ["hmrc"]\n'
    )
    path = str(tmp_path / "w.duckdb")
    command = ["backfill", "2024-01", "2024-04", "--source", "hmrc", "--offline",
               "--watchlist", str(watchlist), "--warehouse", path]  # fmt: skip
    assert main(command) == 0
    with closing(connect(path, read_only=True)) as con:
        ledger = con.execute(
            "select status from ops.runs where source = 'hmrc' order by period"
        ).fetchall()
        assert [s for (s,) in ledger] == ["loaded"] * 3 + ["not_published"]
        assert con.execute(
            "select count(distinct period), count(*) filter (where suppression_index > 0)"
            " from hmrc_rows"
        ).fetchall() == [(3, 3)]
        assert (
            con.execute(
                "select currency, count(*) from trade_values where source = 'hmrc' group by all"
            ).fetchall()[0][0]
            == "GBP"
        )
        exchanges = con.execute("select count(*) from raw.http_responses").fetchall()
    command[2] = "2024-03"
    assert main(command) == 0
    with closing(connect(path, read_only=True)) as con:
        assert con.execute("select count(*) from raw.http_responses").fetchall() == exchanges
