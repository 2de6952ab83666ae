"""The US Census Bureau's trade API: the array-of-arrays answer parsed, checked and loaded —
on the real answer in ../shared/samples/census (read in place) and on the filled offline
months; the empty answer of a month not yet published, and hostile answers."""

from contextlib import closing

import httpx
import pytest

from tests.samples import shared_sample
from tradewatch.pipelines.errors import LayoutChanged, SourceHTTPError
from tradewatch.pipelines.http import ExchangeLog, make_client
from tradewatch.schemas import Month, Series
from tradewatch.sources.census import parse, parts
from tradewatch.warehouse import RunIds, Warehouse, connect, record_exchanges

SAMPLE = "census/exports_hs_HS10_2710121510_CTY1220_from2016-01.json"
US_CHINA = (Series("imports-usa-chn", 842, 156, "TOTAL", "M"),)
HEADER = '["CTY_CODE","CTY_NAME","SUMMARY_LVL","GEN_VAL_MO","CON_VAL_MO","GEN_QY1_MO","UNIT_QY1","I_COMMODITY","time"]'  # noqa: E501


def client(handler, log: ExchangeLog) -> httpx.Client:
    return make_client("census", log, transport=httpx.MockTransport(handler), min_interval=0)


def served(body: bytes, status: int = 200, kind: str = "application/json"):
    def handler(request):
        return httpx.Response(status, content=body, headers={"content-type": kind})

    return handler


def imports_answer(*rows: str) -> bytes:
    return ("[" + ",\n".join([HEADER, *rows]) + "]").encode()


def fetched(body: bytes, request=None, status: int = 200, kind: str = "application/json"):
    request = request or parts.CensusRequest("M", "TOTAL", Month(2024, 1), US_CHINA)
    log = ExchangeLog()
    answer = parts.fetch(client(served(body, status, kind), log), request)
    return answer, log


def test_the_real_answer_parses_and_loads_its_month(tmp_path):
    """121 months of US gasoline exports to Canada (every cell a string, the predicates echoed
    as columns, no country name): asked for 2016-03, its row loads as Canada's (Census 1220)
    and the other months are quarantined as not the month asked for."""
    body = shared_sample(SAMPLE).read_bytes()
    table = parse.read_table("https://api.census.gov/x", body)
    assert list(table.columns) == ["ALL_VAL_MO", "COMM_LVL", "E_COMMODITY", "CTY_CODE", "time"]
    assert len(table) == 121 and table["time"].iloc[0] == "2016-01"
    request = parts.CensusRequest("X", "2710121510", Month(2016, 3), ())
    answer, log = fetched(body, request)
    checked = parse.check(answer)
    valid = checked.trade.valid
    assert valid[["partner_code", "hs_code", "flow", "value_usd"]].values.tolist() == [
        [124, "2710121510", "X", 241362.0]
    ]
    assert checked.trade.rejected_rows == 120
    assert set(checked.trade.quarantine["check_name"]) == {"month"}
    path = str(tmp_path / "w.duckdb")
    with Warehouse(path).writer() as con:
        record_exchanges(con, log.drain(), "r")
        loads = parts.load(con, answer, checked, RunIds("r"))
    assert [x.status for x in loads] == ["loaded"]
    with closing(connect(path, read_only=True)) as con:
        assert con.execute(
            "select cty_code, exports_usd, partner_code from census_rows"
        ).fetchall() == [("1220", 241362, 124)]


def test_a_month_not_yet_published_is_204_and_not_published(tmp_path):
    answer, log = fetched(b"", status=204, kind="")
    path = str(tmp_path / "w.duckdb")
    with Warehouse(path).writer() as con:
        record_exchanges(con, log.drain(), "r")
        loads = parts.load(con, answer, parse.check(answer), RunIds("r"))
    assert [(x.status, x.message) for x in loads] == [
        ("not_published", "no data published for this month yet")
    ]


def test_rows_are_checked_and_the_bad_ones_quarantined_with_their_reason():
    body = imports_answer(
        '["5700","CHINA","DET","38210218633","37816049072","0","-","-","2024-01"]',
        '["1220","CANADA","DET","3.2e10","31516520705","0","-","-","2024-01"]',
        '["9999","ATLANTIS","DET","5","5","0","-","-","2024-01"]',
        '["0003","EUROPEAN UNION","CGP","37401853882","37018203915","0","-","-","2024-01"]',
        '["-","TOTAL FOR ALL COUNTRIES","DET","308442333282","303422987618","0","-","-","2024-01"]',
        '["5880","JAPAN","DET","11816382012","11614601709","0","-","-","2024-02"]',
    )
    checked = parse.check(fetched(body)[0])
    assert sorted(checked.trade.valid["partner_code"]) == [0, 156]
    quarantine = checked.trade.quarantine
    reasons = dict(zip(quarantine["row_index"], quarantine["reason"], strict=True))
    assert reasons == {
        2: "GEN_VAL_MO must be whole dollars or units, got '3.2e10'",
        3: "Census country 'ATLANTIS' (code 9999) is not in tradewatch's country table",
        6: "time '2024-02' in the answer for 2024-01",
    }
    # the group is kept as published, with no partner of its own
    groups = checked.published[checked.published["summary_lvl"] == "CGP"]
    assert groups["partner_code"].isna().all() and len(groups) == 1


