"""Comext's bulk CSV, block by block: every row checked, the bad ones quarantined with their
reason, the watched series summed from their CN8 lines.

The file has 18 comma-separated columns and no quoting; codes are text (``PRODUCT_NC`` keeps
its leading zeros, and a confidential line is written with ``X``: ``39XXXXXX`` is chapter 39's
confidential trade, kept as published, never read as a code of its own); the four measures are
whole numbers (euro, national currency, kilograms, supplementary units).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ...pipelines.errors import LayoutChanged
from ...schemas import TRADE_COLUMNS, Month, Series

SOURCE = "comext"
COLUMNS = (
    "REPORTER", "PARTNER", "TRADE_TYPE", "PRODUCT_NC", "PRODUCT_SITC", "PRODUCT_CPA21",
    "PRODUCT_CPA22", "PRODUCT_BEC", "PRODUCT_BEC5", "PRODUCT_SECTION", "FLOW", "STAT_PROCEDURE",
    "SUPPL_UNIT", "PERIOD", "VALUE_EUR", "VALUE_NAC", "QUANTITY_KG", "QUANTITY_SUPPL_UNIT",
)  # fmt: skip
MEASURES = ("VALUE_EUR", "VALUE_NAC", "QUANTITY_KG", "QUANTITY_SUPPL_UNIT")
FLOWS = {"1": "M", "2": "X"}
# A CN8 code, or a confidential one: its known leading digits, then X to eight characters.
_PRODUCT = r"[0-9]{8}|[0-9]{2}(?=[0-9X]{6}\Z)[0-9]*X+"
# Partners Comext writes besides ISO 3166 alpha-2: stores and provisions, high seas, not
# specified (Q*), Ceuta, Melilla, Kosovo and others (X*), and EU/euro-area aggregates.
_PARTNER = r"[A-Z]{2}|(?:EU|EA|EXT_|INT_)[A-Z0-9_]*"
_REPORTER = r"[A-Z]{2}|(?:EU|EA)[A-Z0-9_]*"


class NotComext(LayoutChanged):
    """The archive's CSV does not have Comext's 18 columns."""


@dataclass
class Block:
    """A block of the CSV: its first line's number, its rows (Arrow, and the same as a
    DataFrame indexed by line number), and its malformed lines as (line number, text)."""

    line: int
    table: Any
    frame: pd.DataFrame
    bad: list[tuple[int, str]]

    @property
    def lines(self) -> int:
        return len(self.frame) + len(self.bad)


@dataclass
class Sums:
    """One watched series' month, summed over the CN8 lines (and partners) it covers."""

    kg: int = 0
    value_eur: int = 0
    suppl: int = 0
    units: set[str] = field(default_factory=set)
    lines: int = 0
    confidential: int = 0


def read_blocks(blocks: Iterable[bytes], url: str) -> Iterator[Block]:
    """Each block's rows as text (and as the Arrow table they were read into), with its
    malformed lines; the first line must be Comext's header."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    line = 1
    types = {c: pa.string() for c in COLUMNS}
    for number, block in enumerate(blocks):
        if number == 0:
            header, _, block = block.partition(b"\n")
            found = tuple(header.decode("utf-8", "replace").strip().split(","))
            if found != COLUMNS:
                raise NotComext(url, f"the CSV's columns are {', '.join(found)[:300]}, not "
                                f"Comext's 18 ({', '.join(COLUMNS[:4])}, ...)")  # fmt: skip
            line = 2
        if not block.strip():
            continue
        bad: list[tuple[int, str]] = []

        def malformed(row, bad=bad) -> str:
            bad.append((row.number, row.text))
            return "skip"

        table = pacsv.read_csv(
            io.BytesIO(block),
            read_options=pacsv.ReadOptions(column_names=list(COLUMNS), use_threads=False),
            parse_options=pacsv.ParseOptions(invalid_row_handler=malformed),
            convert_options=pacsv.ConvertOptions(
                column_types=types, strings_can_be_null=False, quoted_strings_can_be_null=False
            ),
        )
        frame = table.to_pandas()
        numbers = np.arange(1, len(frame) + len(bad) + 1)
        if bad:
            numbers = np.setdiff1d(numbers, [n for n, _ in bad])
        frame.index = pd.Index(numbers + line - 1, name="line")
        yield Block(line, table, frame, [(n + line - 1, text) for n, text in bad])
        line += block.count(b"\n") + (0 if block.endswith(b"\n") else 1)


def check_rows(
    frame: pd.DataFrame, month: Month, known: frozenset[str]
) -> tuple[pd.Series, list[dict]]:
    """Which rows pass (a boolean Series) and a quarantine record for each check a row fails:
    measures that are not whole numbers, codes Comext does not write, another month's period."""
    failures: list[dict] = []
    ok = pd.Series(True, index=frame.index)

    def fail(mask: pd.Series, column: str, check: str, reason) -> None:
        nonlocal ok
        for line in frame.index[mask & ok]:  # one record per row: the first fault found
            value = frame.at[line, column]
            failures.append(_record(line, column, check, value, reason(value), frame, month))
        ok &= ~mask

    for column in MEASURES:
        fail(~frame[column].str.fullmatch(r"[0-9]{1,18}"), column, "whole_number",
             lambda v, c=column: f"{c} must be a whole non-negative number, got {v!r}")  # fmt: skip
    fail(frame["PERIOD"] != f"{month.year}{month.month:02d}", "PERIOD", "month",
         lambda v: f"PERIOD {v!r} in the file of {month}")  # fmt: skip
    fail(~frame["FLOW"].isin(list(FLOWS)), "FLOW", "flow",
         lambda v: f"FLOW must be 1 (import) or 2 (export), got {v!r}")  # fmt: skip
    fail(~frame["TRADE_TYPE"].isin(["I", "E"]), "TRADE_TYPE", "trade_type",
         lambda v: f"TRADE_TYPE must be I (intra-EU) or E (extra-EU), got {v!r}")  # fmt: skip
    fail(
        ~frame["PRODUCT_NC"].str.fullmatch(_PRODUCT),
        "PRODUCT_NC",
        "cn8",
        lambda v: f"PRODUCT_NC {v!r} is not a CN8 code (8 digits, or confidential with X)",
    )
    for column, pattern in (("REPORTER", _REPORTER), ("PARTNER", _PARTNER)):
        unknown = ~frame[column].str.fullmatch(pattern) | (
            (frame[column].str.len() == 2) & ~frame[column].isin(known)
        )
        fail(unknown, column, "country",
             lambda v, c=column: f"{c} {v!r} is no country or area code Comext uses")  # fmt: skip
    return ok, failures


