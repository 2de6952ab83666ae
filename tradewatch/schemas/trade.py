"""Monthly trade rows: the pandera contract every source's parser must meet before loading."""

from __future__ import annotations

import json
from dataclasses import dataclass

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
# What a failed check means, in words an analyst can act on.
_EXPLAIN = {
    "freq": "not a monthly row (annual rows, refMonth 52, do not belong to a monthly series)",
    "period": "period is not the first day of a month",
    "net_weight_kg": "net weight must be a non-negative number of kilograms",
    "quantity": "quantity must be non-negative",
    "value_usd": "value must be a non-negative amount of USD",
}


class TradeMonthly(pa.DataFrameModel):
    """One published monthly figure for one series, as loaded into ``trade_vintages``."""

    source: Series[str] = pa.Field(str_length={"min_value": 1})
    reporter_code: Series[int] = pa.Field(ge=0, le=999)
    partner_code: Series[int] = pa.Field(ge=0, le=999)
    hs_code: Series[str] = pa.Field(str_matches=r"^(\d{2}|\d{4}|\d{6}|TOTAL)$")
    flow: Series[str] = pa.Field(isin=["M", "X", "RM", "RX"])
    freq: Series[str] = pa.Field(isin=["M"])
    period: Series[pd.Timestamp]
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
        if pd.api.types.is_float_dtype(raw.dtype):
            continue  # typed by the parser: every value is a number or null
        numbers = pd.to_numeric(raw, errors="coerce")
        bad = raw.notna() & numbers.isna()
        for index in raw.index[bad]:
            failures.append(
                _failure(index, column, "is_number", raw[index], f"{column} is not a number")
            )
        coerced[column] = numbers.astype("float64")
    if "period" in coerced.columns and not pd.api.types.is_datetime64_any_dtype(
        coerced["period"].dtype
    ):
        raw = coerced["period"]
        dates = pd.to_datetime(raw, errors="coerce", format="ISO8601")
        for index in raw.index[raw.notna() & dates.isna()]:
            failures.append(
                _failure(index, "period", "is_date", raw[index], "period is not a date")
            )
        coerced["period"] = dates
    stage_one_bad = {f["row_index"] for f in failures}
    candidates = coerced.drop(index=list(stage_one_bad)) if stage_one_bad else coerced
    validated = None
    try:
        validated = TradeMonthly.validate(candidates, lazy=True)
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


def _failure(index, column: str, check: str, value, reason: str) -> dict:
    return {
        "row_index": int(index),
        "column_name": column,
        "check_name": check,
        "failure_case": None if value is None else str(value),
        "reason": reason,
    }
