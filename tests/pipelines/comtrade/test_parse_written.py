"""Comtrade's decoder on answers written here (the recorded 2016 records, reshaped).

Each named error is checked whole (URL and reason), each column's dtype on both decoding paths,
and the streamed reader against the whole-payload parser on every cut a small batch makes. These
came from mutation testing: the real samples exercise the common path, these every other one.
"""

import io
import json

import numpy as np
import pandas as pd
import pytest

from tests.conftest import comtrade_body, raw_payload, recorded_records
from tradewatch.pipelines.comtrade import ComtradeAPIError, LayoutChanged, parse_payload
from tradewatch.pipelines.comtrade import parse as comtrade
from tradewatch.pipelines.comtrade.parse import commodity_names, iter_payload_frames
from tradewatch.schemas.trade import MAX_CODE_DIGITS

URL = "https://comtradeapi.un.org/public/v1/preview/C/M/HS?period=201609"
TEXT = pd.StringDtype(na_value=np.nan)


def records(n=None) -> list[dict]:
    return [dict(r) for r in recorded_records()[:n]]


def named(kind, reason: str, body: bytes, *, endpoint="preview"):
    raw = raw_payload(body)
    raw = type(raw)(**{**raw.__dict__, "endpoint": endpoint})
    with pytest.raises(kind) as err:
        parse_payload(raw)
    assert type(err.value) is kind and err.value.url == URL
    prefix = "Comtrade error: " if kind is ComtradeAPIError else ""
    assert str(err.value) == f"{URL}: {prefix}{reason}"


def test_every_column_has_its_type_on_the_typed_path():
    frame = parse_payload(raw_payload(comtrade_body(records(3))))
    assert frame.dtypes.to_dict() == {
        "source": TEXT,
        "reporter_code": np.dtype("int64"),
        "partner_code": np.dtype("int64"),
        "hs_code": TEXT,
        "flow": TEXT,
        "freq": TEXT,
        "period": np.dtype("datetime64[ns]"),
        "net_weight_kg": np.dtype("float64"),
        "quantity": np.dtype("float64"),
        "quantity_unit": TEXT,
        "value_usd": np.dtype("float64"),
    }
    assert frame.attrs == {MAX_CODE_DIGITS: 6}
    assert list(frame.index) == [0, 1, 2] and isinstance(frame.index, pd.RangeIndex)


def test_on_the_as_published_path_text_columns_stay_text_and_the_odd_value_as_it_came():
    rows = records(3)
    rows[0].update(reporterCode="156", cmdCode=2701, refPeriodId="20160901", netWgt="x")
    rows[1].update(cmdCode=None, qtyUnitAbbr="", qtyUnitCode=8)
    rows[2].update(qtyUnitCode=-1, qtyUnitAbbr="kg")
    frame = parse_payload(raw_payload(comtrade_body(rows)))
    assert frame.dtypes.to_dict() == {
        "source": TEXT,
        "reporter_code": np.dtype(object),
        "partner_code": np.dtype("int64"),
        "hs_code": TEXT,
        "flow": TEXT,
        "freq": TEXT,
        "period": np.dtype(object),
        "net_weight_kg": np.dtype(object),
        "quantity": np.dtype("float64"),
        "quantity_unit": TEXT,
        "value_usd": np.dtype("float64"),
    }
    assert frame.loc[0, "reporter_code"] == "156" and frame.loc[0, "hs_code"] == "2701"
    assert frame.loc[0, "period"] == "20160901" and frame.loc[0, "net_weight_kg"] == "x"
    assert pd.isna(frame.loc[1, "hs_code"]) and frame.loc[2, "hs_code"] == rows[2]["cmdCode"]
    assert frame["quantity_unit"].isna().tolist() == [False, True, True]
    assert list(frame["source"]) == ["comtrade"] * 3


