"""Mirror statistics: China's exports to the US by China's customs beside US imports from China
by the Census Bureau, in US dollars, with their ratio and band; a break raises a mirror_gap
alert once, a revision that takes it back retracts it; values in euro read in dollars at the
ECB's rates."""

from contextlib import closing

import httpx
import pytest

from tradewatch.pipelines.http import ExchangeLog, make_client
from tradewatch.schemas import Month, Series
from tradewatch.sources.census import parse, parts
from tradewatch.warehouse import RunIds, Warehouse, connect, record_exchanges
from tradewatch.warehouse.alerts import reconcile_alerts

DECEMBER = Month(2018, 12)
US_CHINA = Series("imports-usa-chn", 842, 156, "TOTAL", "M")


@pytest.fixture(scope="module")
def both_sides(tmp_path_factory, prefect_harness):
    """2018 from the GACC and Census recordings, through the README's command."""
    from tradewatch.cli import main

    path = str(tmp_path_factory.mktemp("mirror") / "w.duckdb")
    command = ["backfill", "2018-01", "2018-12", "--source", "gacc", "--source", "census"]
    assert main([*command, "--offline", "--warehouse", path]) == 0
    return path


def query(path: str, sql: str, params=()):
    with closing(connect(path, read_only=True)) as con:
        return con.execute(sql, list(params)).fetchall()


def census_answer(path: str, china_usd: int) -> None:
    """A revised Census answer for December 2018: US general imports from China as given."""
    body = (parts.RECORDINGS / "imports_TOTAL_201812.json").read_text()
    old = next(line for line in body.splitlines() if '"CHINA"' in line)
    figure = old.split(",")[3]
    new_body = body.replace(old, old.replace(figure, f'"{china_usd}"', 1)).encode()
    log = ExchangeLog()
    client = make_client(
        "census", log, min_interval=0,
        transport=httpx.MockTransport(lambda r: httpx.Response(200, content=new_body)),
    )  # fmt: skip
    answer = parts.fetch(client, parts.CensusRequest("M", "TOTAL", DECEMBER, (US_CHINA,)))
    with Warehouse(path).writer() as con:
        record_exchanges(con, log.drain(), "revision")
        parts.load(con, answer, parse.check(answer), RunIds("revision"))


def reconcile(path: str):
    with Warehouse(path).writer() as con:
        return reconcile_alerts(con, run_id="r", notify=False, notify_low_base=False)


def test_the_two_sides_of_china_us_trade_meet_in_usd_with_their_ratio(both_sides):
    rows = query(
        both_sides,
        "select period, import_usd, export_usd, ratio, import_source, export_source,"
        " history_months, band_low, band_high from mirror_flows"
        " where importer_code = 842 and exporter_code = 156 order by period",
    )
    # GACC publishes January with February: the pair meets from March
    assert [str(r[0])[:7] for r in rows] == [f"2018-{m:02d}" for m in range(3, 13)]
    for _period, imports, exports, ratio, by_importer, by_exporter, *_ in rows:
        assert (by_importer, by_exporter) == ("census", "gacc")
        assert ratio == pytest.approx(imports / exports) and 0.8 < ratio < 1.6
    gacc = query(
        both_sides,
        "select value_usd from trade_monthly where source = 'gacc' and reporter_code = 156"
        " and partner_code = 842 and flow = 'X' and period = '2018-12-01'",
    )
    assert rows[-1][2] == gacc[0][0]  # China's own figure, as it published it (USD)
    history, low, high = rows[-1][6:]
    assert history == 9 and low < rows[-1][3] < high  # its own history sets the band


def test_a_break_raises_a_mirror_gap_once_and_a_revision_retracts_it(both_sides):
    (december,) = query(
        both_sides,
        "select import_usd, band_high from mirror_flows where importer_code = 842"
        " and exporter_code = 156 and period = '2018-12-01'",
    )
    original = int(december[0])
    census_answer(both_sides, int(original * 2))  # the US now reports twice as much
    changes = reconcile(both_sides)
    (gap,) = [a for a in changes.raised if a["alert_kind"] == "mirror_gap"]
    assert (gap["source"], gap["reporter_code"], gap["partner_code"]) == ("census~gacc", 842, 156)
    assert gap["direction"] == "mirror_above" and gap["ratio"] > gap["band_high"]
    from tradewatch.flows.alerts import describe

    line = describe(gap, {}, "raised")
    assert "mirror gap: United States says it imported USD" in line and "from China" in line
    assert "above its band" in line
    assert not reconcile(both_sides).raised  # once
    gaps = "select count(*) from alert_candidates where kind = 'mirror_gap'"
    with Warehouse(both_sides).writer() as con:  # only a series that asks for its mirror
        assert con.execute(gaps).fetchall() == [(1,)]
        con.execute("update ops.watched_series set mirror = false")
        assert con.execute(gaps).fetchall() == [(0,)]
        con.execute("update ops.watched_series set mirror = (name = 'imports-usa-chn')")
    from tradewatch.report import report_html

    page = report_html(both_sides, DECEMBER)
    section = page[page.index('<section id="mirror">') : page.index('<section id="claims">')]
    row = next(r for r in section.split("<tr") if "United States ← China" in r)
    assert 'class="outside"' in row and "raised" in row and "US Census Bureau" in row
    assert '<section id="reversals">' in page and "mirror_above" not in page
    census_answer(both_sides, original)  # revised back
    changes = reconcile(both_sides)
    assert [a["alert_id"] for a in changes.retracted] == [gap["alert_id"]]
    assert "RETRACTED mirror gap" in describe(changes.retracted[0], {}, "retracted")
    assert query(both_sides, "select status from alerts where alert_id = ?", [gap["alert_id"]]) == [
        ("retracted",)
    ]


def test_a_value_in_euro_reads_in_dollars_at_the_month_s_rate(tmp_path, prefect_harness):
    from tradewatch.cli import main

    path = str(tmp_path / "w.duckdb")
    for source in ("comext", "ecb"):
        assert main(["backfill", "2024-01", "2024-02", "--source", source, "--offline",
                     "--warehouse", path]) == 0  # fmt: skip
    rows = query(
        path,
        "select v.period, v.currency, v.value, v.value_usd, v.value_usd_converted, r.per_eur"
        " from trade_values_usd as v join fx_monthly as r on r.period = v.period"
        " and r.currency = 'USD' where v.source = 'comext' order by v.period",
    )
    assert len(rows) == 2
    sums = dict(query(path, "select period, value_eur from comext_sums"))
    for period, currency, value, usd, converted, usd_per_eur in rows:
        assert (currency, converted) == ("EUR", True)
        assert value == sums[period]  # as published, in euro
        assert usd == pytest.approx(value * usd_per_eur)
    # the trade row itself keeps no dollar figure Comext never published
    assert query(path, "select count(value_usd) from trade_monthly where source = 'comext'") == [
        (0,)
    ]
