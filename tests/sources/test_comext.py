"""Eurostat Comext: the bulk archive streamed, every row checked, the watched series summed,
the month's rows loaded — on the real rows of ../shared/samples/comext (read in place) and on
the generated offline months."""

import io
import json
import random
from contextlib import closing

import httpx
import pytest

from tests.samples import shared_sample
from tradewatch.pipelines.http import ExchangeLog, make_client
from tradewatch.schemas import Month, Series
from tradewatch.sources.comext import archive, parse, parts
from tradewatch.warehouse import RunIds, Warehouse, connect, record_exchanges

SAMPLE = "comext/comext_full_v2_202402_AT_AD_exports_excerpt.csv"
FEB = Month(2024, 2)
# Austria's exports to Andorra (M49 40 -> 20): chapter 39, heading 3916, everything
AT_AD = (
    Series("at-ad-39", 40, 20, "39", "X"),
    Series("at-ad-3916", 40, 20, "3916", "X"),
    Series("at-ad-total", 40, 20, "TOTAL", "X"),
)


def seven_zip(csv: bytes, name: str = "full_v2_202402.dat") -> bytes:
    import py7zr

    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w") as packed:
        packed.writestr(csv, name)
    return buffer.getvalue()


def answer(body: bytes, series=AT_AD, month=FEB, is_archive=True) -> parts.ComextAnswer:
    request = parts.ComextRequest(month, tuple(series))
    return parts.ComextAnswer(request, "https://ec.europa.eu/x", body, is_archive, "e1")


def real_csv() -> bytes:
    return shared_sample(SAMPLE).read_bytes()


def test_the_real_rows_parse_check_and_sum_with_the_confidential_line_as_published():
    checked = parts.check(answer(seven_zip(real_csv())))
    try:
        assert checked.rows == 13 and checked.trade.quarantine.empty
        sums = checked.trade.valid.set_index("hs_code")["net_weight_kg"].to_dict()
        # chapter 39 holds its confidential line (39XXXXXX, 0 kg here); the heading does not
        assert sums == {"39": 146.0, "3916": 141.0, "TOTAL": 380.0}
        import duckdb

        staged = duckdb.sql(f"select product_nc, value_eur from '{checked.staged}'").fetchall()
        assert ("39XXXXXX", "89") in staged  # kept as published, never a code of its own
        assert len(staged) == 13
    finally:
        checked.staged.unlink()


def test_bad_rows_are_quarantined_each_with_its_reason():
    good = real_csv()
    bad_lines = [
        "AT,AD,E,40169991,62999,2219,2212,630,211210,07,2,1,NO_SU,202402,1e3,1606,89,0",
        "AT,ZZ,E,40169991,62999,2219,2212,630,211210,07,2,1,NO_SU,202402,1,1,1,0",
        "AT,AD,E,4016999,62999,2219,2212,630,211210,07,2,1,NO_SU,202402,1,1,1,0",
        "AT,AD,E,40169991,62999,2219,2212,630,211210,07,3,1,NO_SU,202402,1,1,1,0",
        "AT,AD,E,40169991,62999,2219,2212,630,211210,07,2,1,NO_SU,202403,1,1,1,0",
        "AT,AD,E,40169991,62999,2219,2212,630,211210,07,2,1,NO_SU,202402,-5,1,1,0",
        "AT,AD,E,40169991",
    ]
    checked = parts.check(answer(seven_zip(good + ("\n".join(bad_lines) + "\n").encode())))
    checked.staged.unlink()
    quarantine = checked.trade.quarantine.sort_values("row_index")
    reasons = quarantine["reason"].tolist()
    assert sorted(checked.trade.quarantine["row_index"]) == list(range(15, 22))  # CSV lines
    assert reasons == [
        "VALUE_EUR must be a whole non-negative number, got '1e3'",
        "PARTNER 'ZZ' is no country or area code Comext uses",
        "PRODUCT_NC '4016999' is not a CN8 code (8 digits, or confidential with X)",
        "FLOW must be 1 (import) or 2 (export), got '3'",
        "PERIOD '202403' in the file of 2024-02",
        "VALUE_EUR must be a whole non-negative number, got '-5'",
        "a row of 4 fields, not Comext's 18",
    ]
    assert checked.rows == 13  # the good rows still load
    original = json.loads(quarantine.iloc[0]["original"])  # the row as published
    assert original["VALUE_EUR"] == "1e3"


def test_wrong_columns_are_a_named_error_with_the_url():
    csv = real_csv().replace(b"QUANTITY_KG", b"QUANTITY_TONNES", 1)
    with pytest.raises(parse.NotComext, match=r"https://ec.europa.eu/x: .*QUANTITY_TONNES"):
        parts.check(answer(seven_zip(csv)))