def test_codes_and_texts_of_every_json_type():
    assert comtrade._texts([2701, "2601", None, 27.0, True]).tolist() == [
        "2701",
        "2601",
        None,
        "27.0",
        "True",
    ]
    assert comtrade._texts(["2701", None]).dtype == object
    mixed = comtrade._codes([156, "156"])
    assert mixed.dtype == object and mixed.tolist() == [156, "156"]
    assert comtrade._codes([156, None], typed=True).tolist() == [156, None]
    assert comtrade._codes([2**70], typed=True).dtype == object
    assert comtrade._codes([2**70]).tolist() == [2**70]
    assert comtrade._codes([156, 408]).dtype == np.int64
    assert comtrade._numbers([1, 2.5, None]).dtype == np.float64
    assert comtrade._numbers([1, True]).dtype == object

    def texts(units):
        return [None if v is None or v is np.nan else v for v in units]

    codes, abbreviations = [8, -1, 8, None, 8, 8], ["kg", "kg", "N/A", "t", None, ""]
    for typed in (False, True):  # as published, and compared in Arrow
        units = comtrade._units(codes, abbreviations, typed)
        assert units.dtype == TEXT and texts(units) == ["kg", None, None, "t", None, None]
    assert texts(comtrade._units(["8", -1], ["kg", "kg"])) == ["kg", None]
    assert comtrade._units([8, 8], ["kg", 5]).tolist() == ["kg", 5]  # not text: as it came


def test_periods_vectorised_and_one_by_one_agree_and_odd_ones_stay_as_sent():
    fast = comtrade._periods([20160901, 20161201], typed=True)
    assert fast.dtype == np.dtype("datetime64[ns]")
    assert list(fast) == [np.datetime64("2016-09-01"), np.datetime64("2016-12-01")]
    odd = comtrade._periods([20160901, 20160230, 2**70, "20160901", None, 30000101, 20161232])
    assert odd.dtype == object
    assert odd.tolist()[:5] == [
        pd.Timestamp("2016-09-01").date(),
        20160230,
        2**70,
        "20160901",
        None,
    ]
    assert odd.tolist()[5:] == [pd.Timestamp("3000-01-01").date(), 20161232]
    assert comtrade._periods([20160929]).dtype == object  # past the 28th: each checked as a date
    assert comtrade._periods([None], typed=True).tolist() == [None]
    assert comtrade._period(True) is True and comtrade._period(2016.09) == 2016.09


def test_every_named_error_has_its_url_and_whole_reason():
    named(LayoutChanged, "response has no 'data' list", b'{"message": "moved"}')
    named(LayoutChanged, "response has no 'data' list", b'{"data": null}')
    named(
        LayoutChanged,
        "response is not JSON (JSON is malformed: invalid character (byte 0))",
        b"<html></html>",
    )
    named(
        LayoutChanged,
        "response is not in Comtrade's shape (Expected `object`, got `array`)",
        b"[1]",
    )
    named(
        LayoutChanged,
        "'data' holds something other than records (Expected `object`, got `int` - at `$.data[0]`)",
        b'{"data": [1]}',
    )
    named(ComtradeAPIError, "Invalid period", b'{"data": [], "error": "Invalid period"}')
    named(ComtradeAPIError, "{'code': 5}", b'{"data": [], "error": {"code": 5}}')


def test_an_answer_at_the_record_cap_may_be_cut_and_is_refused():
    rows = (records(1) * 500)[:499]
    assert len(parse_payload(raw_payload(comtrade_body(rows)))) == 499
    named(
        LayoutChanged,
        "500 records: the 500-record cap may have cut it",
        comtrade_body(rows + records(1)),
    )
    bulk = comtrade_body(rows + records(1))
    raw = raw_payload(bulk)
    assert len(parse_payload(type(raw)(**{**raw.__dict__, "endpoint": "bulk"}))) == 500


def test_an_api_error_keeps_its_url():
    err = ComtradeAPIError(URL, "Invalid period")
    assert (err.url, str(err)) == (URL, f"{URL}: Comtrade error: Invalid period")