def malformed_records(bad: Sequence[tuple[int, str]], month: Month) -> list[dict]:
    return [
        {
            "row_index": line, "column_name": "(row)", "check_name": "fields",
            "failure_case": text[:200],
            "reason": f"a row of {text.count(',') + 1} fields, not Comext's 18",
            "period": pd.Timestamp(month.first_day), "original": json.dumps({"line": text}),
        }
        for line, text in bad
    ]  # fmt: skip


def _record(line, column, check, value, reason, frame, month: Month) -> dict:
    return {
        "row_index": int(line), "column_name": column, "check_name": check,
        "failure_case": str(value), "reason": reason, "period": pd.Timestamp(month.first_day),
        "original": json.dumps(frame.loc[line].to_dict()),
    }  # fmt: skip


def add_sums(
    frame: pd.DataFrame, series: Sequence[Series], codes: dict[int, set[str]], into: dict
) -> None:
    """Add the block's valid rows to each watched series' month: its reporter's and partner's
    rows (every partner for the world, 0), its flow, its CN8 lines (a heading sums the lines
    under it; ``TOTAL`` every line, the confidential ones included; a confidential line counts
    only towards a code its published digits cover)."""
    for s in series:
        mask = frame["REPORTER"].isin(codes.get(s.reporter, ())) & (
            frame["FLOW"] == ("1" if s.flow == "M" else "2")
        )
        if s.partner != 0:
            mask &= frame["PARTNER"].isin(codes.get(s.partner, ()))
        if s.hs_code != "TOTAL":
            mask &= frame["PRODUCT_NC"].str.startswith(s.hs_code)
        chosen = frame[mask]
        if chosen.empty:
            continue
        sums = into.setdefault(s.key, Sums())
        sums.kg += int(chosen["QUANTITY_KG"].astype("int64").sum())
        sums.value_eur += int(chosen["VALUE_EUR"].astype("int64").sum())
        sums.suppl += int(chosen["QUANTITY_SUPPL_UNIT"].astype("int64").sum())
        sums.units |= set(chosen["SUPPL_UNIT"].unique()) - {"NO_SU"}
        sums.lines += len(chosen)
        sums.confidential += int(chosen["PRODUCT_NC"].str.contains("X", regex=False).sum())


def trade_rows(month: Month, series: Sequence[Series], sums: dict[str, Sums]) -> pd.DataFrame:
    """The watched series' monthly rows in tradewatch's columns (a series with no line in the
    file has no row: not published for it). Values are in euro in the full rows; ``value_usd``
    stays empty (no conversion is guessed)."""
    rows = []
    for s in series:
        found = sums.get(s.key)
        if found is None:
            continue
        one_unit = len(found.units) == 1
        rows.append(
            {
                "source": SOURCE, "reporter_code": s.reporter, "partner_code": s.partner,
                "hs_code": s.hs_code, "flow": s.flow, "freq": "M",
                "period": pd.Timestamp(month.first_day), "net_weight_kg": float(found.kg),
                "quantity": float(found.suppl) if one_unit else None,
                "quantity_unit": next(iter(found.units)) if one_unit else None,
                "value_usd": None,
            }
        )  # fmt: skip
    return pd.DataFrame(rows, columns=TRADE_COLUMNS)


def country_codes() -> tuple[frozenset[str], dict[int, set[str]]]:
    """The two-letter codes Comext may write for a country, and each M49 code's (ISO 3166
    alpha-2; Greece also as EL, Eurostat's own code)."""
    import pycountry

    from ...schemas.countries import m49

    by_m49: dict[int, set[str]] = {}
    for country in pycountry.countries:
        by_m49.setdefault(m49(country.alpha_3), set()).add(country.alpha_2)
    by_m49[m49("GRC")].add("EL")
    # Comext's own partner codes that are no ISO country (stores, high seas, not specified...)
    own = {"QP", "QQ", "QR", "QS", "QU", "QV", "QW", "QX", "QY", "QZ", "XC", "XK", "XL", "XS"}
    return frozenset({c for codes in by_m49.values() for c in codes} | own), by_m49
