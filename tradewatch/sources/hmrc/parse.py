"""HMRC's OData answers, read and checked: pure, bytes in, frames out.

An answer is ``{"@odata.context": ..., "value": [...], "@odata.nextLink": ...}``; the last page
has no ``nextLink``; an error is ``{"error": {"code", "message"}}`` with a status of 400. An
OTS row is ``{"MonthId": 202401, "FlowTypeId": 3, "SuppressionIndex": 0, "CommodityId":
27011210, "CountryId": 720, "PortId": -1, "Value": 1234.0, "NetMass": 5678.0, "SuppUnit":
null, ...}``: flow types 1 and 3 are EU and non-EU imports, 2 and 4 exports; a suppressed row
(``SuppressionIndex`` not 0) is kept as published and never summed, as zero or otherwise.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from ...pipelines.errors import LayoutChanged
from ...schemas import TRADE_COLUMNS, ValidationResult, check_trade_rows
from ...schemas.countries import WORLD, country_by_alpha2
from ...schemas.trade import QUARANTINE_COLUMNS
from . import GBR

if TYPE_CHECKING:
    from .parts import HmrcAnswer

SOURCE = "hmrc"
FLOW_TYPES = {1: "M", 3: "M", 2: "X", 4: "X"}  # EU / non-EU imports, EU / non-EU exports
NEXT = "@odata.nextLink"


def read_page(url: str, body: bytes) -> tuple[list[dict], str | None]:
    """A page's rows and the link to the next page (None: the last)."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LayoutChanged(url, f"the answer is not JSON ({exc})") from exc
    if not isinstance(document, dict) or not isinstance(document.get("value"), list):
        raise LayoutChanged(url, "the answer is not an OData page (no 'value' list)")
    link = document.get(NEXT)
    if link is not None and not (isinstance(link, str) and link.startswith("https://")):
        raise LayoutChanged(url, f"the next page's link is not an https address: {link!r}")
    if not all(isinstance(row, dict) for row in document["value"]):
        raise LayoutChanged(url, "the 'value' list holds something other than rows")
    return document["value"], link


def country_table(url: str, body: bytes) -> dict[int, str]:
    """HMRC's country ids → ISO alpha-2 code ('' where HMRC has none: confidential, other)."""
    rows, _ = read_page(url, body)
    try:
        return {int(r["CountryId"]): str(r.get("CountryCodeAlpha") or "").strip() for r in rows}
    except (KeyError, TypeError, ValueError) as exc:
        raise LayoutChanged(url, f"the country list's rows are not HMRC's ({exc})") from exc


@dataclass
class Sums:
    value_gbp: float = 0.0
    net_mass_kg: float | None = 0.0
    lines: int = 0
    suppressed: int = 0


@dataclass
class Checked:
    """The answer's trade rows checked (and every quarantined row), every row as published for
    ``hmrc_rows``, and each partner's sums (for ``trade_values``, in pounds)."""

    trade: ValidationResult
    published: pd.DataFrame
    sums: dict[int, Sums] = field(default_factory=dict)


