"""Each quarantine record the trade checks write, whole: column, check, value as text, reason.

These came from mutation testing of ``tradewatch/schemas/trade.py``: the loader's checks were
tested by which rows pass; these check what a user reads about the rows that do not.
"""

import datetime as dt

import pandas as pd
import pytest
from pandera.errors import SchemaErrors

from tests.schemas.test_trade import rows
from tradewatch.schemas import check_trade_rows
from tradewatch.schemas.trade import FIRST_PERIOD, LAST_PERIOD, MAX_CODE_DIGITS


def cases(checked) -> list[tuple]:
    return list(
        checked.quarantine[
            ["row_index", "column_name", "check_name", "failure_case", "reason"]
        ].itertuples(index=False, name=None)
    )


def test_a_period_that_is_not_a_date_or_out_of_range_is_named_by_row():
    too_late = (LAST_PERIOD + pd.DateOffset(months=1)).date()
    checked = check_trade_rows(rows(period=["2016-09-01", dt.date(1961, 12, 1), too_late]))
    explain = "period is not the first day of a month from 1962 to a year ahead"
    assert cases(checked) == [
        (0, "period", "is_date", "2016-09-01", "period is not a date"),
        (1, "period", "in_range", "1961-12-01", explain),
        (2, "period", "in_range", str(too_late), explain),
    ]
    assert checked.quarantine["period"].isna().tolist() == [True, True, True]


def test_the_first_and_last_months_are_in_range_and_the_year_3000_is_not():
    edges = [FIRST_PERIOD.date(), LAST_PERIOD.date(), dt.date(3000, 1, 1)]
    checked = check_trade_rows(rows(period=edges))
    assert list(checked.valid.index) == [0, 1]
    assert cases(checked)[0][:4] == (2, "period", "in_range", "3000-01-01")


def test_a_duplicate_is_one_record_per_row_naming_the_key():
    checked = check_trade_rows(rows(hs_code=["2701", "2701", "2701"]))
    reason = (
        "duplicate of another row with the same key: source, reporter_code, partner_code, "
        "hs_code, flow, period"
    )
    assert cases(checked) == [
        (1, "(key)", "multiple_fields_uniqueness", None, reason),
        (2, "(key)", "multiple_fields_uniqueness", None, reason),
    ]
    assert list(checked.valid.index) == [0]


def test_a_column_without_its_own_explanation_names_the_check_it_failed():
    checked = check_trade_rows(rows(source=["comtrade", "", "comtrade"]))
    assert cases(checked) == [
        (1, "source", "str_length(1, None)", "", "source failed str_length(1, None)")
    ]


def test_codes_up_to_999_and_not_past_it():
    checked = check_trade_rows(rows(partner_code=[999, 1000, 0]))
    assert cases(checked) == [
        (1, "partner_code", "is_number", "1000", "partner_code must be a UN M49 code from 0 to 999")
    ]


def test_a_null_number_column_stays_float_and_a_null_value_is_no_failure_case():
    checked = check_trade_rows(rows(quantity=[None, None, None], value_usd=[None, "x", None]))
    assert checked.valid["quantity"].dtype == "float64"
    assert cases(checked) == [(1, "value_usd", "is_number", "x", "value_usd is not a number")]


def test_a_code_longer_than_its_source_publishes_is_quarantined_by_row():
    frame = rows(hs_code=["270111", "2701110", "27"])
    frame.attrs[MAX_CODE_DIGITS] = 6
    reason = "commodity code is longer than the 6 digits its source publishes"
    assert cases(check_trade_rows(frame)) == [(1, "hs_code", "source_code", "2701110", reason)]
    text = frame.astype({"hs_code": "str"})
    text.attrs[MAX_CODE_DIGITS] = 6
    assert cases(check_trade_rows(text)) == [(1, "hs_code", "source_code", "2701110", reason)]
    mixed = rows(hs_code=["270111", "2701110", None])
    mixed.attrs[MAX_CODE_DIGITS] = 6
    assert cases(check_trade_rows(mixed))[0] == (1, "hs_code", "source_code", "2701110", reason)
    unbounded = rows(hs_code=["270111", "2701110000", "27"])
    assert check_trade_rows(unbounded).quarantine.empty  # a source that publishes HS10


def test_typed_columns_are_checked_by_the_schema_and_infinity_is_refused():
    typed = rows(partner_code=[999, 1000, 0], value_usd=[1.0, 2.0, float("inf")])
    typed = typed.astype({"partner_code": "int64", "value_usd": "float64"})
    typed["period"] = pd.to_datetime(typed["period"]).astype("datetime64[ns]")
    typed.loc[0, "period"] = pd.Timestamp("1961-12-01")
    got = set(cases(check_trade_rows(typed)))
    assert got == {
        (2, "value_usd", "is_number", "inf", "value_usd is not a finite number"),
        (0, "period", "greater_than_or_equal_to(1962-01-01 00:00:00)", "1961-12-01 00:00:00",
         "period is not the first day of a month from 1962 to a year ahead"),
        (1, "partner_code", "less_than_or_equal_to(999)", "1000",
         "partner_code must be a UN M49 code from 0 to 999"),
    }  # fmt: skip


def test_a_frame_without_a_column_is_a_schema_error_whatever_its_source_says():
    frame = rows().drop(columns="hs_code")
    frame.attrs[MAX_CODE_DIGITS] = 6
    with pytest.raises(SchemaErrors, match="hs_code"):
        check_trade_rows(frame)