def test_commodity_names_as_sent_spaces_collapsed_only_real_codes_and_text():
    body = json.dumps(
        {
            "data": [
                {"cmdCode": "2701", "cmdDesc": "Coal;  briquettes\n and fuels"},
                {"cmdCode": "2701", "cmdDesc": "a second description"},
                {"cmdCode": "27", "cmdDesc": "Mineral fuels"},
                {"cmdCode": "TOTAL", "cmdDesc": "All"},
                {"cmdCode": "270112", "cmdDesc": "x" * 500},
                {"cmdCode": "2702", "cmdDesc": "x" * 501},
                {"cmdCode": "2703", "cmdDesc": "   "},
                {"cmdCode": "27011", "cmdDesc": "five digits"},
                {"cmdCode": "2704\n", "cmdDesc": "newline"},
                {"cmdCode": 2705, "cmdDesc": "a number"},
                {"cmdCode": "2706", "cmdDesc": 5},
            ]
        }
    ).encode()
    assert commodity_names(raw_payload(body)) == {
        "2701": "Coal; briquettes and fuels",
        "27": "Mineral fuels",
        "TOTAL": "All",
        "270112": "x" * 500,
    }
    assert commodity_names(raw_payload(b"<html>")) == {}
    assert commodity_names(raw_payload(b'{"data": 5}')) == {}
    assert commodity_names(raw_payload(b'{"data": null}')) == {}


def streamed(body: bytes, batch_bytes: int) -> pd.DataFrame:
    frames = list(iter_payload_frames(URL, io.BytesIO(body), batch_bytes=batch_bytes))
    return pd.concat(frames) if frames else pd.DataFrame()


@pytest.mark.parametrize("batch_bytes", [16, 64, 333, 1000, 2**20])
def test_streamed_frames_are_the_whole_payloads_rows_on_every_cut(batch_bytes):
    rows = records(12)
    rows[3]["cmdDesc"] = 'text holding "},{" and }, and } ] inside a string'
    rows[5]["netWgt"] = "1,000"  # one batch takes the as-published path
    body = comtrade_body(rows)
    whole = parse_payload(raw_payload(body))
    frames = list(iter_payload_frames(URL, io.BytesIO(body), batch_bytes=batch_bytes))
    starts = [f.index[0] for f in frames]
    assert starts == sorted(starts) and all(len(f) for f in frames)
    got = pd.concat(frames)
    pd.testing.assert_frame_equal(got.astype(object), whole.astype(object))


def test_streamed_answers_in_other_spacing_and_order():
    rows = records(4)
    pretty = json.dumps({"error": "", "data": rows, "count": 4}, indent=2).encode()
    whole = parse_payload(raw_payload(pretty))
    for size in (16, 50, 4096):
        got = streamed(pretty, size)
        pd.testing.assert_frame_equal(got.astype(object), whole.astype(object))
    assert streamed(b'{"count": 0, "data": [ ], "error": ""}', 8).empty
    assert streamed(b'{"count": 0, "data":[]}', 1000).empty


def test_streamed_errors_are_named_with_their_url():
    def fails(kind, reason, body, size=16):
        with pytest.raises(kind) as err:
            streamed(body, size)
        prefix = "Comtrade error: " if kind is ComtradeAPIError else ""
        assert type(err.value) is kind and str(err.value) == f"{URL}: {prefix}{reason}"

    fails(ComtradeAPIError, "Invalid period", b'{"data": [], "error": "Invalid period"}')
    fails(ComtradeAPIError, "late", json.dumps({"data": records(2), "error": "late"}).encode())
    fails(LayoutChanged, "response has no 'data' list", b'{"message": "moved"}')
    fails(LayoutChanged, "response has no 'data' list", b'{"m": "' + b"x" * 100 + b'"}', 4)
    fails(ComtradeAPIError, "stated", b'{"error": "stated"}')
    fails(LayoutChanged, "the 'data' array does not end", comtrade_body(records(2))[:-30])
    fails(
        LayoutChanged,
        "response is not in Comtrade's shape (Input data was truncated)",
        b'{"data": [], "error": ',
    )


def test_the_last_cut_is_after_a_brace_that_closes_a_record():
    assert comtrade._last_cut(b'{"a":1},{"b":2}', exhausted=False) == 7
    assert comtrade._last_cut(b'{"a":1},{"b":2}', exhausted=True) == 15
    assert comtrade._last_cut(b'{"a":1} ]', exhausted=False) == 7
    assert comtrade._last_cut(b'{"a":1},{"b":2}', exhausted=True, before=14) == 7
    assert comtrade._last_cut(b'{"a":{"c":1}', exhausted=False) is None
    assert comtrade._last_cut(b"", exhausted=True) is None
    assert comtrade._decode_batch(b',{"a":1}')[0] is not None
    assert comtrade._decode_batch(b'{"a":') == (None, False)


