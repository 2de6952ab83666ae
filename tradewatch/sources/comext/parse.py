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
from ...schemas.countries import EU, EU27

SOURCE = "comext"
COLUMNS = (
    "REPORTER", "PARTNER", "TRADE_TYPE", "PRODUCT_NC", "PRODUCT_SITC", "PRODUCT_CPA21",
    "PRODUCT_CPA22", "PRODUCT_BEC", "PRODUCT_BEC5", "PRODUCT_SECTION", "FLOW", "STAT_PROCEDURE",
    "SUPPL_UNIT", "PERIOD", "VALUE_EUR", "VALUE_NAC", "QUANTITY_KG", "QUANTITY_SUPPL_UNIT",
)  # fmt: skip
MEASURES = ("VALUE_EUR", "VALUE_NAC", "QUANTITY_KG", "QUANTITY_SUPPL_UNIT")
FLOWS = {"1": "M", "2": "X"}
FLOW_OF = {flow: code for code, flow in FLOWS.items()}
# A CN8 code, or a confidential one: its known leading digits, then X to eight characters.
_PRODUCT = r"[0-9]{8}|[0-9]{2}(?:X{6}|[0-9]X{5}|[0-9]{2}X{4}|[0-9]{3}X{3}|[0-9]{4}X{2}|[0-9]{5}X)"
# Partners Comext writes besides ISO 3166 alpha-2: stores and provisions, high seas, not
# specified (Q*), Ceuta, Melilla, Kosovo and others (X*), and EU/euro-area aggregates.
_PARTNER = r"[A-Z]{2}|(?:EU|EA|EXT_|INT_)[A-Z0-9_]*"
_REPORTER = r"[A-Z]{2}|(?:EU|EA)[A-Z0-9_]*"


class NotComext(LayoutChanged):
    """The archive's CSV does not have Comext's 18 columns."""


@dataclass
class Block:
    """A block of the CSV: its rows as read (an Arrow table of text), each row's line number
    in the file, and its malformed lines as (line number, text)."""

    table: Any
    lines: np.ndarray
    bad: list[tuple[int, str]]

    @property
    def last_line(self) -> int:
        return max([int(self.lines.max()) if len(self.lines) else 0, *(n for n, _ in self.bad)])


@dataclass
class Sums:
    """One watched series' month, summed over the CN8 lines (and partners) it covers."""

    kg: int = 0
    value_eur: int = 0
    suppl: int = 0
    units: set[str] = field(default_factory=set)
    lines: int = 0
    confidential: int = 0
    codes: set[str] = field(default_factory=set)  # the CN8 codes summed, as published


def read_blocks(blocks: Iterable[bytes], url: str) -> Iterator[Block]:
    """Each block's rows as text, with its malformed lines; the first line must be Comext's
    header."""
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
        numbers = np.arange(1, table.num_rows + len(bad) + 1)
        if bad:
            numbers = np.setdiff1d(numbers, [n for n, _ in bad])
        yield Block(table, numbers + line - 1, [(n + line - 1, text) for n, text in bad])
        line += block.count(b"\n") + (0 if block.endswith(b"\n") else 1)


