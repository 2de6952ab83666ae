"""The ECB's monthly euro reference rates: the data API's CSV read and checked — on the real
answers in ../shared/samples/ecb (read in place) and the filled offline months."""

from contextlib import closing

import httpx
import pytest

from tests.samples import shared_sample
from tradewatch.pipelines.errors import LayoutChanged
from tradewatch.pipelines.http import ExchangeLog, make_client
from tradewatch.schemas import Month
from tradewatch.sources.ecb import parse, parts
from tradewatch.warehouse import RunIds, Warehouse, connect, record_exchanges

CSV = "ecb/csvdata_EXR_D.USD.EUR.SP00.A_2026-09-03_to_07_TEST-EMBEDDED.csv"
XML = "ecb/sdw-wsrest_EXR_M.USD.EUR.SP00.A_generic_sdmxml21_1999-01_onward.xml"
JANUARY = Month(2024, 1)
JSON = "ecb/data-api_EXR_D.USD.EUR.SP00.A_2024-06-03_to_2024-06-07_jsondata_detail-full.json"


def fetched(body: bytes, month: Month = JANUARY, status: int = 200):
    log = ExchangeLog()
    client = make_client(
        "ecb", log, min_interval=0,
        transport=httpx.MockTransport(lambda r: httpx.Response(status, content=body)),
    )  # fmt: skip
    return parts.fetch(client, parts.EcbRequest(month)), log


def monthly(*rows: tuple[str, str, str]) -> bytes:
    """A csvdata answer in the real layout: the recorded month's header, these rows."""
    header = (parts.RECORDINGS / "EXR_M_202401.csv").read_text().splitlines()[0]
    lines = [header]
    for currency, period, value in rows:
        lines.append(
            f"EXR.M.{currency}.EUR.SP00.A,M,{currency},EUR,SP00,A,{period},{value},A,F,,,P1M,,A,"
            ',,,,,,99Q1=100,,,4,,4F0,,title,"a, b",' + f"{currency},0"
        )
    return "\n".join(lines).encode()


def test_the_real_csv_reads_and_its_daily_rates_are_not_taken_for_a_month():
    """The real csvdata answer (daily USD, quoted title with commas): its 32 columns read; a
    daily rate is quarantined as no monthly average, with its reason."""
    body = shared_sample(CSV).read_bytes()
    rows = parse.read_rows("https://data-api.ecb.europa.eu/x", body)
    assert len(rows) == 3 and len(rows[0]) == 32
    assert rows[0]["TITLE_COMPL"] == "ECB reference exchange rate, US dollar/Euro, 2.15 pm (C.E.T.)"
    checked = parse.check(fetched(body, Month(2026, 9))[0])
    assert checked.rates == {}
    assert set(checked.trade.quarantine["reason"]) == {
        "FREQ 'D': not a monthly average rate per euro (FREQ M)"
    }


@pytest.mark.parametrize("sample", [XML, JSON])
def test_the_real_sdmx_answers_are_refused_by_name_not_misread(sample):
    body = shared_sample(sample).read_bytes()
    with pytest.raises(LayoutChanged, match="data-api.ecb.europa.eu.*not the data API's CSV"):
        parse.check(fetched(body)[0])


def test_bad_rows_are_quarantined_and_the_good_rates_kept():
    body = monthly(
        ("USD", "2024-01", "1.0905"),
        ("CNY", "2024-01", "-7.8"),
        ("GBP", "2024-02", "0.86"),
        ("usd", "2024-01", "1.1"),
        ("USD", "2024-01", "1.2"),
        ("JPY", "2024-01", "n/a"),
    )
    checked = parse.check(fetched(body)[0])
    assert checked.rates == {"USD": 1.0905}
    reasons = dict(
        zip(checked.trade.quarantine["row_index"], checked.trade.quarantine["reason"], strict=True)
    )
    assert reasons == {
        3: "OBS_VALUE must be a positive number, got '-7.8'",
        4: "TIME_PERIOD '2024-02' in the answer for 2024-01",
        5: "CURRENCY 'usd' is no ISO 4217 code",
        6: "a second USD rate for 2024-01",
        7: "OBS_VALUE must be a positive number, got 'n/a'",
    }


@pytest.mark.parametrize(
    "body, refusal",
    [
        (b"KEY,FREQ\nEXR.M,M", "no CURRENCY, CURRENCY_DENOM"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_an_answer_not_the_api_s_csv_is_a_named_error(body, refusal):
    with pytest.raises(LayoutChanged, match=refusal):
        parse.check(fetched(body)[0])


def test_a_month_without_rates_is_not_published_and_the_rates_load_with_their_exchange(tmp_path):
    path = str(tmp_path / "w.duckdb")
    for body, status in ((b"No results found.", 404), (monthly(("USD", "2024-01", "1.09")), 200)):
        answer, log = fetched(body, status=status)
        with Warehouse(path).writer() as con:
            record_exchanges(con, log.drain(), "r")
            loads = parts.load(con, answer, parse.check(answer), RunIds("r"))
    assert [(x.status, x.message) for x in loads] == [("loaded", "1 rates per euro: USD 1.09")]
    with closing(connect(path, read_only=True)) as con:
        assert con.execute(
            "select currency, per_eur, r.status from fx_monthly"
            " join raw.http_responses as r using (exchange_id)"
        ).fetchall() == [("USD", 1.09, 200)]
        assert con.execute(
            "select status from ops.runs where source = 'ecb' order by recorded_at"
        ).fetchall() == [("not_published",), ("loaded",)]


def test_the_rates_are_asked_for_only_where_a_source_publishes_another_currency():
    from tradewatch import watchlist
    from tradewatch.sources.ecb import Ecb

    usd = watchlist.parse('[[series]]\nname = "a"\nreporter = 156\npartner = 408\nhs = "2701"\n',
                          "w.toml")  # fmt: skip
    assert Ecb.watched(usd) == []
    default = watchlist.load()
    # Comext publishes euro, HMRC pounds
    assert [s.name for s in Ecb.watched(default)] == ["coal-deu-world", "coal-gbr-world"]


@pytest.mark.usefixtures("prefect_harness")
def test_an_offline_backfill_loads_the_recorded_months_once(warehouse_path):
    from tradewatch.cli import main

    command = ["backfill", "2024-01", "2024-04", "--source", "ecb", "--offline"]
    assert main([*command, "--warehouse", warehouse_path]) == 0
    with closing(connect(warehouse_path, read_only=True)) as con:
        assert con.execute(
            "select count(distinct period), count(*) from fx_monthly"
        ).fetchall() == [(3, 15)]
        ledger = con.execute(
            "select status from ops.runs where source = 'ecb' order by period"
        ).fetchall()
        assert [s for (s,) in ledger] == ["loaded"] * 3 + ["not_published"]
        exchanges = con.execute("select count(*) from raw.http_responses").fetchall()
    again = ["backfill", "2024-01", "2024-03", "--source", "ecb", "--offline"]
    assert main([*again, "--warehouse", warehouse_path]) == 0
    with closing(connect(warehouse_path, read_only=True)) as con:
        assert con.execute("select count(*) from raw.http_responses").fetchall() == exchanges
