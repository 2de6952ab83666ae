"""Build the offline Comtrade recordings from recordings/figures.csv.

Run from the repository root: ``python scripts/build_comtrade_recordings.py``. The output is the
API's response shape (see ../shared/samples/comtrade/), one file per reporter, partner and flow.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

RECORDINGS = Path("tradewatch/pipelines/comtrade/recordings")
DESCRIPTIONS = {
    "2701": "Coal; briquettes, ovoids and similar solid fuels manufactured from coal",
    "2601": "Iron ores and concentrates, including roasted iron pyrites",
}
# HS 2012 (H4) until 2016; HS 2017 (H5) from 2017.
CLASSIFICATION = {2015: "H4", 2016: "H4", 2017: "H5", 2018: "H5"}
PARTNERS = {
    408: ("PRK", "Dem. People's Rep. of Korea"),
    0: ("W00", "World"),
}


def record(partner: int, hs_code: str, period: str, kg: float, value: float) -> dict:
    year, month = int(period[:4]), int(period[5:7])
    return {
        "typeCode": "C",
        "freqCode": "M",
        "refPeriodId": year * 10000 + month * 100 + 1,
        "refYear": year,
        "refMonth": month,
        "period": f"{year}{month:02d}",
        "reporterCode": 156,
        "reporterISO": "CHN",
        "reporterDesc": "China",
        "flowCode": "M",
        "flowDesc": "Import",
        "partnerCode": partner,
        "partnerISO": PARTNERS[partner][0],
        "partnerDesc": PARTNERS[partner][1],
        "partner2Code": 0,
        "partner2ISO": "W00",
        "partner2Desc": "World",
        "classificationCode": CLASSIFICATION[year],
        "classificationSearchCode": "HS",
        "isOriginalClassification": True,
        "cmdCode": hs_code,
        "cmdDesc": DESCRIPTIONS[hs_code],
        "aggrLevel": 4,
        "isLeaf": False,
        "customsCode": "C00",
        "customsDesc": "TOTAL CPC",
        "mosCode": "0",
        "motCode": 0,
        "motDesc": "TOTAL MOT",
        "qtyUnitCode": 8,
        "qtyUnitAbbr": "kg",
        "qty": kg,
        "isQtyEstimated": False,
        "altQtyUnitCode": 8,
        "altQtyUnitAbbr": "kg",
        "altQty": kg,
        "isAltQtyEstimated": False,
        "netWgt": kg,
        "isNetWgtEstimated": False,
        "grossWgt": None,
        "isGrossWgtEstimated": False,
        "cifvalue": value,
        "fobvalue": None,
        "primaryValue": value,
        "legacyEstimationFlag": 0,
        "isReported": True,
        "isAggregate": False,
    }


def main() -> None:
    with open(RECORDINGS / "figures.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for partner in PARTNERS:
        data = []
        mine = [r for r in rows if int(r["partner"]) == partner]
        for row in sorted(mine, key=lambda r: (r["period"], r["hs_code"])):
            tonnes = float(row["net_weight_t"])
            value = round(tonnes * float(row["price_usd_per_t"]), 0)
            data.append(record(partner, row["hs_code"], row["period"], tonnes * 1000, value))
        document = {"elapsedTime": "0.31 secs", "count": len(data), "data": data, "error": ""}
        out = RECORDINGS / f"C_M_HS_r156_p{partner}_M.json"
        out.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {out} ({len(data)} records)")


if __name__ == "__main__":
    main()
