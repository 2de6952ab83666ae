"""Turn a Comtrade response into trade rows: pure, bytes in, DataFrame out."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from operator import attrgetter
from typing import Any, BinaryIO, Literal

import msgspec
import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from ...schemas import TRADE_COLUMNS
from ...schemas.trade import MAX_CODE_DIGITS
from ..errors import LayoutChanged
from . import settings
from .fetch import RawPayload


class ComtradeAPIError(RuntimeError):
    """Comtrade answered 200 but said in the body that the query failed."""

    def __init__(self, url: str, message: str) -> None:
        self.url = url
        super().__init__(f"{url}: Comtrade error: {message}")


class _Record(msgspec.Struct, gc=False):
    """The fields of a Comtrade record tradewatch reads, each as published (any JSON value).

    Decoding straight into these skips the other ~40 fields of every record without building
    them, which is most of the time and memory ``json.loads`` spends. They are declared in the
    order Comtrade sends them, so that msgspec finds each key where it looks first.
    """

    freqCode: Any = None
    refPeriodId: Any = None
    reporterCode: Any = None
    flowCode: Any = None
    partnerCode: Any = None
    cmdCode: Any = None
    qtyUnitCode: Any = None
    qtyUnitAbbr: Any = None
    qty: Any = None
    netWgt: Any = None
    primaryValue: Any = None


class _Document(msgspec.Struct, gc=False):
    data: list[_Record] | None | msgspec.UnsetType = msgspec.UNSET
    error: Any = None


class _TypedRecord(msgspec.Struct, gc=False):
    """The same fields typed as Comtrade publishes them: when a whole payload decodes into
    these, no column needs its types inferred again. Any other value sends the payload down
    the as-published path instead, so nothing is coerced silently. ``freqCode`` is one of
    Comtrade's two codes (a code decoded as one of these texts, not a new text a record)."""

    freqCode: Literal["A", "M"] | None = None
    refPeriodId: int | None = None
    reporterCode: int | None = None
    flowCode: str | None = None
    partnerCode: int | None = None
    cmdCode: str | None = None
    qtyUnitCode: int | None = None
    qtyUnitAbbr: str | None = None
    qty: float | None = None
    netWgt: float | None = None
    primaryValue: float | None = None


class _TypedDocument(msgspec.Struct, gc=False):
    data: list[_TypedRecord]
    error: Any = None


_DECODER = msgspec.json.Decoder(_Document)
_TYPED_DECODER = msgspec.json.Decoder(_TypedDocument)


def parse_payload(raw: RawPayload) -> pd.DataFrame:
    """One row per record, values as published; the index is the record's position in ``data``.

    An empty ``data`` list is a valid answer (nothing published yet) and gives an empty frame.
    Columns whose every value is a number (or null) come typed; a column holding anything else
    stays as published, for the schema to quarantine the rows that are wrong.
    """
    try:
        document, typed = _TYPED_DECODER.decode(raw.body), True
    except msgspec.DecodeError:
        document, typed = None, False
    try:
        if document is None:
            document = _DECODER.decode(raw.body)
    except msgspec.ValidationError as exc:  # JSON, but not shaped as Comtrade answers
        if "$.data[" in str(exc):
            raise LayoutChanged(
                raw.url, f"'data' holds something other than records ({exc})"
            ) from exc
        raise LayoutChanged(raw.url, f"response is not in Comtrade's shape ({exc})") from exc
    except msgspec.DecodeError as exc:
        raise LayoutChanged(raw.url, f"response is not JSON ({exc})") from exc
    if document.error:
        raise ComtradeAPIError(raw.url, str(document.error))
    if not isinstance(document.data, list):
        raise LayoutChanged(raw.url, "response has no 'data' list")
    records = document.data
    limit = settings.MAX_RECORDS[raw.endpoint]
    if limit is not None and len(records) >= limit:
        raise LayoutChanged(
            raw.url, f"{len(records)} records: the {limit}-record cap may have cut it"
        )
    return _frame(records, typed)


