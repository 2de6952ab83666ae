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


def _break_month(con, partner, shift, *, noise=0.03):
    """The seasonal judgement of 2017-05 in a series whose level moves by ``shift`` there."""
    con.execute("delete from trade_vintages where partner_code = ?", [partner])
    write(con, 392, partner, years=4, noise=noise, break_at=40, shift=shift)
    found = [t for t in turns(con, partner, "seasonal") if t[0] == "2017-05"]
    return found[0] if found else None


@pytest.mark.parametrize("sign", [1, -1])
def test_a_move_just_outside_the_band_is_a_turn_and_just_inside_is_none(con, sign):
    """The band's edge, both ways: 1.3 bands out is a turn, 0.7 bands is none (a band taken
    twice as wide, or half, fails one of the two)."""
    (_, _, _, _, band_pct) = _break_month(con, 3, sign * 0.5)  # the series' band, from its noise
    band = math.log(1 + band_pct / 100)
    expected = PATTERN[4]  # what May usually does, on the log scale
    for factor, turned in ((1.3, True), (0.7, False)):
        # the same series and noise; May's move is what it usually is, plus factor bands
        shift = math.exp(sign * factor * band) - 1
        found = _break_month(con, 3, shift)
        assert (found is not None) == turned, (factor, found, expected)
        if turned:
            assert found[1] == ("up" if sign > 0 else "down") and found[2] == "seasonal"


def test_the_band_is_never_narrower_than_theta(con):
    """A series with almost no noise: its own band would be a hair wide, so θ (10%) is the
    floor; a 7% break is no turn, a 13% one is, and the band shown is 10%."""
    assert _break_month(con, 4, 0.07, noise=0.0005) is None
    (_, direction, rule, _, band_pct) = _break_month(con, 4, 0.13, noise=0.0005)
    assert (direction, rule) == ("up", "seasonal")
    assert band_pct == pytest.approx(10.0, abs=0.01)


def test_one_earlier_year_of_the_month_is_enough_when_the_history_asked_for_is_short(con):
    """min_history_months lowered to 3: in the second year a month with one earlier year of
    itself is judged by the seasonal rule, not the simple one."""
    con.execute("update ops.reversal_settings set min_history_months = 3")
    write(con, 392, 5, years=2, break_at=16, shift=-0.5)  # 2015-05: down by half
    (found,) = [t for t in turns(con, 5, "seasonal") if t[0] == "2015-05"]
    assert found[1:3] == ("down", "seasonal")
