"""Build the offline recordings of the US Census Bureau's trade API (FILLED figures).

No machine here reaches api.census.gov, so these answers are built, not captured: the exact
shape of a real answer (``../shared/samples/census/``: an array of arrays, the header first,
every cell a string, predicates echoed as extra columns, rows joined by a comma and a newline,
no trailing newline) holding the United States' total imports and exports (all commodities,
``-``) by country for 2018 (beside the GACC recordings' year) and 2024-01..2024-03. Every
figure is filled — plausible magnitudes, not copied from a release; 2024-04 is the empty answer
(HTTP 204) of a month not yet published.

    python scripts/build_census_recordings.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from tradewatch.schemas import Month
from tradewatch.sources.census.parts import VARIABLES, CensusRequest

OUT = Path(__file__).resolve().parents[1] / "tradewatch" / "sources" / "census" / "recordings"
# 2018 beside the GACC recordings' year (mirror statistics), and 2024-01..03
MONTHS = [Month(2018, m) for m in range(1, 13)] + [Month(2024, m) for m in (1, 2, 3)]
NOT_YET = Month(2024, 4)
# (Schedule C code, name as Census writes it, billions of USD a month: imports, exports)
COUNTRIES = [
    ("5700", "CHINA", 36.0, 11.5),
    ("1220", "CANADA", 34.0, 29.0),
    ("2010", "MEXICO", 40.0, 27.0),
    ("5880", "JAPAN", 12.0, 6.5),
    ("4280", "GERMANY", 13.0, 6.4),
    ("5800", "KOREA, SOUTH", 10.5, 5.3),
]
# China by year: the US imports about an eighth more from China than China says it exported to
# the US (CIF against FOB, re-exports through Hong Kong)
CHINA = {2018: (45.0, 10.0), 2024: (36.0, 11.5)}
GROUPS = [("0003", "EUROPEAN UNION", 2.7)]  # a group: several times Germany


def answer(flow: str, month: Month, rng: random.Random) -> bytes:
    prefix = "I" if flow == "M" else "E"
    header = [*VARIABLES[flow], f"{prefix}_COMMODITY", "time"]
    stamp = f"{month.year}-{month.month:02d}"
    rows, total = [], 0
    for code, name, imports, exports in COUNTRIES:
        if name == "CHINA":  # the side of China's trade the mirror compares
            imports, exports = CHINA[month.year]
        usd = int((imports if flow == "M" else exports) * 1e9 * rng.uniform(0.9, 1.1))
        total += usd
        rows.append(_row(flow, code, name, "DET", usd, rng, stamp))
    total = int(total * 2.1)  # every other country
    for code, name, times in GROUPS:
        germany = next(int(r[3]) for r in rows if r[1] == "GERMANY")
        rows.append(_row(flow, code, name, "CGP", int(germany * times), rng, stamp))
    rows.append(_row(flow, "-", "TOTAL FOR ALL COUNTRIES", "DET", total, rng, stamp))
    lines = [json.dumps(header, separators=(",", ":"))]
    lines += [json.dumps(r, separators=(",", ":")) for r in rows]
    return ("[" + ",\n".join(lines) + "]").encode()


def _row(flow, code, name, level, usd, rng, stamp) -> list[str]:
    if flow == "M":
        consumption = int(usd * rng.uniform(0.97, 0.995))  # general less bonded warehouses
        return [code, name, level, str(usd), str(consumption), "0", "-", "-", stamp]
    return [code, name, level, str(usd), "0", "-", "-", stamp]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for month in MONTHS:
        rng = random.Random(month.year * 100 + month.month)
        for flow in ("M", "X"):
            name = CensusRequest(flow, "TOTAL", month, ()).recording
            (OUT / name).write_bytes(answer(flow, month, rng))
    for flow in ("M", "X"):  # 204: the API's answer for a month not published yet
        (OUT / CensusRequest(flow, "TOTAL", NOT_YET, ()).recording).write_bytes(b"")


if __name__ == "__main__":
    main()
