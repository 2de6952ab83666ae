"""The seasonal rule: turns judged against the calendar month and the series' own noise.

Series are generated here (a fixed seed): a calendar pattern, noise, and where a test needs one,
a lasting break.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from contextlib import closing

import pytest

from tradewatch.warehouse import connect
from tradewatch.warehouse.alerts import reconcile_alerts

PATTERN = [0.0, -0.30, 0.35, 0.05, 0.10, -0.05, 0.15, 0.0, -0.20, 0.10, 0.05, 0.20]


@pytest.fixture
def con(warehouse_path):
    with closing(connect(warehouse_path)) as connection:
        yield connection


def write(con, reporter, partner, years, *, noise=0.03, break_at=None, shift=0.0, lny=None):
    """A monthly series from 2014-01: PATTERN's log moves each year, noise, an optional break
    (a lasting level shift from month index ``break_at``) and a Lunar New Year dip by year."""
    rng = random.Random(partner)
    level, rows = math.log(5e7), []
    for step in range(12 * years):
        year, month = 2014 + step // 12, step % 12 + 1
        level += PATTERN[month - 1]
        value = level + rng.gauss(0, noise)
        if lny and lny.get(year) == month:
            value -= 0.35
        if break_at is not None and step >= break_at:
            value += math.log(1 + shift)
        rows.append((reporter, partner, dt.date(year, month, 1), math.exp(value)))
    con.executemany(
        "insert into trade_vintages values ('comtrade', ?, ?, '2701', 'M', ?, 1, ?, null, null,"
        " null, now(), 'e', 's', 0, 'r', null, null)",
        rows,
    )


def turns(con, partner, rule=None):
    if rule:
        con.execute("update ops.reversal_settings set rule = ?", [rule])
    return con.execute(
        "select strftime(period, '%Y-%m'), direction, rule, expected_pct, band_pct"
        " from reversals where partner_code = ? order by period",
        [partner],
    ).fetchall()


def test_a_calendar_pattern_is_no_turn_once_the_series_has_history(con):
    write(con, 392, 1, years=4)  # Japan: no combined months
    simple = turns(con, 1, "simple")
    seasonal = turns(con, 1, "seasonal")
    assert len(simple) >= 12  # the calendar raises the simple rule every few months
    judged = [t for t in seasonal if t[2] == "seasonal"]
    assert len(judged) <= 1  # from the third year on, the season explains the moves
    simple_later = [t for t in simple if t[0] >= "2016-02"]
    assert len(simple_later) >= 6  # where the simple rule still cries wolf
    assert all(t[2] == "simple" for t in seasonal if t[0] < "2016-02")  # too little history


def test_a_lasting_break_is_raised_with_what_the_month_usually_does_and_the_band(con):
    write(con, 392, 2, years=4, break_at=40, shift=-0.40)  # 2017-05: down 40%
    ((month, direction, rule, expected, band),) = [
        t for t in turns(con, 2, "seasonal") if t[2] == "seasonal"
    ]
    assert (month, direction, rule) == ("2017-05", "down", "seasonal")
    assert expected == pytest.approx(100 * (math.exp(PATTERN[4]) - 1), abs=8)  # May: ~+10.5%
    assert 5 < band < 30


def test_china_january_and_february_are_one_period(con):
    # the Lunar New Year's dip falls in January or February as the holiday moves
    lny = {2014: 1, 2015: 2, 2016: 2, 2017: 1}
    write(con, 156, 3, years=4, lny=lny)
    write(con, 392, 4, years=4, lny=lny)  # the same series reported by a country that does not
    china = [t for t in turns(con, 3, "seasonal") if t[2] == "seasonal"]
    other = [t for t in turns(con, 4, "seasonal") if t[2] == "seasonal"]
    early = [t for t in china if t[0][5:] in ("01", "02", "03")]
    early_other = [t for t in other if t[0][5:] in ("01", "02", "03")]
    assert len(early) < len(early_other)  # the moving holiday fools a calendar-month model
    assert all(t[0][5:] != "02" for t in china)  # February is January's period, never its own


def test_a_change_of_rule_rejudges_history_without_raising_old_alerts_again(con):
    write(con, 392, 5, years=4, break_at=40, shift=-0.40)
    con.execute("update ops.reversal_settings set rule = 'simple'")
    first = reconcile_alerts(con, run_id="r1", notify=True, notify_low_base=False)
    assert len(first.raised) >= 10
    con.execute("update ops.reversal_settings set rule = 'seasonal'")
    second = reconcile_alerts(con, run_id="r2", notify=True, notify_low_base=False)
    kept = {(a["period"], a["direction"]) for a in first.raised} - {
        (a["period"], a["direction"]) for a in second.retracted
    }
    # what the seasonal rule still sees stays raised, once; what it does not is retracted
    assert second.retracted and second.raised == []
    assert (dt.date(2017, 5, 1), "down") in kept
    raised = con.execute("select count(*) from alerts where status = 'raised'").fetchall()
    assert raised == [(len(kept),)]


def test_the_alert_says_what_the_month_usually_does_and_the_band(con):
    from tradewatch.flows.alerts import describe

    write(con, 392, 6, years=4, break_at=40, shift=-0.40)
    changes = reconcile_alerts(con, run_id="r", notify=True, notify_low_base=False)
    (may,) = [a for a in changes.raised if a["rule"] == "seasonal"]
    text = describe(may, {}, "raised")
    assert f"where May usually moves {may['expected_pct']:+.1f}%" in text
    assert f"outside the series' usual band of ±{may['band_pct']:.0f}%" in text
    assert f"(seasonal rule, {may['history_months']} months of history)" in text