def _frame(records: list, typed: bool = False) -> pd.DataFrame:
    """Column by column: one pass per field, numbers typed when every value is one.

    ``typed``: the records were decoded with their types checked (``_TypedRecord``).
    """
    size = len(records)

    def field(name: str) -> list:
        return list(map(attrgetter(name), records))

    units = _units(field("qtyUnitCode"), field("qtyUnitAbbr"), typed)
    columns = {
        "source": _repeated(settings.SOURCE, size),
        "reporter_code": _codes(field("reporterCode"), typed),
        "partner_code": _codes(field("partnerCode"), typed),
        "hs_code": _strings(field("cmdCode") if typed else _texts(field("cmdCode")), typed),
        "flow": _strings(field("flowCode"), typed),
        "freq": _strings(field("freqCode"), typed),
        "period": _periods(field("refPeriodId"), typed),
        "net_weight_kg": _numbers(field("netWgt"), typed),
        "quantity": _numbers(field("qty"), typed),
        "quantity_unit": units,
        "value_usd": _numbers(field("primaryValue"), typed),
    }
    frame = pd.DataFrame(columns, columns=TRADE_COLUMNS)
    frame.index = pd.RangeIndex(size)
    # Comtrade's HS stops at six digits: a longer cmdCode is a malformed row, not a series
    frame.attrs[MAX_CODE_DIGITS] = 6
    return frame


_NUMERIC_KINDS = {"integer", "floating", "mixed-integer-float", "empty"}


def _numbers(values: list, typed: bool = False) -> np.ndarray:
    """float64 when every value is a JSON number or null; otherwise the values as published."""
    if typed or infer_dtype(values, skipna=True) in _NUMERIC_KINDS:
        return np.array(values, dtype=np.float64)
    return np.array(values, dtype=object)


def _strings(values, typed: bool = False) -> pd.Series | np.ndarray:
    """Text columns as pandas' string dtype, built through Arrow when it is installed (a third
    of the time pandas takes to infer them); anything not text is left as it came."""
    if not typed and infer_dtype(values, skipna=True) not in ("string", "empty"):
        return np.asarray(values, dtype=object)
    try:
        import pyarrow
    except ImportError:
        return pd.Series(values, dtype="str").to_numpy()
    return pyarrow.array(values, type=pyarrow.string(), from_pandas=True).to_pandas().array


def _repeated(text: str, size: int) -> pd.Series | np.ndarray:
    """One text ``size`` times as pandas text: through Arrow when it is installed, one copy of
    the text, not a Python object a row for pandas to infer the type of."""
    try:
        import pyarrow
    except ImportError:
        return pd.Series([text], dtype="str").repeat(size).to_numpy()
    return pyarrow.repeat(text, size).to_pandas().array


def _codes(values: list, typed: bool = False) -> np.ndarray:
    """int64 when every value is a whole JSON number; otherwise the values as published."""
    if typed:
        try:
            return np.array(values, dtype=np.int64)
        except (TypeError, OverflowError):  # a null among them, or a code past 64 bits
            return np.array(values, dtype=object)
    if infer_dtype(values, skipna=False) == "integer":
        try:
            return np.array(values, dtype=np.int64)
        except OverflowError:  # a code past 64 bits: kept as published, for the schema to refuse
            pass
    return np.array(values, dtype=object)


def _texts(values: list) -> np.ndarray:
    """Codes as text ("2701"), whatever JSON type they came as; null stays null."""
    out = np.array(values, dtype=object)
    if infer_dtype(values, skipna=True) not in ("string", "empty"):
        for i, value in enumerate(values):
            if value is not None and value.__class__ is not str:
                out[i] = str(value)
    return out


