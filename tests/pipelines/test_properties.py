"""Property-based tests: whatever a source sends, a value loads exactly or is refused by name.

Comtrade's record decoder (``parse_payload`` then ``check_trade_rows``): each generated record
starts valid (its own month, so keys never collide) and has its fields replaced, at random, by
values seen or feared in the wild. An oracle written apart from the code says whether each field
is acceptable; every record must then either load with exactly the published values, or be in
quarantine with a reason. GACC's number and grid readers: every cell text either reads as the
number it shows, is blank, or is a ``LayoutChanged`` naming the page — never another exception,
never a different number.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from decimal import Decimal

import pandas as pd
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import comtrade_body, raw_payload
from tradewatch.pipelines.comtrade.parse import parse_payload
from tradewatch.pipelines.errors import LayoutChanged
from tradewatch.pipelines.gacc import parse as gacc
from tradewatch.schemas import check_trade_rows

BOUNDED = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
URL = "http://english.customs.gov.cn/Statics/x.html"

# -- Comtrade -----------------------------------------------------------------------------------

_ODD_TEXT = st.sampled_from(
    ["", " ", "2701 ", "\uff12\uff17\uff10\uff11", "\u0662\u0667\u0660\u0661", "27O1", "1e6", "NaN"]
)
_ANY_SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    _ODD_TEXT,
    st.text(max_size=6),
)
_FIELDS = {
    "reporterCode": st.one_of(st.integers(0, 999), _ANY_SCALAR, st.sampled_from([156.0, 156.7])),
    "partnerCode": st.one_of(st.integers(0, 999), _ANY_SCALAR, st.just(2**64)),
    "cmdCode": st.one_of(st.sampled_from(["27", "2701", "270111", "TOTAL"]), _ANY_SCALAR),
    "flowCode": st.one_of(st.sampled_from(["M", "X", "RM", "RX", "m"]), _ANY_SCALAR),
    "freqCode": st.one_of(st.just("M"), st.sampled_from(["A", "Q"]), _ANY_SCALAR),
    "refPeriodId": st.one_of(
        st.sampled_from([20160915, 20160230, 18000101, 19611201, 30000101, -1, 2016090]),
        st.sampled_from(["2016-09-01", "20160901", 20160901.0]),
        _ANY_SCALAR,
    ),
    "netWgt": st.one_of(st.floats(0, 1e12), _ANY_SCALAR),
    "qty": st.one_of(st.floats(0, 1e12), _ANY_SCALAR),
    "primaryValue": st.one_of(st.floats(0, 1e12), _ANY_SCALAR),
}


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(float(value))


def _acceptable(field: str, value) -> bool:
    """The oracle: what each field may hold to load (written from the source's contract)."""
    if field in ("reporterCode", "partnerCode"):
        return _is_int(value) and 0 <= value <= 999
    if field == "cmdCode":
        text = str(value) if _is_int(value) and value >= 0 else value
        return isinstance(text, str) and re.fullmatch(r"[0-9]{2}|[0-9]{4}|[0-9]{6}|TOTAL", text)
    if field == "flowCode":
        return value in ("M", "X", "RM", "RX") and isinstance(value, str)
    if field == "freqCode":
        return value == "M" and isinstance(value, str)
    if field == "refPeriodId":
        if not _is_int(value) or not 10_000_000 <= value <= 99_999_999:
            return False
        year, month, day = value // 10000, value // 100 % 100, value % 100
        last = pd.Timestamp(dt.date.today().replace(day=1)) + pd.DateOffset(years=1)
        return (
            day == 1 and 1 <= month <= 12 and 1962 <= year and pd.Timestamp(year, month, 1) <= last
        )
    # the three measures: a finite number, not negative, or null
    return value is None or (_is_number(value) and value >= 0)


@st.composite
def _records(draw) -> list[dict]:
    records = []
    for i in range(draw(st.integers(1, 6))):
        year, month = 1990 + i // 12, i % 12 + 1
        record = {
            "reporterCode": 156,
            "partnerCode": 408,
            "cmdCode": "2701",
            "flowCode": "M",
            "freqCode": "M",
            "refPeriodId": year * 10000 + month * 100 + 1,
            "netWgt": 1000.0 * (i + 1),
            "qty": None,
            "qtyUnitCode": 8,
            "qtyUnitAbbr": "kg",
            "primaryValue": 10.0 * (i + 1),
        }
        for field in draw(st.sets(st.sampled_from(sorted(_FIELDS)), max_size=3)):
            record[field] = draw(_FIELDS[field])
        records.append(record)
    return records


def _key(record: dict) -> tuple:
    code = record["cmdCode"]
    return (
        record["reporterCode"],
        record["partnerCode"],
        str(code) if _is_int(code) else code,
        record["flowCode"],
        record["refPeriodId"],
    )


@BOUNDED
@given(_records())
def test_comtrade_records_load_exactly_or_are_quarantined_with_a_reason(records):
    checked = check_trade_rows(parse_payload(raw_payload(comtrade_body(records))))
    quarantined = checked.quarantine.groupby("row_index")["reason"].apply(list).to_dict()
    valid = checked.valid
    good = [all(_acceptable(f, r[f]) for f in _FIELDS) for r in records]
    keys = [_key(r) for r, ok in zip(records, good, strict=True) if ok]
    for index, (record, ok) in enumerate(zip(records, good, strict=True)):
        if ok and keys.count(_key(record)) > 1:
            ok = False  # two acceptable rows for one month: both are held back
        if not ok:
            assert index in quarantined, f"record {index} loaded though {record} is not valid"
            assert all(reason.strip() for reason in quarantined[index])
            continue
        assert index not in quarantined, f"valid record {index} quarantined: {quarantined[index]}"
        row = valid.loc[index]
        assert row["reporter_code"] == record["reporterCode"]
        assert row["partner_code"] == record["partnerCode"]
        assert row["hs_code"] == str(record["cmdCode"])
        assert (row["flow"], row["freq"]) == (record["flowCode"], "M")
        assert row["period"] == pd.Timestamp(str(record["refPeriodId"]))
        for column, field in (("net_weight_kg", "netWgt"), ("value_usd", "primaryValue")):
            published = record[field]
            if published is None:
                assert pd.isna(row[column])
            else:
                assert row[column] == float(published)  # the number as published, unrounded
    assert len(valid) + len(quarantined) == len(records)


@BOUNDED
@given(st.lists(st.dictionaries(st.sampled_from(sorted(_FIELDS)), _ANY_SCALAR), max_size=4))
def test_comtrade_records_of_any_shape_never_crash_the_checks(records):
    """Records missing fields, or holding anything: quarantined by reason, never a crash."""
    checked = check_trade_rows(parse_payload(raw_payload(json.dumps({"data": records}).encode())))
    assert set(checked.valid.index) | set(checked.quarantine["row_index"]) == set(
        range(len(records))
    )
    assert checked.quarantine["reason"].str.strip().ne("").all()


# -- GACC numbers and grids --------------------------------------------------------------------

_PUBLISHED = re.compile(r"-?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?")


def _grouped(number: int) -> str:
    return f"{number:,}"


_CELL_TEXT = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.integers(0, 10**12).map(_grouped),
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
    st.sampled_from(sorted(gacc.settings.BLANK)),
    st.sampled_from(
        [
            "NaN",
            "Infinity",
            "-inf",
            "1e6",
            "1_000",
            "1,00",
            "12,3456",
            "\uff11\uff12",
            "\u0661",
            "1.2.3",
            "--5",
            "5-",
            " 18,749.4 ",
            "18,749.4\xa0",
            "+5",
            ".5",
            "5.",
        ]
    ),
    st.text(max_size=8),
)


