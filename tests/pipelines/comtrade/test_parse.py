from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import comtrade_body, raw_payload, recorded_records
from tests.samples import shared_sample
from tradewatch.pipelines.comtrade import ComtradeAPIError, LayoutChanged, parse_payload
from tradewatch.schemas import check_trade_rows

FIXTURES = Path(__file__).parent / "fixtures"


def test_real_annual_sample_parses_to_golden_rows():
    raw = raw_payload(shared_sample("comtrade/comtradr_get_C_A_HS_china_2010.json").read_bytes())
    rows = parse_payload(raw)
    # Clean eight-digit refPeriodIds come as dates already; golden rows write them as text.
    rows["period"] = rows["period"].dt.strftime("%Y-%m-%d")
    expected = pd.read_csv(
        FIXTURES / "comtradr_get_C_A_HS_china_2010.expected.csv", dtype=str, keep_default_na=False
    )
    got = rows.astype(object).where(rows.notna(), "").astype(str)
    assert got.reset_index(drop=True).equals(expected)


def test_real_annual_rows_are_rejected_for_a_monthly_series():
    raw = raw_payload(shared_sample("comtrade/comtradr_get_C_A_HS_china_2010.json").read_bytes())
    checked = check_trade_rows(parse_payload(raw))
    assert checked.valid.empty
    assert set(checked.quarantine["column_name"]) == {"freq"}
    assert checked.quarantine["reason"].str.contains("refMonth 52").all()
    assert checked.rejected_rows == 4


def test_real_empty_response_is_an_empty_frame_not_an_error():
    raw = raw_payload(shared_sample("comtrade/comtradr_empty_response.json").read_bytes())
    rows = parse_payload(raw)
    assert rows.empty
    assert list(rows.columns)[:3] == ["source", "reporter_code", "partner_code"]


def test_monthly_record_maps_to_schema_units():
    records = [r for r in recorded_records() if r["period"] == "201609"]
    checked = check_trade_rows(parse_payload(raw_payload(comtrade_body(records))))
    coal = checked.valid.set_index("hs_code").loc["2701"]
    assert coal["period"] == pd.Timestamp("2016-09-01")
    assert coal["net_weight_kg"] == 1_798_000_000
    assert coal["quantity_unit"] == "kg"


def test_null_quantities_stay_null():
    record = dict(next(r for r in recorded_records() if r["period"] == "201609"))
    record.update(qty=None, netWgt=None, qtyUnitCode=-1, qtyUnitAbbr="N/A")
    checked = check_trade_rows(parse_payload(raw_payload(comtrade_body([record]))))
    row = checked.valid.iloc[0]
    assert pd.isna(row["net_weight_kg"]) and pd.isna(row["quantity"])
    assert pd.isna(row["quantity_unit"])


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"<html><body>Service Unavailable</body></html>", "not JSON"),
        (b'{"message": "moved"}', "no 'data' list"),
        (b'{"data": [1, 2]}', "other than records"),
    ],
)
def test_unknown_shapes_are_named_errors_with_the_url(body, reason):
    with pytest.raises(LayoutChanged, match=reason) as caught:
        parse_payload(raw_payload(body))
    assert caught.value.url.startswith("https://comtradeapi.un.org/")


def test_error_in_body_is_raised():
    body = b'{"elapsedTime": "0", "count": 0, "data": [], "error": "Invalid period"}'
    with pytest.raises(ComtradeAPIError, match="Invalid period"):
        parse_payload(raw_payload(body))


def test_the_typed_and_the_as_published_paths_give_the_same_rows():
    from tradewatch.pipelines.comtrade import parse as comtrade_parse

    records = [r for r in recorded_records() if r["period"].startswith("2016")]
    body = comtrade_body(records)
    typed = comtrade_parse._TYPED_DECODER.decode(body).data
    untyped = comtrade_parse._DECODER.decode(body).data
    pd.testing.assert_frame_equal(
        comtrade_parse._frame(typed, typed=True), comtrade_parse._frame(untyped, typed=False)
    )


def test_a_string_where_a_number_belongs_takes_the_as_published_path():
    records = [dict(r) for r in recorded_records() if r["period"] == "201609"]
    records[0]["netWgt"] = "1,798,000"
    rows = parse_payload(raw_payload(comtrade_body(records)))
    assert rows["net_weight_kg"].dtype == object
    assert rows.loc[0, "net_weight_kg"] == "1,798,000"
