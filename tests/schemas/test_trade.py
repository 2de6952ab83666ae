import datetime as dt

import pandas as pd
import pytest
from pandera.errors import SchemaErrors

from tradewatch.schemas import check_trade_rows


def rows(**overrides):
    base = {
        "source": ["comtrade"] * 3,
        "reporter_code": [156] * 3,
        "partner_code": [408] * 3,
        "hs_code": ["2701", "2701", "2601"],
        "flow": ["M"] * 3,
        "freq": ["M"] * 3,
        "period": [dt.date(2016, 8, 1), dt.date(2016, 9, 1), dt.date(2016, 9, 1)],
        "net_weight_kg": [2.465e9, 1.798e9, 1.65e8],
        "quantity": [None] * 3,
        "quantity_unit": ["kg"] * 3,
        "value_usd": [1.0, 2.0, 3.0],
    }
    base.update(overrides)
    return pd.DataFrame(base, dtype=object)


def test_good_rows_pass_with_contract_types():
    checked = check_trade_rows(rows())
    assert len(checked.valid) == 3 and checked.quarantine.empty
    assert str(checked.valid["period"].dtype).startswith("datetime64")
    assert checked.valid["reporter_code"].dtype == "int64"


def test_negative_weight_is_quarantined_with_its_reason():
    checked = check_trade_rows(rows(net_weight_kg=[2.465e9, -5, 1.65e8]))
    assert list(checked.valid.index) == [0, 2]
    (case,) = checked.quarantine.to_dict("records")
    assert case["row_index"] == 1 and case["column_name"] == "net_weight_kg"
    assert "non-negative" in case["reason"] and case["failure_case"] == "-5.0"
    assert '"net_weight_kg": -5' in case["original"]


def test_string_where_a_number_belongs_is_quarantined_against_its_row():
    checked = check_trade_rows(rows(value_usd=[1.0, "n/a", 3.0]))
    assert list(checked.valid.index) == [0, 2]
    (case,) = checked.quarantine.to_dict("records")
    assert (case["row_index"], case["check_name"], case["failure_case"]) == (1, "is_number", "n/a")
    assert case["period"] == pd.Timestamp("2016-09-01")


def test_period_must_be_a_month_start_and_key_unique():
    checked = check_trade_rows(
        rows(
            period=[dt.date(2016, 9, 15), dt.date(2016, 9, 1), dt.date(2016, 9, 1)],
            hs_code=["2701", "2601", "2601"],
        )
    )
    assert checked.valid.empty
    reasons = checked.quarantine.groupby("row_index")["check_name"].apply(set).to_dict()
    assert reasons == {
        0: {"month_start"},
        1: {"multiple_fields_uniqueness"},
        2: {"multiple_fields_uniqueness"},
    }


def test_missing_column_is_a_layout_error_not_a_bad_row():
    with pytest.raises(SchemaErrors):
        check_trade_rows(rows().drop(columns=["flow"]))


@pytest.mark.parametrize("code", ["2701\n", "2701\r\n", " 2701", "2701 ", "２７０１"])
def test_a_code_with_a_trailing_newline_or_space_is_quarantined_not_a_series_of_its_own(code):
    """A regex ``$`` matches before a final newline: "2701\\n" passed and became its own
    series through load-file. The code must be the whole string."""
    checked = check_trade_rows(rows(hs_code=["2701", code, "2601"]))
    assert list(checked.valid.index) == [0, 2]
    (case,) = checked.quarantine.to_dict("records")
    assert case["row_index"] == 1 and case["column_name"] == "hs_code"


def test_a_code_longer_than_the_source_publishes_is_quarantined():
    """The schema takes CN8 and HS10 (Comext, HMRC, the Census); UN Comtrade's HS stops at six
    digits, and its parser says so, so a ten-digit code in its answer (found by the property
    test) is a malformed row."""
    from tradewatch.schemas.trade import MAX_CODE_DIGITS

    comtrade = rows(hs_code=["2701", "1000000000", "27011200"])
    comtrade.attrs[MAX_CODE_DIGITS] = 6
    checked = check_trade_rows(comtrade)
    assert list(checked.valid.index) == [0]
    reasons = dict(zip(checked.quarantine["row_index"], checked.quarantine["reason"], strict=True))
    assert reasons == {
        1: "commodity code is longer than the 6 digits its source publishes",
        2: "commodity code is longer than the 6 digits its source publishes",
    }
    census = check_trade_rows(rows(hs_code=["2701", "2701120000", "27"]))
    assert list(census.valid.index) == [0, 1, 2]  # HS10, as the Census publishes