@pytest.mark.parametrize(
    "body, kind, refusal",
    [
        (b"<html><body>Invalid Key</body></html>", "text/html", "an HTML page"),
        (b'{"data": []}', "application/json", "not an array of arrays"),
        (b"[[1, 2], [3, 4]]", "application/json", "not an array of arrays"),
        (b'[["CTY_CODE","GEN_VAL_MO"],["5700"]]', "application/json", "row 1 has 1 cells"),
        (b'[["CTY_CODE"', "application/json", "not JSON"),
        (b'[["CTY_CODE","CTY_NAME"],["5700","CHINA"]]', "application/json", "no GEN_VAL_MO"),
    ],
)
def test_an_answer_not_in_the_api_s_shape_is_a_named_error_with_the_url(body, kind, refusal):
    answer, _ = fetched(body, kind=kind)
    with pytest.raises(LayoutChanged, match=f"https://api.census.gov/.*{refusal}"):
        parse.check(answer)


def test_an_error_status_names_the_url_and_the_api_s_words():
    with pytest.raises(SourceHTTPError, match="HTTP 400: error: unknown variable 'GEN_VAL'"):
        fetched(b"error: unknown variable 'GEN_VAL'", status=400, kind="text/plain")


def test_the_request_asks_for_a_commodity_at_its_level_and_all_goods_as_a_dash():
    heading = parts.CensusRequest("M", "2701", Month(2024, 1), ()).params()
    assert (heading["COMM_LVL"], heading["I_COMMODITY"], heading["time"]) == (
        "HS4",
        "2701",
        "2024-01",
    )
    total = parts.CensusRequest("X", "TOTAL", Month(2024, 2), ()).params()
    assert total["E_COMMODITY"] == "-" and "COMM_LVL" not in total
    assert total["get"].split(",")[3] == "ALL_VAL_MO"


def test_a_series_census_does_not_publish_is_refused_naming_the_line():
    from tradewatch import watchlist
    from tradewatch.watchlist import WatchlistError

    text = (
        '[[series]]\nname = "x"\nreporter = "CHN"\npartner = "USA"\nhs = "TOTAL"\n'
        'sources = ["census"]\n'
    )
    with pytest.raises(
        WatchlistError,
        match="line 6: census publishes one reporter's trade, United States's \\(842\\), not China",
    ):
        watchlist.parse(text, "w.toml")


@pytest.mark.usefixtures("prefect_harness")
def test_an_offline_backfill_loads_the_recorded_months_once(warehouse_path):
    """The README's command: three filled months load with their provenance, the month after
    is not published (204), and a rerun fetches nothing."""
    from tradewatch.cli import main

    command = ["backfill", "2024-01", "2024-04", "--source", "census", "--offline"]
    assert main([*command, "--warehouse", warehouse_path]) == 0
    with closing(connect(warehouse_path, read_only=True)) as con:
        monthly = con.execute(
            "select period, flow, value_usd, r.url from trade_monthly"
            " join raw.http_responses as r using (exchange_id)"
            " where trade_monthly.source = 'census' and partner_code = 156 order by all"
        ).fetchall()
        assert [(str(m[0]), m[1]) for m in monthly] == [
            (f"2024-0{n}-01", flow) for n in (1, 2, 3) for flow in ("M", "X")
        ]
        assert all(m[2] > 1e9 and "api.census.gov" in m[3] for m in monthly)
        ledger = con.execute(  # a row a request: imports and exports each month
            "select period, list(status) from ops.runs where source = 'census'"
            " group by period order by period"
        ).fetchall()
        assert [s for _, s in ledger] == [["loaded"] * 2] * 3 + [["not_published"] * 2]
        exchanges = con.execute("select count(*) from raw.http_responses").fetchall()
    again = ["backfill", "2024-01", "2024-03", "--source", "census", "--offline"]
    assert main([*again, "--warehouse", warehouse_path]) == 0
    with closing(connect(warehouse_path, read_only=True)) as con:
        assert con.execute("select count(*) from raw.http_responses").fetchall() == exchanges
