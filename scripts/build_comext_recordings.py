"""Build the offline recordings of Eurostat Comext's bulk files (GENERATED figures).

No machine here reaches Eurostat, so these archives are built, not captured: the exact format
of ``full_v2_YYYYMM.7z`` (one CSV member, the 18 columns in their order, codes as text, whole
numbers; see ``../shared/samples/comext/`` for real rows of it) filled with generated rows —
seeded, so every build writes the same rows (the archive's header carries the build's time).
Every figure in them is invented. The month
after the last is the page the API answers before a month is published (reconstructed: its
HTML is not known, only that it is HTML with status 200 and no attachment).

    python scripts/build_comext_recordings.py
"""

from __future__ import annotations

import io
import random
from pathlib import Path

import py7zr

from tradewatch.schemas import Month
from tradewatch.sources.comext.parse import COLUMNS

OUT = Path(__file__).resolve().parents[1] / "tradewatch" / "sources" / "comext" / "recordings"
MONTHS = [Month(2023 + (i // 12), i % 12 + 1) for i in range(15)]  # 2023-01..2024-03
NOT_YET = Month(2024, 4)
REPORTERS = ["DE", "FR", "NL", "PL", "IT", "AT"]
PARTNERS = ["CN", "US", "NO", "AU", "CO", "ZA", "KZ", "TR", "GB", "QQ", "DE", "FR", "NL", "PL"]
# (CN8, SITC, CPA 2.1, CPA 2.2, BEC, BEC5, section, supplementary unit)
PRODUCTS = [
    ("27011100", "32110", "0510", "0510", "111", "111110", "05", "NO_SU"),
    ("27011210", "32121", "0510", "0510", "111", "111110", "05", "NO_SU"),
    ("27011290", "32122", "0510", "0510", "322", "311110", "05", "NO_SU"),
    ("27011900", "32129", "0510", "0510", "322", "311110", "05", "NO_SU"),
    ("27012000", "32500", "1920", "1920", "322", "311110", "05", "NO_SU"),
    ("26011100", "28150", "0710", "0710", "21", "211110", "05", "NO_SU"),
    ("26011200", "28160", "0710", "0710", "21", "211110", "05", "NO_SU"),
    ("27111100", "34310", "0620", "0620", "21", "211110", "05", "NO_SU"),
    ("22042109", "11217", "1102", "1102", "522", "611210", "04", "l"),
    ("87032310", "78120", "2910", "2910", "51", "512110", "17", "p/st"),
    ("84713000", "75200", "2620", "2620", "41", "411110", "16", "p/st"),
    ("30049000", "54293", "2120", "2120", "63", "313300", "06", "NO_SU"),
]
NOT_PUBLISHED_PAGE = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Eurostat - Bulk Download</title></head>
<body><p>RECONSTRUCTED for tradewatch's offline replay: the dissemination API answers a month
not yet published with an HTML page (status 200, no attachment); this is not its text.</p>
</body></html>
"""


def month_csv(month: Month, rng: random.Random) -> bytes:
    lines = [",".join(COLUMNS)]
    stamp = f"{month.year}{month.month:02d}"
    for reporter in REPORTERS:
        for partner in (p for p in PARTNERS if p != reporter):  # intra-EU partners too
            for cn8, sitc, cpa21, cpa22, bec, bec5, section, unit in PRODUCTS:
                for flow in ("1", "2"):
                    if rng.random() < 0.35:
                        continue  # not every line trades every month
                    kg = (
                        rng.randrange(0, 90_000_000)
                        if cn8[:2] in ("26", "27")
                        else rng.randrange(0, 900_000)
                    )
                    value = max(1, int(kg * rng.uniform(0.08, 0.3)))
                    suppl = 0 if unit == "NO_SU" else rng.randrange(1, 50_000)
                    trade_type = "I" if partner in ("AT", "DE", "FR", "NL", "PL", "IT") else "E"
                    lines.append(",".join((
                        reporter, partner, trade_type, cn8, sitc, cpa21, cpa22, bec, bec5, section,
                        flow, "1", unit, stamp, str(value), str(value), str(kg), str(suppl),
                    )))  # fmt: skip
        # one confidential line a reporter: chapter 27 known, the rest masked
        lines.append(",".join((
            reporter, "QV", "E", "27XXXXXX", "3XXXX", "XXXX", "XXXX", "322", "31XXXX", "05", "1",
            "1", "NO_SU", stamp, "4321", "4321", "25000", "0",
        )))  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for month in MONTHS:
        rng = random.Random(month.year * 100 + month.month)  # a month's rows, whatever is built
        name = f"full_v2_{month.year}{month.month:02d}"
        buffer = io.BytesIO()
        with py7zr.SevenZipFile(buffer, "w") as archive:
            archive.writestr(month_csv(month, rng), f"{name}.dat")
        (OUT / f"{name}.7z").write_bytes(buffer.getvalue())
    (OUT / f"full_v2_{NOT_YET.year}{NOT_YET.month:02d}.html").write_bytes(NOT_PUBLISHED_PAGE)


if __name__ == "__main__":
    main()