@pytest.mark.parametrize(
    ("refs", "fast"),
    [
        ([19000101, 22611201], True),
        ([18991201], False),  # before 1900: each checked as a date
        ([22620101], False),  # past what nanosecond timestamps hold
        ([20161301], False),
        ([20160001], False),
        ([20160228], True),
        ([20160229], False),
        ([20160900], False),
    ],
)
def test_only_plausible_dates_take_the_vectorised_road(refs, fast):
    periods = comtrade._periods(refs, typed=True)
    assert (periods.dtype == np.dtype("datetime64[ns]")) is fast
    one_by_one = [comtrade._period(ref) for ref in refs]
    assert [p if isinstance(p, int) else pd.Timestamp(p) for p in periods] == [
        p if isinstance(p, int) else pd.Timestamp(p) for p in one_by_one
    ]


def test_periods_on_any_day_and_past_64_bits_and_as_text():
    assert list(comtrade._periods([20160915, 20161201])) == [
        np.datetime64("2016-09-15"),
        np.datetime64("2016-12-01"),
    ]
    huge = comtrade._periods([20160901, 2**70])
    assert huge.dtype == object and huge.tolist() == [pd.Timestamp("2016-09-01").date(), 2**70]
    assert comtrade._periods(["20160901"]).dtype == object
    assert comtrade._numbers([1, 2]).dtype == np.float64


def test_text_columns_come_as_pandas_text_with_or_without_arrow(monkeypatch):
    for values in (["M", None], [None, None], [], ["X"]):
        got = comtrade._strings(values)
        assert got.dtype == TEXT and [None if v is np.nan else v for v in got] == [
            None if v is None else v for v in values
        ]
    assert comtrade._strings([1, "M"]).tolist() == [1, "M"]  # not text: left as it came
    repeated = comtrade._repeated("comtrade", 3)
    assert repeated.dtype == TEXT and list(repeated) == ["comtrade"] * 3
    monkeypatch.setitem(__import__("sys").modules, "pyarrow", None)  # an install without it
    without = comtrade._strings(["M", None])
    assert without.dtype == object and without[0] == "M" and pd.isna(without[1])
    assert pd.Series(without).astype(TEXT).tolist()[0] == "M"
    repeated = comtrade._repeated("comtrade", 3)
    assert list(repeated) == ["comtrade"] * 3 and pd.Series(repeated).dtype == TEXT


def test_codes_sent_as_numbers_become_text():
    assert comtrade._texts([2701, 2601]).tolist() == ["2701", "2601"]


class CountingReader(io.BytesIO):
    """A reader that remembers the size of every read asked of it."""

    def __init__(self, body: bytes) -> None:
        super().__init__(body)
        self.sizes: list = []

    def read(self, size=-1):
        self.sizes.append(size)
        return super().read(size)


def test_the_stream_reads_a_batch_at_a_time_never_the_rest_at_once():
    reader = CountingReader(comtrade_body(records(6)))
    assert sum(len(f) for f in iter_payload_frames(URL, reader, batch_bytes=256)) == 6
    assert reader.sizes[:-1] == [256] * (len(reader.sizes) - 1)  # the tail after "]" is read whole
    assert len(reader.sizes) > 10


def test_every_whole_record_of_a_cut_array_is_read_before_it_is_named():
    body = comtrade_body(records(3))
    cut = body.rindex(b"}", 0, body.rindex(b"]")) + 1  # just after the third record
    got: list[int] = []
    with pytest.raises(LayoutChanged, match="the 'data' array does not end"):
        for frame in iter_payload_frames(URL, io.BytesIO(body[:cut]), batch_bytes=64):
            got.extend(frame.index)
    assert got == [0, 1, 2]


def test_a_head_longer_than_four_batches_without_data_is_refused():
    head = b'{"note": "' + b"n" * 66 + b'", "data": ['  # ends at byte 88: past 5 reads of 16
    with pytest.raises(LayoutChanged, match="response has no 'data' list"):
        list(iter_payload_frames(URL, io.BytesIO(head + b"]}"), batch_bytes=16))
    assert list(iter_payload_frames(URL, io.BytesIO(head + b"]}"), batch_bytes=32)) == []
