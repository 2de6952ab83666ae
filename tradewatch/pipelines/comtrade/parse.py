"""Turn a Comtrade response into trade rows: pure, bytes in, DataFrame out."""

from __future__ import annotations

import json

import pandas as pd

from ...schemas import TRADE_COLUMNS
from ..errors import LayoutChanged
from . import settings
from .fetch import RawPayload


class ComtradeAPIError(RuntimeError):
    """Comtrade answered 200 but said in the body that the query failed."""

    def __init__(self, url: str, message: str) -> None:
        self.url = url
        super().__init__(f"{url}: Comtrade error: {message}")


def parse_payload(raw: RawPayload) -> pd.DataFrame:
    """One row per record, values as published; the index is the record's position in ``data``.

    An empty ``data`` list is a valid answer (nothing published yet) and gives an empty frame.
    """
    try:
        document = json.loads(raw.body)
    except ValueError as exc:
        raise LayoutChanged(raw.url, f"response is not JSON ({exc})") from exc
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise LayoutChanged(raw.url, "response has no 'data' list")
    if document.get("error"):
        raise ComtradeAPIError(raw.url, str(document["error"]))
    records = document["data"]
    if not all(isinstance(r, dict) for r in records):
        raise LayoutChanged(raw.url, "'data' holds something other than records")
    limit = settings.MAX_RECORDS[raw.endpoint]
    if limit is not None and len(records) >= limit:
        raise LayoutChanged(
            raw.url, f"{len(records)} records: the {limit}-record cap may have cut it"
        )
    return _frame(records)


def _frame(records: list[dict]) -> pd.DataFrame:
    """Column by column: one pass per field rather than a dict per record."""

    def field(name: str) -> list:
        return [r.get(name) for r in records]

    units = [
        None if code in settings.NO_QUANTITY_UNIT or unit in (None, "", "N/A") else unit
        for code, unit in zip(field("qtyUnitCode"), field("qtyUnitAbbr"), strict=True)
    ]
    columns = {
        "source": [settings.SOURCE] * len(records),
        "reporter_code": field("reporterCode"),
        "partner_code": field("partnerCode"),
        "hs_code": [None if code is None else str(code) for code in field("cmdCode")],
        "flow": field("flowCode"),
        "freq": field("freqCode"),
        "period": [_period(ref) for ref in field("refPeriodId")],
        "net_weight_kg": field("netWgt"),
        "quantity": field("qty"),
        "quantity_unit": units,
        "value_usd": field("primaryValue"),
    }
    frame = pd.DataFrame(columns, columns=TRADE_COLUMNS, dtype=object)
    frame.index = pd.RangeIndex(len(records))
    return frame


def _period(ref):
    """``refPeriodId`` 20160901 as ``2016-09-01``; anything else is passed on for the schema."""
    text = str(ref)
    if isinstance(ref, int) and len(text) == 8:
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return ref
