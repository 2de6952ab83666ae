"""Corrupt Comtrade records at the door: each is quarantined with its reason, or the rest load —
nothing is converted silently. The records go through the real decoder (``parse_payload``)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import raw_payload
from tradewatch.pipelines.comtrade import parse_payload
from tradewatch.schemas import check_trade_rows

GOOD = {
    "reporterCode": 156, "partnerCode": 408, "cmdCode": "2701", "flowCode": "M",
    "freqCode": "M", "refPeriodId": 20160901, "netWgt": 1798000000, "qty": None,
    "qtyUnitCode": 8, "qtyUnitAbbr": "kg", "primaryValue": 1.0,
}  # fmt: skip


def checked(**bad):
    record = {**GOOD, "cmdCode": "2601", **bad}
    body = json.dumps({"count": 2, "data": [GOOD, record], "error": ""}).encode()
    return check_trade_rows(parse_payload(raw_payload(body)))


@pytest.mark.parametrize(
    ("bad", "column", "reason"),
    [
        ({"cmdCode": "２７０１"}, "hs_code", "2, 4 or 6 ASCII digits"),  # full-width digits
        ({"cmdCode": "٢٧٠١"}, "hs_code", "2, 4 or 6 ASCII digits"),  # Arabic-Indic digits
        ({"reporterCode": 156.7}, "reporter_code", "must be a whole number"),
        ({"reporterCode": 2**64}, "reporter_code", "from 0 to 999"),
        ({"netWgt": True}, "net_weight_kg", "is not a number (true or false)"),
        ({"netWgt": "1e6"}, "net_weight_kg", "is not a number"),
        ({"refPeriodId": 18000101}, "period", "from 1962"),
        ({"refPeriodId": -1}, "period", "not a date"),
        ({"refPeriodId": "2016-09-01"}, "period", "not a date"),  # text, not the integer
    ],
)
def test_a_corrupt_value_is_quarantined_with_its_reason_and_the_good_row_loads(bad, column, reason):
    result = checked(**bad)
    assert list(result.valid["hs_code"]) == ["2701"]
    (row,) = result.quarantine.itertuples()
    assert row.column_name == column and reason in row.reason


def test_a_batch_numbered_from_its_place_in_the_payload_keeps_its_values_read_one_by_one():
    """A streamed batch's rows are numbered from the record's place in ``data``; a number
    column read value by value (one value is text) keeps each value on its own row."""
    frame = parse_payload(raw_payload(json.dumps({"data": [GOOD, {**GOOD, "cmdCode": "2601",
        "netWgt": "1,000"}, {**GOOD, "cmdCode": "2602", "netWgt": 5.5}]}).encode()))  # fmt: skip
    frame.index = frame.index + 1000
    result = check_trade_rows(frame)
    assert result.valid["net_weight_kg"].to_dict() == {1000: 1798000000.0, 1002: 5.5}
    assert result.quarantine["row_index"].tolist() == [1001]
