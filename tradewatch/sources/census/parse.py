"""The Census API's answer, parsed and checked: pure, bytes in, frames out.

An answer is JSON: an array of arrays, the first the header, every cell a string (numbers
too); predicates asked for come back as extra columns (twice, when also asked for by name: the
first is kept). Countries are Census's Schedule C codes, read through their names into the one
country table; ``-``, "TOTAL FOR ALL COUNTRIES", is the world; country groups (``SUMMARY_LVL``
CGP) are kept as published but are no partner.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from ...pipelines.errors import LayoutChanged
from ...schemas import TRADE_COLUMNS, ValidationResult, check_trade_rows
from ...schemas.countries import WORLD, country_by_name, m49
from ...schemas.trade import QUARANTINE_COLUMNS
from . import USA

if TYPE_CHECKING:
    from .parts import CensusAnswer, CensusRequest

log = logging.getLogger(__name__)

SOURCE = "census"
WORLD_CODE = "-"  # TOTAL FOR ALL COUNTRIES
# What each flow asks for: the value that is the figure, and what is kept beside it.
VARIABLES = {
    "M": ("CTY_CODE", "CTY_NAME", "SUMMARY_LVL", "GEN_VAL_MO", "CON_VAL_MO", "GEN_QY1_MO",
          "UNIT_QY1"),
    "X": ("CTY_CODE", "CTY_NAME", "SUMMARY_LVL", "ALL_VAL_MO", "QTY_1_MO", "UNIT_QY1"),
}  # fmt: skip
VALUE = {"M": "GEN_VAL_MO", "X": "ALL_VAL_MO"}
QUANTITY = {"M": "GEN_QY1_MO", "X": "QTY_1_MO"}
# Quantity units that are a weight, in kilograms (Census writes "-" where there is none)
KG_PER_UNIT = {"KG": 1.0, "T": 1000.0}
# Schedule C codes seen in real answers, for an answer without CTY_NAME (the one table reads
# every other country through its name)
KNOWN_CODES = {"5700": "CHN", "1220": "CAN", "2010": "MEX", "5880": "JPN", "4280": "DEU"}
REQUIRED = ("CTY_CODE",)


@dataclass
class Checked:
    """The answer's trade rows checked (and every quarantined row), and every row as
    published for ``census_rows``."""

    trade: ValidationResult
    published: pd.DataFrame


def read_table(url: str, body: bytes) -> pd.DataFrame:
    """The array of arrays as a frame of strings (header deduplicated: the first of a name
    wins); anything else is a named error with the URL."""
    if body.lstrip()[:1] == b"<":
        raise LayoutChanged(url, "the answer is an HTML page, not the API's JSON (a key the "
                            "API refused answers so)")  # fmt: skip
    try:
        table = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LayoutChanged(url, f"the answer is not JSON ({exc})") from exc
    if (
        not isinstance(table, list)
        or not table
        or not all(isinstance(row, list) for row in table)
        or not all(isinstance(cell, str) for cell in table[0])
    ):
        raise LayoutChanged(url, "the answer is not an array of arrays with a header row")
    header, rows = table[0], table[1:]
    keep = [i for i, name in enumerate(header) if name not in header[:i]]
    names = [header[i] for i in keep]
    wrong = [n for n, row in enumerate(rows, start=1) if len(row) != len(header)]
    if wrong:
        raise LayoutChanged(url, f"row {wrong[0]} has {len(rows[wrong[0] - 1])} cells, the "
                            f"header {len(header)}")  # fmt: skip
    frame = pd.DataFrame([[row[i] for i in keep] for row in rows], columns=names, dtype=object)
    frame.index = pd.RangeIndex(1, len(rows) + 1)  # a row's place in the array, header 0
    return frame


def check(answer: CensusAnswer) -> Checked:
    request = answer.request
    if answer.status == 204 or not answer.body.strip():
        log.info("census %s: not published yet (HTTP %s, no rows)", request.month, answer.status)
        empty = pd.DataFrame(columns=TRADE_COLUMNS)
        return Checked(check_trade_rows(empty), pd.DataFrame())
    table = read_table(answer.url, answer.body)
    flow = request.flow
    needed = [c for c in (*REQUIRED, VALUE[flow]) if c not in table.columns]
    if needed:
        raise LayoutChanged(answer.url, f"the answer has no {', '.join(needed)} column")
    stamp = f"{request.month.year}-{request.month.month:02d}"
    quarantine: list[dict] = []
    trade, published = [], []
    for column, default in (("CTY_NAME", ""), ("SUMMARY_LVL", "DET"), ("UNIT_QY1", "-")):
        if column not in table.columns:  # not asked for: none published
            table[column] = default
    for index, row in table.iterrows():
        problem = _problem(row, flow, stamp)
        partner = _partner(row)
        if problem is None and partner is None and row["SUMMARY_LVL"] != "CGP":
            problem = ("CTY_NAME", "country", row["CTY_NAME"],
                       f"Census country {row['CTY_NAME']!r} (code {row['CTY_CODE']}) is not in "
                       "tradewatch's country table")  # fmt: skip
        if problem is not None:
            column, check_name, value, reason = problem
            quarantine.append({
                "row_index": int(index), "column_name": column, "check_name": check_name,
                "failure_case": str(value), "reason": reason,
                "period": pd.Timestamp(request.month.first_day),
                "original": json.dumps(row.to_dict()),
            })  # fmt: skip
            continue
        published.append(_published(row, flow, partner))
        if partner is None:  # a country group: kept as published, no partner of its own
            continue
        trade.append(_trade_row(row, request, partner, index))
    frame = pd.DataFrame([r for r, _ in trade], columns=TRADE_COLUMNS)
    frame.index = pd.Index([i for _, i in trade], dtype="int64")
    checked = check_trade_rows(frame)
    raw = pd.DataFrame(quarantine, columns=QUARANTINE_COLUMNS)
    if not raw.empty:
        checked.quarantine = pd.concat([raw, checked.quarantine], ignore_index=True)
    return Checked(checked, pd.DataFrame(published, columns=PUBLISHED_COLUMNS))


def _problem(row, flow: str, stamp: str) -> tuple[str, str, str, str] | None:
    for column in (VALUE[flow], QUANTITY[flow], *(["CON_VAL_MO"] if flow == "M" else [])):
        value = row.get(column)
        if value is None and column != VALUE[flow]:
            continue  # a measure not asked for
        if not (isinstance(value, str) and value.isascii() and value.isdigit()):
            reason = f"{column} must be whole dollars or units, got {value!r}"
            return column, "whole_number", value, reason
    if "time" in row.index and row["time"] != stamp:
        return "time", "month", row["time"], f"time {row['time']!r} in the answer for {stamp}"
    return None


def _partner(row) -> int | None:
    if row["CTY_CODE"] == WORLD_CODE:
        return WORLD
    if row["SUMMARY_LVL"] == "CGP":
        return None
    if row["CTY_CODE"] in KNOWN_CODES and not row["CTY_NAME"]:
        return m49(KNOWN_CODES[row["CTY_CODE"]])
    return country_by_name(row["CTY_NAME"]) if row["CTY_NAME"] else None


def _trade_row(row, request: CensusRequest, partner: int, index) -> tuple[dict, int]:
    flow = request.flow
    unit = row["UNIT_QY1"]
    has_unit = unit not in ("", "-") and row.get(QUANTITY[flow]) is not None
    quantity = float(row[QUANTITY[flow]]) if has_unit else 0.0
    kg = quantity * KG_PER_UNIT[unit] if unit in KG_PER_UNIT else None
    return (
        {
            "source": SOURCE, "reporter_code": USA, "partner_code": partner,
            "hs_code": request.hs_code, "flow": flow, "freq": "M",
            "period": pd.Timestamp(request.month.first_day), "net_weight_kg": kg,
            "quantity": quantity if has_unit else None,
            "quantity_unit": unit if has_unit else None,
            "value_usd": float(row[VALUE[flow]]),
        },
        int(index),
    )  # fmt: skip


PUBLISHED_COLUMNS = [
    "cty_code", "cty_name", "summary_lvl", "partner_code", "general_usd", "consumption_usd",
    "exports_usd", "quantity", "quantity_unit",
]  # fmt: skip


def _published(row, flow: str, partner: int | None) -> dict:
    imports = flow == "M"
    return {
        "cty_code": row["CTY_CODE"], "cty_name": row["CTY_NAME"],
        "summary_lvl": row["SUMMARY_LVL"], "partner_code": partner,
        "general_usd": int(row["GEN_VAL_MO"]) if imports else None,
        "consumption_usd": _whole(row.get("CON_VAL_MO")) if imports else None,
        "exports_usd": None if imports else int(row["ALL_VAL_MO"]),
        "quantity": _whole(row.get(QUANTITY[flow])), "quantity_unit": row["UNIT_QY1"],
    }  # fmt: skip


def _whole(value: str | None) -> int | None:
    return None if value is None else int(value)
