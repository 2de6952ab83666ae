"""The reversals and series_gaps views, on series written straight into trade_vintages."""

import datetime as dt
from contextlib import closing

import pytest

from tests.conftest import recorded_records
from tradewatch.warehouse import connect
from tradewatch.warehouse.alerts import sync_reversal_settings


@pytest.fixture
def con(warehouse_path):
    """A warehouse judging by the simple rule, which these tests describe (the seasonal rule's
    are in test_seasonal.py)."""
    with closing(connect(warehouse_path)) as connection:
        connection.execute("update ops.reversal_settings set rule = 'simple'")
        yield connection


def put(con, volumes, hs="2701", partner=408, start=(2016, 1)):
    """Write a series of monthly tonnes (None = month missing) starting at ``start``."""
    year, month = start
    for i, tonnes in enumerate(volumes):
        y, m = year + (month - 1 + i) // 12, (month - 1 + i) % 12 + 1
        if tonnes is None:
            continue
        con.execute(
            "insert into trade_vintages values ('comtrade', 156, ?, ?, 'M', ?, 1, ?, null, null,"
            " null, now(), 'e', 's', 0, 'r', null, null)",
            [partner, hs, dt.date(y, m, 1), tonnes * 1000.0],
        )


def turns(con, hs="2701"):
    return con.execute(
        "select strftime(period, '%Y-%m'), direction, move_pct, trend_months, low_base"
        " from reversals where hs_code = ? order by period",
        [hs],
    ).fetchall()


def test_worked_example_coal_from_north_korea_2016(con):
    coal = sorted(
        (r["period"], r["netWgt"] / 1000)
        for r in recorded_records()
        if r["cmdCode"] == "2701" and r["period"].startswith("2016")
    )
    put(con, [tonnes for _, tonnes in coal])
    assert turns(con) == [
        ("2016-03", "up", 54.3, 1, False),
        ("2016-04", "down", -34.9, 1, False),
        ("2016-06", "up", 16.1, 1, False),
        ("2016-09", "down", -27.1, 3, False),
    ]


def test_a_flat_month_neither_counts_as_a_trend_nor_breaks_it(con):
    put(con, [100_000, 150_000, 155_000, 100_000], hs="1001")
    put(con, [100_000, 150_000, 155_000, 200_000], hs="1002")
    assert turns(con, "1001") == [("2016-04", "down", -35.5, 1, False)]
    assert turns(con, "1002") == []


def test_a_missing_month_breaks_the_chain_and_is_reported(con):
    put(con, [100_000, 150_000, None, 100_000, 50_000])
    assert turns(con) == []
    gaps = con.execute("select period, reason from series_gaps").fetchall()
    assert gaps == [(dt.date(2016, 3, 1), "no figure")]


def test_moves_to_and_from_zero(con):
    put(con, [100_000, 150_000, 0, 0, 50_000, 80_000])
    assert turns(con) == [
        ("2016-03", "down", -100.0, 1, False),
        ("2016-05", "up", None, 1, False),
    ]


def test_a_single_month_and_a_constant_series_have_no_reversal(con):
    put(con, [100_000], hs="1001")
    put(con, [100_000] * 12, hs="1002")
    assert turns(con, "1001") == turns(con, "1002") == []
    assert con.execute("select count(*) from series_gaps").fetchall() == [(0,)]


def test_settings_per_series_theta_trend_length_and_low_base(con):
    put(con, [100_000, 150_000, 200_000, 100_000], hs="1001")
    put(con, [100, 150, 200, 100], hs="1002")
    put(con, [100_000, 105_000, 110_000, 104_000], hs="1003")
    assert turns(con, "1001") == [("2016-04", "down", -50.0, 2, False)]
    assert turns(con, "1002") == [("2016-04", "down", -50.0, 2, True)]
    assert turns(con, "1003") == []
    simple = ("simple", 2.25, 12)
    sync_reversal_settings(
        con,
        (0.10, 1, 1_000_000.0, *simple),
        [
            (156, 408, "1001", "M", 0.10, 3, 1_000_000.0, *simple),
            (156, 408, "1003", "M", 0.04, 1, 0.0, *simple),
        ],
    )
    assert turns(con, "1001") == []
    assert turns(con, "1003") == [("2016-04", "down", -5.5, 2, False)]
    used = con.execute("select theta, min_trend_months, low_base_kg from reversals").fetchall()
    assert sorted(used) == [(0.04, 1, 0.0), (0.10, 1, 1_000_000.0)]
