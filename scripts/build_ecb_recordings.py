"""Build the offline recordings of the ECB data API's monthly rates (FILLED figures).

No machine here reaches data-api.ecb.europa.eu, so these answers are built, not captured: the
exact ``format=csvdata`` layout (the 32 columns of a real answer, ``KEY`` prefixed with the
dataflow, the title quoted because it holds commas, no trailing newline; see
``../shared/samples/ecb/``) holding monthly averages (``M.<currency>.EUR.SP00.A``) for
2023-01..2024-03. Every rate is filled — near the level of each currency in those months,
with seeded noise — not copied from the ECB; 2024-04 is the empty answer (404, "No results
found.") of a month not yet averaged.

    python scripts/build_ecb_recordings.py
"""

from __future__ import annotations

import random
from pathlib import Path

from tradewatch.schemas import Month
from tradewatch.sources.ecb.parse import CURRENCIES

OUT = Path(__file__).resolve().parents[1] / "tradewatch" / "sources" / "ecb" / "recordings"
MONTHS = [Month(2023 + (i // 12), i % 12 + 1) for i in range(15)]  # 2023-01..2024-03
NOT_YET = Month(2024, 4)
HEADER = (
    "KEY,FREQ,CURRENCY,CURRENCY_DENOM,EXR_TYPE,EXR_SUFFIX,TIME_PERIOD,OBS_VALUE,OBS_STATUS,"
    "OBS_CONF,OBS_PRE_BREAK,OBS_COM,TIME_FORMAT,BREAKS,COLLECTION,COMPILING_ORG,DISS_ORG,"
    "DOM_SER_IDS,PUBL_ECB,PUBL_MU,PUBL_PUBLIC,UNIT_INDEX_BASE,COMPILATION,COVERAGE,DECIMALS,"
    "NAT_TITLE,SOURCE_AGENCY,SOURCE_PUB,TITLE,TITLE_COMPL,UNIT,UNIT_MULT"
)
LEVEL = {"USD": 1.08, "CNY": 7.75, "GBP": 0.865, "KRW": 1430.0, "JPY": 155.0}
NAMES = {"USD": "US dollar", "CNY": "Chinese yuan renminbi", "GBP": "UK pound sterling",
         "KRW": "Korean won (Republic)", "JPY": "Japanese yen"}  # fmt: skip


def month_csv(month: Month, rng: random.Random) -> bytes:
    lines = [HEADER]
    stamp = f"{month.year}-{month.month:02d}"
    for currency in CURRENCIES:
        rate = LEVEL[currency] * rng.uniform(0.97, 1.03)
        title = f"{NAMES[currency]}/Euro"
        lines.append(",".join([
            f"EXR.M.{currency}.EUR.SP00.A", "M", currency, "EUR", "SP00", "A", stamp, repr(rate),
            "A", "F", "", "", "P1M", "", "A", "", "", "", "", "", "", "99Q1=100", "", "", "4",
            "", "4F0", "", f"{title} ECB reference exchange rate",
            f'"ECB reference exchange rate, {title}, 2.15 pm (C.E.T.)"', currency, "0",
        ]))  # fmt: skip
    return "\n".join(lines).encode()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for month in MONTHS:
        rng = random.Random(month.year * 100 + month.month)
        (OUT / f"EXR_M_{month.year}{month.month:02d}.csv").write_bytes(month_csv(month, rng))
    (OUT / f"EXR_M_{NOT_YET.year}{NOT_YET.month:02d}.csv").write_bytes(b"")


if __name__ == "__main__":
    main()