def _varied_csv(rows: int) -> bytes:
    rng = random.Random(7)
    lines = [",".join(parse.COLUMNS)]
    for _ in range(rows):
        v = rng.randrange(1, 10**7)
        lines.append(
            f"DE,CN,E,{rng.randrange(10**7, 10**8)},1,1,1,1,1,01,1,1,NO_SU,202402,{v},{v},{v},0"
        )
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(
    ("damage", "refusal"),
    [
        (lambda b: b[: len(b) // 2], "not a readable 7z archive"),
        (lambda b: b[:-10], "not a readable 7z archive"),
        (lambda b: b[:64] + bytes(64) + b[128:], "damaged archive"),
        (lambda b: b"<!DOCTYPE html><html>not yet</html>", "not a readable 7z archive"),
    ],
)
def test_a_truncated_or_damaged_archive_is_refused_by_name(damage, refusal):
    body = damage(seven_zip(_varied_csv(2000)))
    with pytest.raises(archive.ArchiveRefused, match=refusal) as caught:
        parts.check(answer(body))
    assert caught.value.url == "https://ec.europa.eu/x"


def test_a_zip_bomb_is_refused_before_it_unpacks():
    body = seven_zip(b"0" * 30_000_000)
    with pytest.raises(archive.ArchiveRefused, match="zip bomb"):
        list(archive.csv_blocks(body, "u"))
    with pytest.raises(archive.ArchiveRefused, match="2 files"):
        import py7zr

        buffer = io.BytesIO()
        with py7zr.SevenZipFile(buffer, "w") as packed:
            packed.writestr(b"a", "one.dat")
            packed.writestr(b"b", "two.dat")
        list(archive.csv_blocks(buffer.getvalue(), "u"))


def test_the_stream_gives_back_every_byte_in_whole_lines_and_stops_when_asked():
    csv = _varied_csv(20_000)
    blocks = list(archive.csv_blocks(seven_zip(csv), "u", block_bytes=64 * 1024))
    assert len(blocks) > 5 and b"".join(blocks) == csv
    assert all(block.endswith(b"\n") for block in blocks)
    stream = archive.csv_blocks(seven_zip(csv), "u", block_bytes=4096)
    next(stream)
    stream.close()  # the unpacking thread ends, nothing hangs


def test_a_month_not_yet_published_is_a_page_not_an_archive(tmp_path):
    """The API answers 200 with HTML before a month exists: no rows, not published."""

    def handler(request):
        assert request.url.params["file"] == "comext/COMEXT_DATA/PRODUCTS/full_v2_202405.7z"
        return httpx.Response(200, text="<html>soon</html>", headers={"content-type": "text/html"})

    log = ExchangeLog()
    client = make_client("comext", log, transport=httpx.MockTransport(handler), min_interval=0)
    got = parts.fetch(client, parts.ComextRequest(Month(2024, 5), AT_AD))
    kept = log.drain()
    assert not got.is_archive and got.exchange_id == kept[-1].exchange_id
    path = str(tmp_path / "w.duckdb")
    with closing(connect(path)) as con:
        record_exchanges(con, kept, "r")
        loads = parts.load(con, got, parts.check(got), RunIds("r"))
    assert [(x.status, x.message) for x in loads] == [
        ("not_published", "no data published for this month yet")
    ]


def test_the_month_loads_its_full_rows_and_a_revised_file_replaces_them(tmp_path):
    path = str(tmp_path / "w.duckdb")
    log = ExchangeLog()

    def served(body: bytes):
        def handler(request):
            headers = {"content-disposition": 'attachment; filename="full_v2_202402.7z"'}
            return httpx.Response(200, content=body, headers=headers)

        return make_client("comext", log, transport=httpx.MockTransport(handler), min_interval=0)

    first = real_csv()
    revised = b"\n".join(first.split(b"\n")[:-2]) + b"\n"  # the last line withdrawn
    revised = revised.replace(b",202402,65,65,3,0", b",202402,70,70,4,0")  # one line revised
    for body in (seven_zip(first), seven_zip(revised)):
        got = parts.fetch(served(body), parts.ComextRequest(FEB, AT_AD))
        with Warehouse(path).writer() as con:
            record_exchanges(con, log.drain(), "r")
            parts.load(con, got, parts.check(got), RunIds("r"))
    with closing(connect(path, read_only=True)) as con:
        assert con.execute(
            "select count(*), count(distinct exchange_id), sum(quantity_kg) from comext_rows"
        ).fetchall() == [(12, 1, 380 - 89 + 1)]
        vintages = con.execute(
            "select hs_code, net_weight_kg, vintage from trade_monthly where source = 'comext'"
            " order by hs_code"
        ).fetchall()
        assert vintages == [("39", 146.0, 1), ("3916", 141.0, 1), ("TOTAL", 292.0, 2)]


@pytest.mark.usefixtures("prefect_harness")
def test_an_offline_backfill_loads_the_recorded_months_once(warehouse_path):
    """The README's command: three generated months load (full rows and the watched series,
    with their provenance), the month after is not published, and a rerun fetches nothing."""
    from tradewatch.cli import main

    command = ["backfill", "2024-01", "2024-04", "--source", "comext", "--offline"]
    assert main([*command, "--warehouse", warehouse_path]) == 0
    with closing(connect(warehouse_path, read_only=True)) as con:
        monthly = con.execute(
            "select period, reporter_code, partner_code, hs_code, vintage, r.url"
            " from trade_monthly join raw.http_responses as r using (exchange_id)"
            " where trade_monthly.source = 'comext' order by period"
        ).fetchall()
        assert [(str(m[0]), m[1:5]) for m in monthly] == [
            (f"2024-0{n}-01", (276, 0, "2701", 1)) for n in (1, 2, 3)
        ]
        assert all("full_v2_2024" in m[5] for m in monthly)  # traced to the file it came from
        assert con.execute(
            "select count(distinct period), count(*) > 2000 from comext_rows"
        ).fetchall() == [(3, True)]
        ledger = con.execute(
            "select period, status from ops.runs where source = 'comext' order by period"
        ).fetchall()
        assert [s for _, s in ledger] == ["loaded", "loaded", "loaded", "not_published"]
        exchanges = con.execute("select count(*) from raw.http_responses").fetchall()
    again = ["backfill", "2024-01", "2024-03", "--source", "comext", "--offline"]
    assert main([*again, "--warehouse", warehouse_path]) == 0
    with closing(connect(warehouse_path, read_only=True)) as con:
        assert con.execute("select count(*) from raw.http_responses").fetchall() == exchanges


EU_SERIES = """
[[series]]
name = "eu-coking-coal-world"
reporter = "EU27_2020"
partner = "World"
hs = "27011210"
sources = ["comext"]

[[series]]
name = "deu-coal-from-eu"
reporter = "DEU"
partner = "European Union"
hs = "2701"
sources = ["comext"]
"""


def test_the_eu_and_cn8_codes_are_watched_as_sums_that_say_what_they_hold(tmp_path):
    """The EU (EU27_2020) as reporter sums its members' lines with partners outside it; as
    partner, a member's lines with the other members; a CN8 code is one line, a heading every
    line under it. Checked against the recorded CSV summed here line by line."""
    import csv

    import py7zr

    from tradewatch import watchlist

    eu_world, deu_eu = watchlist.parse(EU_SERIES, "w.toml").series
    assert (eu_world.reporter, deu_eu.partner) == (97, 97)
    body = (parts.RECORDINGS / "full_v2_202402.7z").read_bytes()
    checked = parts.check(answer(body, series=(eu_world, deu_eu)))
    with py7zr.SevenZipFile(io.BytesIO(body)) as packed:
        packed.extractall(tmp_path)
    text = (tmp_path / "full_v2_202402.dat").read_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    eu27 = set("AT BE BG HR CY CZ DK EE FI FR DE EL GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"
               .split())  # fmt: skip
    expected = {
        eu_world.key: [r for r in rows if r["REPORTER"] in eu27 and r["PARTNER"] not in eu27
                       and r["FLOW"] == "1" and r["PRODUCT_NC"] == "27011210"],
        deu_eu.key: [r for r in rows if r["REPORTER"] == "DE" and r["PARTNER"] in eu27 - {"DE"}
                     and r["FLOW"] == "1" and r["PRODUCT_NC"].startswith("2701")],
    }  # fmt: skip
    for key, lines in expected.items():
        assert lines, key  # the recording has such lines: the sums are not vacuous
        found = checked.sums[key]
        assert found.kg == sum(int(r["QUANTITY_KG"]) for r in lines), key
        assert found.lines == len(lines)
        assert found.codes == {r["PRODUCT_NC"] for r in lines}
    assert checked.sums[eu_world.key].codes == {"27011210"}
    assert len(checked.sums[deu_eu.key].codes) > 1  # a heading: several lines, named
    monthly = checked.trade.valid.set_index("hs_code")["net_weight_kg"]
    assert monthly["27011210"] == checked.sums[eu_world.key].kg
    checked.staged.unlink()


@pytest.mark.parametrize(
    "series, refusal",
    [
        ('reporter = 156\npartner = 408\nhs = "27011210"\nsources = ["comtrade"]',
         "comtrade publishes product codes of up to 6 digits, not '27011210'"),
        ('reporter = "EU27"\npartner = 0\nhs = "2701"\nsources = ["comtrade"]',
         "comtrade has no reporter European Union"),
        ('reporter = "EU27_2020"\npartner = "DEU"\nhs = "2701"\nsources = ["comext"]',
         "the EU's trade with its own members is no trade of the EU's"),
        ('reporter = "CHN"\npartner = "EU"\nhs = "2701"\nsources = ["comext"]',
         "China \\(156\\) is not an EU member"),
    ],
)  # fmt: skip
def test_codes_a_source_does_not_publish_are_refused_naming_the_line(series, refusal):
    from tradewatch import watchlist
    from tradewatch.watchlist import WatchlistError

    with pytest.raises(WatchlistError, match=f"line 6: .*{refusal}"):
        watchlist.parse(f'[[series]]\nname = "x"\n{series}\n', "w.toml")