def _units(codes: list, units: list, typed: bool = False) -> pd.Series | np.ndarray:
    """The quantity unit, or null where Comtrade says there is none (code -1, "", "N/A"), as
    pandas text; anything not text is left as it came, for the schema to judge."""
    numbers = _codes(codes, typed)
    if numbers.dtype == np.int64:
        coded = np.isin(numbers, list(settings.NO_QUANTITY_UNIT))
    else:
        coded = pd.Series(numbers).isin(list(settings.NO_QUANTITY_UNIT)).to_numpy()
    if typed:  # every unit text or null: compared in Arrow, not object by object
        try:
            import pyarrow
            import pyarrow.compute as pc
        except ImportError:
            pass
        else:
            text = pyarrow.array(units, type=pyarrow.string())
            blank = pc.or_(pc.is_in(text, value_set=pyarrow.array(["", "N/A"])), coded)
            unit = pc.if_else(blank, pyarrow.scalar(None, pyarrow.string()), text)
            return unit.to_pandas().array
    out = np.array(units, dtype=object)
    blank = (out == None) | (out == "") | (out == "N/A") | coded  # noqa: E711 - elementwise
    out[blank] = None
    return _strings(out, typed)


def _periods(refs: list, typed: bool = False) -> np.ndarray:
    """``refPeriodId`` 20160901 as the month's first day, vectorised when every one is an
    eight-digit date; otherwise each as text or as it came, for the schema to judge."""
    if (typed and None not in refs) or infer_dtype(refs, skipna=False) == "integer":
        try:
            numbers = np.array(refs, dtype=np.int64)
        except OverflowError:  # past 64 bits: each as published, for the schema to refuse
            return np.array([_period(ref) for ref in refs], dtype=object)
        years, months, days = numbers // 10000, numbers // 100 % 100, numbers % 100
        # years nanosecond timestamps can hold (numpy's cast past 2262 wraps around silently)
        plausible = (years >= 1900) & (years <= 2261) & (months >= 1) & (months <= 12)
        if (plausible & (days >= 1) & (days <= 28)).all():
            first = ((years - 1970) * 12 + (months - 1)).astype("datetime64[M]")
            return (first + (days - 1).astype("timedelta64[D]")).astype("datetime64[ns]")
    return np.array([_period(ref) for ref in refs], dtype=object)