def check(answer: HmrcAnswer) -> Checked:
    request = answer.request
    stamp = request.month.year * 100 + request.month.month
    rows = [row for page in answer.pages for row in page]
    quarantine, published = [], []
    sums: dict[int, Sums] = {}
    for index, row in enumerate(rows, start=1):
        problem = _problem(row, stamp, request)
        partner = None
        if problem is None:
            alpha = answer.countries.get(int(row["CountryId"]))
            partner = _partner(alpha)
            if alpha is None:
                reason = f"CountryId {row['CountryId']} is not in HMRC's country list"
                problem = ("CountryId", "country", row["CountryId"], reason)
        if problem is not None:
            column, name, value, reason = problem
            quarantine.append({
                "row_index": index, "column_name": column, "check_name": name,
                "failure_case": str(value), "reason": reason,
                "period": pd.Timestamp(request.month.first_day), "original": json.dumps(row),
            })  # fmt: skip
            continue
        published.append(_published(row, answer.countries, partner))
        suppressed = row.get("SuppressionIndex") not in (0, None)
        for key in {partner, WORLD} if partner is not None else {WORLD}:
            found = sums.setdefault(key, Sums())
            if suppressed:  # kept as published, never read as a figure
                found.suppressed += 1
                continue
            found.lines += 1
            found.value_gbp += float(row["Value"])
            mass = row.get("NetMass")
            found.net_mass_kg = None if mass is None or found.net_mass_kg is None else (
                found.net_mass_kg + float(mass)
            )  # fmt: skip
    trade = pd.DataFrame(
        [_trade_row(request, partner, found) for partner, found in sorted(sums.items())
         if found.lines],
        columns=TRADE_COLUMNS,
    )  # fmt: skip
    trade.index = pd.RangeIndex(len(rows) + 1, len(rows) + 1 + len(trade))
    checked = check_trade_rows(trade)
    raw = pd.DataFrame(quarantine, columns=QUARANTINE_COLUMNS)
    if not raw.empty:
        checked.quarantine = pd.concat([raw, checked.quarantine], ignore_index=True)
    return Checked(checked, pd.DataFrame(published, columns=PUBLISHED_COLUMNS), sums)


def _problem(row: dict, stamp: int, request) -> tuple[str, str, Any, str] | None:
    for column in ("MonthId", "FlowTypeId", "CommodityId", "CountryId"):
        if not isinstance(row.get(column), int) or isinstance(row.get(column), bool):
            return column, "whole_number", row.get(column), (
                f"{column} must be a whole number, got {row.get(column)!r}"
            )  # fmt: skip
    if row["MonthId"] != stamp:
        return (
            "MonthId",
            "month",
            row["MonthId"],
            f"MonthId {row['MonthId']} in the answer for {stamp}",
        )
    if FLOW_TYPES.get(row["FlowTypeId"]) != request.flow:
        return "FlowTypeId", "flow", row["FlowTypeId"], (
            f"FlowTypeId {row['FlowTypeId']} is not one of "
            f"{'imports' if request.flow == 'M' else 'exports'} (EU or non-EU)"
        )  # fmt: skip
    if not str(row["CommodityId"]).zfill(8).startswith(request.hs_code):
        return "CommodityId", "commodity", row["CommodityId"], (
            f"CommodityId {row['CommodityId']} is not under {request.hs_code}"
        )  # fmt: skip
    for column in ("Value", "NetMass", "SuppUnit"):
        value = row.get(column)
        if column != "Value" and value is None:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value < 0
        ):
            return column, "number", value, f"{column} must be a number of 0 or more, got {value!r}"
    return None


def _partner(alpha: str | None) -> int | None:
    """The one table's code for HMRC's alpha-2 code; none (confidential, "other"): the world
    only."""
    return country_by_alpha2(alpha) if alpha else None


def _trade_row(request, partner: int, found: Sums) -> dict:
    return {
        "source": SOURCE, "reporter_code": GBR, "partner_code": partner,
        "hs_code": request.hs_code, "flow": request.flow, "freq": "M",
        "period": pd.Timestamp(request.month.first_day),
        "net_weight_kg": found.net_mass_kg, "quantity": None, "quantity_unit": None,
        "value_usd": None,
    }  # fmt: skip


PUBLISHED_COLUMNS = [
    "flow_type_id", "commodity_id", "country_id", "country_alpha", "partner_code",
    "suppression_index", "port_id", "value_gbp", "net_mass_kg", "supp_unit",
]  # fmt: skip


def _published(row: dict, countries: dict[int, str], partner: int | None) -> dict:
    return {
        "flow_type_id": row["FlowTypeId"], "commodity_id": row["CommodityId"],
        "country_id": row["CountryId"], "country_alpha": countries.get(row["CountryId"]) or None,
        "partner_code": partner, "suppression_index": int(row.get("SuppressionIndex") or 0),
        "port_id": row.get("PortId"), "value_gbp": row.get("Value"),
        "net_mass_kg": row.get("NetMass"), "supp_unit": row.get("SuppUnit"),
    }  # fmt: skip