def check_rows(block: Block, month: Month, known: frozenset[str]) -> tuple[Any, list[dict]]:
    """Which rows pass (a boolean Arrow array) and a quarantine record for the first check each
    other row fails: measures that are not whole numbers, another month's period, codes Comext
    does not write. Arrow's compute over the block: no row is looked at one by one unless bad."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table, failures = block.table, []
    ok = np.ones(table.num_rows, dtype=bool)

    def fail(bad, column: str, check: str, reason) -> None:
        nonlocal ok
        mask = np.asarray(bad.to_numpy(zero_copy_only=False), dtype=bool) & ok
        for i in np.flatnonzero(mask):  # one record per row: the first fault found
            row = {c: table.column(c)[int(i)].as_py() for c in COLUMNS}
            value = row[column]
            failures.append(
                _record(block.lines[i], column, check, value, reason(value), row, month)
            )
        ok &= ~mask

    def outside(column: str, pattern: str):
        return pc.invert(pc.match_substring_regex(table[column], f"^(?:{pattern})$"))

    for column in MEASURES:
        fail(outside(column, "[0-9]{1,18}"), column, "whole_number",
             lambda v, c=column: f"{c} must be a whole non-negative number, got {v!r}")  # fmt: skip
    fail(pc.not_equal(table["PERIOD"], f"{month.year}{month.month:02d}"), "PERIOD", "month",
         lambda v: f"PERIOD {v!r} in the file of {month}")  # fmt: skip
    fail(pc.invert(pc.is_in(table["FLOW"], value_set=pa.array(list(FLOWS)))), "FLOW", "flow",
         lambda v: f"FLOW must be 1 (import) or 2 (export), got {v!r}")  # fmt: skip
    fail(outside("TRADE_TYPE", "I|E"), "TRADE_TYPE", "trade_type",
         lambda v: f"TRADE_TYPE must be I (intra-EU) or E (extra-EU), got {v!r}")  # fmt: skip
    fail(
        outside("PRODUCT_NC", _PRODUCT),
        "PRODUCT_NC",
        "cn8",
        lambda v: f"PRODUCT_NC {v!r} is not a CN8 code (8 digits, or confidential with X)",
    )
    countries = pa.array(sorted(known))
    for column, pattern in (("REPORTER", _REPORTER), ("PARTNER", _PARTNER)):
        two_letters = pc.equal(pc.utf8_length(table[column]), 2)
        unlisted = pc.and_(two_letters, pc.invert(pc.is_in(table[column], value_set=countries)))
        fail(pc.or_(outside(column, pattern), unlisted), column, "country",
             lambda v, c=column: f"{c} {v!r} is no country or area code Comext uses")  # fmt: skip
    return pa.array(ok), failures


def malformed_records(bad: Sequence[tuple[int, str]], month: Month) -> list[dict]:
    """A quarantine record for each line that is not a row of 18 fields."""
    return [
        _record(line, "(row)", "fields", text[:200],
                f"a row of {text.count(',') + 1} fields, not Comext's 18", {"line": text}, month)
        for line, text in bad
    ]  # fmt: skip


def _record(line, column, check, value, reason, row: dict, month: Month) -> dict:
    return {
        "row_index": int(line), "column_name": column, "check_name": check,
        "failure_case": str(value), "reason": reason, "period": pd.Timestamp(month.first_day),
        "original": json.dumps(row),
    }  # fmt: skip


def add_sums(valid, series: Sequence[Series], codes: dict[int, set[str]], into: dict) -> None:
    """Add a block's valid rows (Arrow) to each watched series' month: its reporter's and
    partner's rows (every partner for the world, 0), its flow, its CN8 lines (a heading sums the
    lines under it; ``TOTAL`` every line, the confidential ones included; a confidential line
    counts only towards a code its published digits cover)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def total(column) -> int:
        return int(pc.sum(pc.cast(column, pa.int64())).as_py() or 0)

    def among(column: str, code: int):
        return pc.is_in(valid[column], value_set=pa.array(sorted(codes.get(code, ())), pa.string()))

    for s in series:
        mask = pc.and_(among("REPORTER", s.reporter), pc.equal(valid["FLOW"], FLOW_OF[s.flow]))
        if s.partner != 0:
            mask = pc.and_(mask, among("PARTNER", s.partner))
        elif s.reporter == EU:  # the EU's trade with the world: with partners outside it
            mask = pc.and_(mask, pc.invert(among("PARTNER", EU)))
        if s.hs_code != "TOTAL":
            mask = pc.and_(mask, pc.starts_with(valid["PRODUCT_NC"], s.hs_code))
        chosen = valid.filter(mask)
        if chosen.num_rows == 0:
            continue
        sums = into.setdefault(s.key, Sums())
        sums.kg += total(chosen["QUANTITY_KG"])
        sums.value_eur += total(chosen["VALUE_EUR"])
        sums.suppl += total(chosen["QUANTITY_SUPPL_UNIT"])
        sums.units |= set(pc.unique(chosen["SUPPL_UNIT"]).to_pylist()) - {"NO_SU"}
        sums.lines += chosen.num_rows
        sums.codes |= set(pc.unique(chosen["PRODUCT_NC"]).to_pylist())
        sums.confidential += int(pc.sum(pc.match_substring(chosen["PRODUCT_NC"], "X")).as_py() or 0)


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
    alpha-2; Greece also as EL, Eurostat's own code; the EU's: its 27 members')."""
    import pycountry

    from ...schemas.countries import m49

    by_m49: dict[int, set[str]] = {}
    for country in pycountry.countries:
        by_m49.setdefault(m49(country.alpha_3), set()).add(country.alpha_2)
    by_m49[m49("GRC")].add("EL")
    by_m49[EU] = {c for alpha3 in EU27 for c in by_m49[m49(alpha3)]}  # summed, never read
    # Comext's own partner codes that are no ISO country (stores, high seas, not specified...)
    own = {"QP", "QQ", "QR", "QS", "QU", "QV", "QW", "QX", "QY", "QZ", "XC", "XK", "XL", "XS"}
    return frozenset({c for codes in by_m49.values() for c in codes} | own), by_m49
