"""Build the offline recordings of HMRC's OTS (FILLED figures).

No machine here reaches api.uktradeinfo.com, and no real ``/OTS`` answer is known (only its row
as HMRC's documentation quotes it, and real ``/RTS`` pages of the same service: see
``../shared/samples/hmrc/`` and its provenance). So these are built: the month's OTS rows in the
documented row shape (``MonthId, FlowTypeId, SuppressionIndex, CommodityId, CommoditySitcId,
CountryId, PortId, Value, NetMass, SuppUnit``) — the United Kingdom's coal imports and exports by
CN8 code and country for 2024-01..2024-03, one suppressed line a month, a line of the
confidential country — and a country list. Every figure is filled. The replay serves them as the
service pages (``@odata.nextLink``, 8 rows a page). 2024-04 is an empty month.

    python scripts/build_hmrc_recordings.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from tradewatch.schemas import Month

OUT = Path(__file__).resolve().parents[1] / "tradewatch" / "sources" / "hmrc" / "recordings"
MONTHS = [Month(2024, 1), Month(2024, 2), Month(2024, 3)]
NOT_YET = Month(2024, 4)
# HMRC's country ids as its real /Country answer lists them (FR 1, NL 3, DE 4, US 400, CN 720,
# 959 "Estimates", 977 "Confidential Country" without an alpha code)
COUNTRIES = [
    (1, "FR", "France", "European Union"), (3, "NL", "Netherlands", "European Union"),
    (4, "DE", "Germany", "European Union"), (400, "US", "United States", "North America"),
    (720, "CN", "China", "Asia and Oceania"), (959, "QV", "Estimates", ""),
    (977, "", "Confidential Country", ""),
]  # fmt: skip
CODES = [27011100, 27011210, 27011290, 27011900, 27012000]


def month_rows(month: Month, rng: random.Random) -> list[dict]:
    rows = []
    stamp = month.year * 100 + month.month
    for country, _alpha, _, area in COUNTRIES:
        eu = area == "European Union"
        for code in CODES:
            for flow in (1, 2) if eu else (3, 4):
                if rng.random() < 0.3:
                    continue
                mass = float(rng.randrange(1_000, 40_000_000))
                rows.append({
                    "MonthId": stamp, "FlowTypeId": flow, "SuppressionIndex": 0,
                    "CommodityId": code, "CommoditySitcId": 32100, "CountryId": country,
                    "PortId": -1, "Value": round(mass * rng.uniform(0.1, 0.25)),
                    "NetMass": mass, "SuppUnit": None,
                })  # fmt: skip
    withheld = [r for r in rows if r["FlowTypeId"] in (1, 3)][3]  # one import line suppressed
    withheld.update(SuppressionIndex=3, Value=0.0, NetMass=None)
    return rows


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    countries = [
        {"CountryId": cid, "CountryCodeNumeric": f"{cid:03d}", "RegionId": "", "CountryName": name,
         "CountryCodeAlpha": alpha, "Area1a": area}
        for cid, alpha, name, area in COUNTRIES
    ]  # fmt: skip
    document = {"@odata.context": "https://api.uktradeinfo.com/$metadata#Country",
                "value": countries}  # fmt: skip
    (OUT / "Country.json").write_text(json.dumps(document, separators=(",", ":")))
    for month in [*MONTHS, NOT_YET]:
        rng = random.Random(month.year * 100 + month.month)
        rows = month_rows(month, rng) if month != NOT_YET else []
        document = {"@odata.context": "https://api.uktradeinfo.com/$metadata#OTS", "value": rows}
        name = f"OTS_{month.year}{month.month:02d}.json"
        (OUT / name).write_text(json.dumps(document, separators=(",", ":")))


if __name__ == "__main__":
    main()