def _period(ref):
    """``refPeriodId`` 20160901 as the date 2016-09-01. Anything else (text, a float, a
    non-date such as 20160230) is passed on as published, for the schema to quarantine:
    ``refPeriodId`` is an integer, and "2016-09-01" as text is not one."""
    if isinstance(ref, int) and not isinstance(ref, bool) and 10_000_000 <= ref <= 99_999_999:
        try:
            return dt.date(ref // 10000, ref // 100 % 100, ref % 100)
        except ValueError:
            return ref
    return ref


class _Described(msgspec.Struct, gc=False):
    cmdCode: Any = None
    cmdDesc: Any = None


class _Descriptions(msgspec.Struct, gc=False):
    data: list[_Described] | None = None


_HS_CODE = re.compile(r"^([0-9]{2}|[0-9]{4}|[0-9]{6}|TOTAL)\Z")


def commodity_names(raw: RawPayload) -> dict[str, str]:
    """The commodity descriptions an answer carries (``includeDesc=true``), as sent:
    ``{"2701": "Coal; briquettes, ovoids and similar solid fuels manufactured from coal"}``.

    Only codes that are HS codes and texts that are text (at most 500 characters) are kept; an
    answer that is not Comtrade's shape has none (``parse_payload`` says what is wrong with it).
    """
    try:
        document = msgspec.json.decode(raw.body, type=_Descriptions)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return {}
    names: dict[str, str] = {}
    for record in document.data or []:
        code, text = record.cmdCode, record.cmdDesc
        if isinstance(code, str) and _HS_CODE.match(code) and isinstance(text, str):
            text = " ".join(text.split())
            if text and len(text) <= 500:
                names.setdefault(code, text)
    return names


# --- streaming: a payload read in pieces, for payloads larger than memory ------------------

_DATA_START = re.compile(rb'"data"\s*:\s*\[')
_TYPED_BATCH = msgspec.json.Decoder(list[_TypedRecord])
_BATCH = msgspec.json.Decoder(list[_Record])


def iter_payload_frames(
    url: str, reader: BinaryIO, *, batch_bytes: int = 64 * 2**20
) -> Iterator[pd.DataFrame]:
    """The rows of a Comtrade payload read from ``reader`` a batch at a time.

    Memory stays about ``batch_bytes`` whatever the payload's size. Each frame's index is the
    records' position in ``data``, as ``parse_payload`` gives it. A batch is cut after a
    record's closing brace; a cut that falls inside a string fails to decode and is moved to the
    next brace, so text holding "},{" is read correctly. The document around ``data`` (its
    ``error``, for one) is read once the array has been.
    """
    head, buffer = _read_head(url, reader, batch_bytes)
    if buffer.startswith(b"]"):  # "data": [] — nothing published
        _check_document(url, head + buffer + reader.read())
        return
    offset = 0
    exhausted, starved = False, False
    while True:
        if not exhausted and (starved or len(buffer) < batch_bytes):
            more = reader.read(batch_bytes)
            exhausted = not more
            buffer += more
        cut = _last_cut(buffer, exhausted)
        while cut is not None:
            records, typed = _decode_batch(buffer[:cut])
            if records is not None:
                break
            cut = _last_cut(buffer, exhausted, before=cut - 1)
        starved = cut is None  # no whole record yet: read on, whatever the buffer's size
        if starved:
            if exhausted:
                break
            continue
        if records:
            frame = _frame(records, typed)
            frame.index = pd.RangeIndex(offset, offset + len(records))
            offset += len(records)
            yield frame
        buffer = buffer[cut:].lstrip(b" \t\r\n,")
        if buffer.startswith(b"]"):
            tail = buffer[1:] + reader.read()
            _check_document(url, head + b"]" + tail)
            return
    raise LayoutChanged(url, "the 'data' array does not end")


def _read_head(url: str, reader: BinaryIO, size: int) -> tuple[bytes, bytes]:
    """The document up to and including ``"data":[``, and what was read after it."""
    buffer = b""
    while True:
        more = reader.read(size)
        buffer += more
        found = _DATA_START.search(buffer)
        if found:
            return buffer[: found.end()], buffer[found.end() :].lstrip()
        if not more or len(buffer) > size * 4:
            if not more:
                _check_document(url, buffer)  # an error the answer states, verbatim
            raise LayoutChanged(url, "response has no 'data' list")


def _last_cut(buffer: bytes, exhausted: bool, before: int | None = None) -> int | None:
    """Just past the last ``}`` that may close a record, at or before ``before``."""
    end = len(buffer) if before is None else before
    position = buffer.rfind(b"}", 0, end)
    while position != -1:
        rest = buffer[position + 1 : position + 64].lstrip()
        if rest.startswith((b",", b"]")) or (not rest and exhausted):
            return position + 1
        position = buffer.rfind(b"}", 0, position)
    return None


def _decode_batch(piece: bytes) -> tuple[list | None, bool]:
    """Records of a piece of the array, typed when they all are; None when the cut is wrong."""
    text = b"[" + piece.strip().lstrip(b",") + b"]"
    try:
        return _TYPED_BATCH.decode(text), True
    except msgspec.ValidationError:
        pass
    except msgspec.DecodeError:
        return None, False
    try:
        return _BATCH.decode(text), False
    except msgspec.DecodeError:
        return None, False


def _check_document(url: str, document: bytes) -> None:
    """The document with its data taken out: is it Comtrade's, and does it report an error?"""
    try:
        shell = _DECODER.decode(document)
    except msgspec.DecodeError as exc:
        raise LayoutChanged(url, f"response is not in Comtrade's shape ({exc})") from exc
    if shell.error:
        raise ComtradeAPIError(url, str(shell.error))
