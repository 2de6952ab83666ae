"""Names beside codes: countries from the one country table, commodity texts with vintages."""

from __future__ import annotations

from contextlib import closing

from tests.conftest import comtrade_body, raw_payload
from tradewatch.pipelines.comtrade import commodity_names
from tradewatch.warehouse import connect
from tradewatch.warehouse.names import record_commodity_names, sync_watched_series


def test_the_country_table_is_in_the_warehouse(tmp_path):
    with closing(connect(tmp_path / "w.duckdb")) as con:
        rows = con.execute(
            "select code, iso3, name from ref.countries where code in (0, 156, 408, 842, 699)"
            " order by code"
        ).fetchall()
    assert rows == [
        (0, None, "World"),
        (156, "CHN", "China"),
        (408, "PRK", "North Korea"),
        (699, "IND", "India"),  # Comtrade's code, not ISO's 356
        (842, "USA", "United States"),
    ]


def test_commodity_descriptions_are_read_as_sent_and_only_for_hs_codes():
    records = [
        {"cmdCode": "2701", "cmdDesc": "Coal;  briquettes\n and similar"},
        {"cmdCode": "\uff12\uff17\uff10\uff11", "cmdDesc": "full-width code"},
        {"cmdCode": "2601", "cmdDesc": 5},
        {"cmdCode": "2602", "cmdDesc": "x" * 501},
        {"cmdCode": 2603, "cmdDesc": "a number as code"},
    ]
    assert commodity_names(raw_payload(comtrade_body(records))) == {
        "2701": "Coal; briquettes and similar"
    }
    assert commodity_names(raw_payload(b"not json")) == {}


def test_a_changed_description_is_a_new_vintage_and_the_view_names_the_latest(tmp_path):
    with closing(connect(tmp_path / "w.duckdb")) as con:
        record_commodity_names(con, "comtrade", {"2701": "Coal; briquettes"}, "x-1")
        record_commodity_names(con, "comtrade", {"2701": "Coal; briquettes"}, "x-2")
        record_commodity_names(con, "comtrade", {"2701": "Coal, lignite; peat"}, "x-3")
        kept = con.execute(
            "select description, first_exchange_id from ref.commodity_names order by all"
        ).fetchall()
        latest = con.execute("select description, short_name from commodities").fetchall()
        sync_watched_series(con, [("coal-chn-prk", 156, 408, "2701", "M")])
        names = con.execute("select name from ops.watched_series").fetchall()
    assert kept == [("Coal, lignite; peat", "x-3"), ("Coal; briquettes", "x-1")]
    assert latest == [("Coal, lignite; peat", "Coal, lignite")]
    assert names == [("coal-chn-prk",)]
