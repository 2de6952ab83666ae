"""The ECB data API's ``csvdata`` answer, read and checked: pure, bytes in, rates out.

The header names the series key's dimensions (``FREQ, CURRENCY, CURRENCY_DENOM, EXR_TYPE,
EXR_SUFFIX``), ``TIME_PERIOD`` (``YYYY-MM`` monthly) and ``OBS_VALUE`` among some thirty
attributes; a quoted field may hold commas (``TITLE_COMPL``). A rate is units of the currency
per euro, the monthly average (``EXR_SUFFIX`` A) of the daily reference rates, unrounded.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from ...pipelines.errors import LayoutChanged
from ...schemas import TRADE_COLUMNS, ValidationResult, check_trade_rows
from ...schemas.trade import QUARANTINE_COLUMNS

if TYPE_CHECKING:
    from .parts import EcbAnswer

SOURCE = "ecb"
CURRENCIES = ("USD", "CNY", "GBP", "KRW", "JPY")
NEEDED = ("FREQ", "CURRENCY", "CURRENCY_DENOM", "EXR_TYPE", "EXR_SUFFIX", "TIME_PERIOD",
          "OBS_VALUE")  # fmt: skip
# what a monthly average reference rate against the euro is, column by column
EXPECTED = {"FREQ": "M", "CURRENCY_DENOM": "EUR", "EXR_TYPE": "SP00", "EXR_SUFFIX": "A"}


@dataclass
class Checked:
    """The month's rates (currency → per euro) and every row that is not one, quarantined."""

    rates: dict[str, float]
    trade: ValidationResult  # no trade rows: the quarantine, and the ledger's empty frame


def read_rows(url: str, body: bytes) -> list[dict[str, str]]:
    """The CSV's rows by column name; a body that is not the API's CSV is a named error."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LayoutChanged(url, f"the answer is not UTF-8 text ({exc})") from exc
    if text.lstrip()[:1] in ("<", "{"):
        raise LayoutChanged(url, "the answer is not the data API's CSV (an HTML or JSON body)")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in NEEDED if c not in (reader.fieldnames or [])]
    if missing:
        raise LayoutChanged(url, f"the CSV has no {', '.join(missing)} column")
    rows = list(reader)
    ragged = [n for n, row in enumerate(rows, start=2) if None in row or None in row.values()]
    if ragged:
        raise LayoutChanged(url, f"line {ragged[0]} does not have the header's columns")
    return rows


def check(answer: EcbAnswer) -> Checked:
    month = answer.request.month
    empty = check_trade_rows(pd.DataFrame(columns=TRADE_COLUMNS))
    if answer.status == 404 or not answer.body.strip():
        return Checked({}, empty)
    stamp = f"{month.year}-{month.month:02d}"
    rates, quarantine = {}, []
    for line, row in enumerate(read_rows(answer.url, answer.body), start=2):
        problem = _problem(row, stamp)
        if problem is None and row["CURRENCY"] in rates:
            problem = ("CURRENCY", "duplicate", row["CURRENCY"],
                       f"a second {row['CURRENCY']} rate for {stamp}")  # fmt: skip
        if problem is not None:
            column, name, value, reason = problem
            quarantine.append({
                "row_index": line, "column_name": column, "check_name": name,
                "failure_case": str(value), "reason": reason,
                "period": pd.Timestamp(month.first_day), "original": json.dumps(row),
            })  # fmt: skip
            continue
        rates[row["CURRENCY"]] = float(row["OBS_VALUE"])
    empty.quarantine = pd.DataFrame(quarantine, columns=QUARANTINE_COLUMNS)
    return Checked(rates, empty)


def _problem(row: dict[str, str], stamp: str) -> tuple[str, str, str, str] | None:
    for column, wanted in EXPECTED.items():
        if row[column] != wanted:
            return (column, "series", row[column],
                    f"{column} {row[column]!r}: not a monthly average rate per euro "
                    f"({column} {wanted})")  # fmt: skip
    if row["TIME_PERIOD"] != stamp:
        return ("TIME_PERIOD", "month", row["TIME_PERIOD"],
                f"TIME_PERIOD {row['TIME_PERIOD']!r} in the answer for {stamp}")  # fmt: skip
    currency = row["CURRENCY"]
    if not re.fullmatch(r"[A-Z]{3}", currency):
        return "CURRENCY", "currency", currency, f"CURRENCY {currency!r} is no ISO 4217 code"
    try:
        value = float(row["OBS_VALUE"])
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        return ("OBS_VALUE", "rate", row["OBS_VALUE"],
                f"OBS_VALUE must be a positive number, got {row['OBS_VALUE']!r}")  # fmt: skip
    return None
