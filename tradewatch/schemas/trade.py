"""Monthly trade rows: the pandera contract every source's parser must meet before loading."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors
from pandera.typing import Series

TRADE_KEY = ["source", "reporter_code", "partner_code", "hs_code", "flow", "period"]
# The columns every source's parser hands to check_trade_rows, in order.
TRADE_COLUMNS = [
    "source",
    "reporter_code",
    "partner_code",
    "hs_code",
    "flow",
    "freq",
    "period",
    "net_weight_kg",
    "quantity",
    "quantity_unit",
    "value_usd",
]
NUMERIC_COLUMNS = ["reporter_code", "partner_code", "net_weight_kg", "quantity", "value_usd"]
CODE_COLUMNS = ("reporter_code", "partner_code")
# The months a customs figure can be for: UN Comtrade's monthly data start in 1962; nothing is
# published for more than a year ahead.
FIRST_PERIOD = pd.Timestamp("1962-01-01")
LAST_PERIOD = pd.Timestamp(dt.date.today().replace(day=1)) + pd.DateOffset(years=1)
# What a failed check means, in words an analyst can act on.
# The value itself is in the quarantine row (failure_case), so reasons group: "3 rows: ...".
_EXPLAIN = {
    "hs_code": "commodity code is not an HS code of 2, 4 or 6 ASCII digits, 8 or 10 or TOTAL",
    "flow": "flow is not M, X, RM or RX",
    "reporter_code": "reporter_code must be a UN M49 code from 0 to 999",
    "partner_code": "partner_code must be a UN M49 code from 0 to 999",
    "freq": "not a monthly row (annual rows, refMonth 52, do not belong to a monthly series)",
    "period": "period is not the first day of a month from 1962 to a year ahead",
    "net_weight_kg": "net weight must be a non-negative number of kilograms",
    "quantity": "quantity must be non-negative",
    "value_usd": "value must be a non-negative amount of USD",
}


class TradeMonthly(pa.DataFrameModel):
    """One published monthly figure for one series, as loaded into ``trade_vintages``."""

    source: Series[str] = pa.Field(str_length={"min_value": 1})
    reporter_code: Series[int] = pa.Field(ge=0, le=999)
    partner_code: Series[int] = pa.Field(ge=0, le=999)
    # ASCII digits only: "２７０１" or "٢٧٠١" is no HS code, though \d would match it
    hs_code: Series[str] = pa.Field(
        str_matches=r"^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{8}|[0-9]{10}|TOTAL)\Z"
    )
    flow: Series[str] = pa.Field(isin=["M", "X", "RM", "RX"])
    freq: Series[str] = pa.Field(isin=["M"])
    period: Series[pd.Timestamp] = pa.Field(ge=FIRST_PERIOD, le=LAST_PERIOD)
    net_weight_kg: Series[float] = pa.Field(ge=0, nullable=True)
    quantity: Series[float] = pa.Field(ge=0, nullable=True)
    quantity_unit: Series[str] = pa.Field(nullable=True)
    value_usd: Series[float] = pa.Field(ge=0, nullable=True)

    @pa.check("period", name="month_start")
    def _month_start(cls, period: Series[pd.Timestamp]) -> Series[bool]:
        return period.dt.day == 1

    class Config:
        coerce = True
        strict = True
        unique = TRADE_KEY


QUARANTINE_COLUMNS = [
    "row_index",
    "column_name",
    "check_name",
    "failure_case",
    "reason",
    "period",
    "original",
]


@dataclass
class ValidationResult:
    """Rows that passed, and one quarantine record per failed check of the rows that did not."""

    valid: pd.DataFrame
    quarantine: pd.DataFrame

    @property
    def rejected_rows(self) -> int:
        return int(self.quarantine["row_index"].nunique()) if len(self.quarantine) else 0


def check_trade_rows(rows: pd.DataFrame) -> ValidationResult:
    """Validate parsed rows lazily; return the valid rows and the reasons for every rejected one.

    Numbers are coerced here first, row by row, so that a string where a number belongs is
    reported against its row rather than failing the whole frame.
    """
    originals = rows  # never changed here: each coerced column replaces, not mutates
    coerced = rows.copy(deep=False)
    failures: list[dict] = []
    for column in [c for c in NUMERIC_COLUMNS if c in coerced.columns]:
        raw = coerced[column]
        if pd.api.types.is_integer_dtype(raw.dtype):
            continue  # typed by the parser: every value is a whole number
        if pd.api.types.is_float_dtype(raw.dtype):  # typed: every value a number or null
            for index in raw.index[np.isinf(raw.to_numpy(dtype="float64", na_value=np.nan))]:
                reason = f"{column} is not a finite number"
                failures.append(_failure(index, column, "is_number", raw[index], reason))
            continue
        numbers = []
        for index, value in raw.items():
            number, reason = _strict_number(value, column)
            if reason:
                failures.append(_failure(index, column, "is_number", value, reason))
            numbers.append(number)
        coerced[column] = pd.Series(numbers, index=raw.index, dtype="float64")
    if "period" in coerced.columns and not pd.api.types.is_datetime64_any_dtype(
        coerced["period"].dtype
    ):
        raw = coerced["period"]
        # only dates are dates: a number would be read as an offset from 1970, and text is
        # what a parser did not understand (each parser turns what its source publishes into
        # dates); nothing is converted silently
        is_date = raw.map(lambda v: isinstance(v, dt.date | pd.Timestamp))
        dates = pd.to_datetime(raw.where(is_date), errors="coerce")
        for index in raw.index[raw.notna() & dates.isna()]:
            failures.append(
                _failure(index, "period", "is_date", raw[index], "period is not a date")
            )
        # a date nanosecond timestamps cannot hold (the year 3000) is out of range here, by row
        outside = dates.notna() & ((dates < FIRST_PERIOD) | (dates > LAST_PERIOD))
        for index in raw.index[outside]:
            failures.append(_failure(index, "period", "in_range", raw[index], _EXPLAIN["period"]))
        coerced["period"] = dates.where(~outside).astype("datetime64[ns]")
    failures += _codes_the_source_never_publishes(coerced)
    coerced.attrs = {}  # read: pandas would deep-copy them at every step of the checks below
    stage_one_bad = {f["row_index"] for f in failures}
    candidates = coerced.drop(index=list(stage_one_bad)) if stage_one_bad else coerced
    validated = None
    try:
        # in place: ``candidates`` is this function's own copy (pandas copies on write, so
        # ``rows`` is never changed), not copied once more by pandera
        validated = TradeMonthly.validate(candidates, lazy=True, inplace=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases
        frame_level = cases[cases["index"].isna()]
        if len(frame_level):
            # Missing or extra columns are a parser or layout fault, not a bad row.
            raise
        seen: set[tuple[int, str]] = set()
        for case in cases.itertuples(index=False):
            column, check, value = str(case.column), str(case.check), case.failure_case
            if check == "multiple_fields_uniqueness":
                # pandera reports each key column of a duplicate; one record per row says it.
                column, value = "(key)", None
                reason = "duplicate of another row with the same key: " + ", ".join(TRADE_KEY)
            else:
                reason = _EXPLAIN.get(column, f"{column} failed {check}")
            if (int(case.index), check) not in seen:
                seen.add((int(case.index), check))
                failures.append(_failure(case.index, column, check, value, reason))
    bad_rows = {f["row_index"] for f in failures}
    if validated is not None:
        valid = validated  # the candidates are exactly the rows that pass: no second pass
    else:
        valid = TradeMonthly.validate(coerced.drop(index=list(bad_rows)))
    quarantine = pd.DataFrame(failures, columns=QUARANTINE_COLUMNS[:-2])
    # The month a rejected row claims, where it could be read, so the ledger can count it.
    quarantine["period"] = pd.to_datetime(
        [coerced["period"].get(i) if "period" in coerced else None for i in quarantine["row_index"]]
    )
    quarantine["original"] = [
        json.dumps(originals.loc[i].to_dict(), default=str) for i in quarantine["row_index"]
    ]
    return ValidationResult(valid=valid, quarantine=quarantine)


def _strict_number(value, column: str) -> tuple[float | None, str | None]:
    """A JSON number as published, or None and the reason it is not one: text ("1e6"),
    booleans, NaN or infinity, a code that is not a whole number from 0 to 999 — nothing is
    converted silently."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None, None
    if isinstance(value, bool | np.bool_):
        return None, f"{column} is not a number (true or false)"
    if not isinstance(value, int | float | Decimal | np.integer | np.floating):
        return None, f"{column} is not a number"
    number = float(value)
    if not math.isfinite(number):
        return None, f"{column} is not a finite number"
    if column in CODE_COLUMNS:
        if not isinstance(value, int | np.integer):
            return None, f"{column} must be a whole number"
        if not 0 <= value <= 999:
            return None, f"{column} must be a UN M49 code from 0 to 999"
    return number, None


# A parser whose source publishes shorter codes than the schema takes (CN8 and HS10, for Comext,
# HMRC and the Census) says so in its frame: ``frame.attrs[MAX_CODE_DIGITS] = 6``. A longer
# code is then a malformed row, not a series of its own.
MAX_CODE_DIGITS = "max_code_digits"


def _codes_the_source_never_publishes(rows: pd.DataFrame) -> list[dict]:
    digits = rows.attrs.get(MAX_CODE_DIGITS)
    if digits is None or "hs_code" not in rows.columns:
        return []
    codes = rows["hs_code"]
    if pd.api.types.is_string_dtype(codes):
        lengths = codes.str.len()
    else:  # not all text: the schema names what is not
        lengths = codes.map(lambda code: len(code) if isinstance(code, str) else 0)
    reason = f"commodity code is longer than the {digits} digits its source publishes"
    return [
        _failure(index, "hs_code", "source_code", code, reason)
        for index, code in codes[lengths > digits].items()  # the schema checks the digits
    ]


def _failure(index, column: str, check: str, value, reason: str) -> dict:
    return {
        "row_index": int(index),
        "column_name": column,
        "check_name": check,
        "failure_case": None if value is None else str(value),
        "reason": reason,
    }