@BOUNDED
@given(_CELL_TEXT)
def test_gacc_numbers_read_exactly_or_are_refused_by_name(text):
    try:
        number = gacc._number(URL, text, "row 'Coal' column 3")
    except LayoutChanged as refused:
        assert URL in str(refused) and "is not a number" in str(refused)
        cleaned = text.replace("\xa0", "").strip()
        assert cleaned not in gacc.settings.BLANK and not _PUBLISHED.fullmatch(cleaned)
        return
    cleaned = text.replace("\xa0", "").strip()
    if number is None:
        assert cleaned in gacc.settings.BLANK
    else:
        assert _PUBLISHED.fullmatch(cleaned), f"{text!r} read as {number}"
        assert number == Decimal(cleaned.replace(",", ""))
        assert number.is_finite()


_SPAN = st.one_of(
    st.none(),
    st.integers(1, 4).map(str),
    st.sampled_from(["0", "-1", "abc", "", " 2 ", "1.5", "\uff12", "99999999", "51"]),
)


@st.composite
def _table(draw) -> str:
    rows = []
    for r in range(draw(st.integers(1, 5))):
        cells = []
        for c in range(draw(st.integers(0, 5))):
            attrs = ""
            for name in ("colspan", "rowspan"):
                span = draw(_SPAN)
                if span is not None:
                    attrs += f' {name}="{span}"'
            cells.append(f"<td{attrs}>r{r}c{c}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "<table>" + "".join(rows) + "</table>"


@BOUNDED
@given(_table())
def test_gacc_grids_are_rectangles_or_a_named_layout_change(html):
    rows = BeautifulSoup(html, "html.parser").find_all("tr")
    try:
        grid = gacc._grid(URL, rows)
    except LayoutChanged as refused:
        assert URL in str(refused) and "span" in str(refused)
        return
    assert len({len(line) for line in grid}) <= 1  # a rectangle
    written = {cell.get_text() for cell in BeautifulSoup(html, "html.parser").find_all("td")}
    assert {cell for line in grid for cell in line} <= written | {""}
    for r, row in enumerate(rows):  # every cell a row states is in that row of the grid
        for cell in row.find_all("td"):
            assert cell.get_text() in grid[r]
