"""Build the offline GACC pages for 2018 (reconstructed, not captured: see the README beside them).

Run from the repository root: ``python scripts/build_gacc_recordings.py``. The pages follow the
real formats of ../shared/samples/gacc/: the index table of month links (``<a href=...>`` unquoted,
``<span>`` for months not published, January a span because it is released with February), and
release pages with the title in ``.atcl-ttl``, the date in ``.atcl-date`` and one table in
``.atcl-cnt`` (a title row, a "Unit:" row, two header rows with rowspan/colspan, then data rows).
"""

from __future__ import annotations

import uuid
from pathlib import Path

OUT = Path("tradewatch/pipelines/gacc/recordings")
BASE = "http://english.customs.gov.cn"
YEAR = 2018
MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
# Release dates: preliminary tables about the 8th-14th of the next month, the bulletin ~20th.
PRELIMINARY_DAY, BULLETIN_DAY = 12, 23

# 10000 tonnes, preliminary release; key 2 is the January-February combined figure.
COAL = {
    2: 5041,
    3: 2740,
    4: 2240,
    5: 2480,
    6: 2340,
    7: 2940,
    8: 2860,
    9: 2890,
    10: 2330,
    11: 1920,
    12: 1020,
}
IRON = {
    2: 17710,
    3: 8660,
    4: 8130,
    5: 9160,
    6: 8150,
    7: 8880,
    8: 9100,
    9: 9450,
    10: 9180,
    11: 9050,
    12: 9050,
}
OIL = {
    2: 7720,
    3: 3930,
    4: 3640,
    5: 3900,
    6: 3480,
    7: 3720,
    8: 3860,
    9: 3850,
    10: 3750,
    11: 4150,
    12: 4010,
}
PRICE_USD_PER_T = {"coal": 92, "iron": 68, "oil": 480, "metal": 95}
# The monthly bulletin (table 14) revises March and June coal.
BULLETIN_COAL = {3: 2752, 6: 2348}
# USD million, China's imports from and exports to North Korea, and totals (preliminary).
DPRK_IMPORTS = {
    2: 28.1,
    3: 13.9,
    4: 15.8,
    5: 17.0,
    6: 17.5,
    7: 17.8,
    8: 20.6,
    9: 19.6,
    10: 18.5,
    11: 19.9,
    12: 24.9,
}
DPRK_EXPORTS = {
    2: 339.5,
    3: 199.4,
    4: 184.6,
    5: 172.4,
    6: 174.7,
    7: 171.0,
    8: 195.3,
    9: 129.1,
    10: 180.6,
    11: 194.5,
    12: 196.4,
}
TOTAL_IMPORTS = {
    2: 274_912.0,
    3: 146_490.0,
    4: 155_310.0,
    5: 187_420.0,
    6: 159_250.0,
    7: 181_750.0,
    8: 184_610.0,
    9: 175_750.0,
    10: 182_650.0,
    11: 179_290.0,
    12: 161_250.0,
}
TOTAL_EXPORTS = {
    2: 325_010.0,
    3: 173_670.0,
    4: 200_850.0,
    5: 212_880.0,
    6: 216_740.0,
    7: 215_170.0,
    8: 217_350.0,
    9: 226_690.0,
    10: 217_330.0,
    11: 227_390.0,
    12: 221_250.0,
}


def release_id(*parts) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "tradewatch-gacc-" + "-".join(map(str, parts))))


def cumulative(series: dict[int, float], month: int) -> float:
    return sum(v for m, v in series.items() if m <= month)


def number(value: float, decimals: int = 0) -> str:
    return f"{value:,.{decimals}f}"


TABLE_ATTRS = 'style="border-collapse:collapse;" border="0" cellspacing="0" class="ke-zeroborder"'


def page(title: str, date: str, table: str) -> str:
    return f"""<!DOCTYPE html>
<html>
<head>
    <meta charset="UTF-8">
    <title>{title}</title>
</head>
<body>
        <div class="atcl">
            <div class="atcl-main">
                <div class="atcl-ttl">{title}</div>
            </div>
            <div class="atcl-layout">
                <div class="atcl-main">
                    <div class="atcl-date">{date}</div>
                    <div class="atcl-cnt" style="overflow-x:auto"><table {TABLE_ATTRS}>
	<tbody>
{table}
	</tbody>
</table></div>
                </div>
            </div>
        </div>
</body>
</html>
"""


def cell(text: str, attrs: str = "", bold: bool = False) -> str:
    inner = f"<b>{text}</b>" if bold else text
    return f"\t\t\t<td{attrs}>\n\t\t\t\t<span>{inner}</span>\n\t\t\t</td>\n"


def row(cells: list[str]) -> str:
    return "\t\t<tr>\n" + "".join(cells) + "\t\t</tr>\n"


def commodity_table(title: str, month: int, rows: list[tuple[str, dict, str]], coal=None) -> str:
    combined = month == 2
    width = 6 if combined else 8
    html = row([cell(title, f' colspan="{width}" align="center"', True)])
    html += row([cell("Unit:US$1,000", f' colspan="{width}" align="right"', True)])
    top = [
        cell("Commodity", ' rowspan="2" align="center"', True),
        cell("Quantity<br />\nUnit", ' rowspan="2" align="center"', True),
    ]
    if not combined:
        top.append(cell(str(month), ' colspan="2" align="center"', True))
    top += [
        cell(f"1to{month}", ' colspan="2" align="center"', True),
        cell("Percentage Change", ' colspan="2" align="center"', True),
    ]
    html += row(top)
    pairs = 2 if combined else 3
    html += row(
        [
            cell(name, ' align="center"', True)
            for _ in range(pairs)
            for name in ("Quantity", "Value&nbsp;")
        ]
    )
    for name, series, kind in rows:
        this = (coal or {}).get(month, series[month]) if kind == "coal" else series[month]
        values = dict(series)
        if kind == "coal" and coal:
            values.update(coal)
        total = cumulative(values, month)
        price = PRICE_USD_PER_T[kind]
        cells = [cell(name, ' align="left"', True), cell("10000T", ' align="center"', True)]
        if not combined:
            cells += [
                cell(number(this), ' align="right"'),
                cell(number(this * 10 * price), ' align="right"'),
            ]
        cells += [
            cell(number(total), ' align="right"'),
            cell(number(total * 10 * price), ' align="right"'),
            cell(f"{(month * 7) % 23 - 9:.1f}", ' align="right"'),
            cell(f"{(month * 11) % 29 - 8:.1f}", ' align="right"'),
        ]
        html += row(cells)
    return html


def country_table(title: str, month: int) -> str:
    combined = month == 2
    periods = [f"1- to-{month}"] if combined else [str(month), f"1- to-{month}"]
    width = 1 + 3 * len(periods) + 3
    html = row([cell(title, f' colspan="{width}" align="center"', True)])
    html += row([cell("Unit: USD 1 Million", f' colspan="{width}" align="right"', True)])
    top = [cell("Import Source", ' align="center"', True)]
    for flow in ("Export &amp; Import", "Export", "Import"):
        top += [cell(flow, ' align="center"', True) for _ in periods]
    top.append(cell(f"1-to-{month} Total Year-on-Year ( ± %)", ' colspan="3" align="center"', True))
    html += row(top)
    second = [cell("Export Destination", ' align="center"', True)]
    second += [cell(p, ' align="center"', True) for _ in range(3) for p in periods]
    second += [
        cell(f, ' align="center"', True) for f in ("Export &amp; Import", "Export", "Import")
    ]
    html += row(second)
    partners = [
        ("Total", TOTAL_EXPORTS, TOTAL_IMPORTS),
        (
            "Japan",
            {m: v * 0.058 for m, v in TOTAL_EXPORTS.items()},
            {m: v * 0.083 for m, v in TOTAL_IMPORTS.items()},
        ),
        (
            "R. O. Korea",
            {m: v * 0.044 for m, v in TOTAL_EXPORTS.items()},
            {m: v * 0.096 for m, v in TOTAL_IMPORTS.items()},
        ),
        ("D.P.R. Korea", DPRK_EXPORTS, DPRK_IMPORTS),
        (
            "United States",
            {m: v * 0.192 for m, v in TOTAL_EXPORTS.items()},
            {m: v * 0.073 for m, v in TOTAL_IMPORTS.items()},
        ),
        (
            "Russian Federation",
            {m: v * 0.019 for m, v in TOTAL_EXPORTS.items()},
            {m: v * 0.028 for m, v in TOTAL_IMPORTS.items()},
        ),
    ]
    for name, exports, imports in partners:
        both = {m: exports[m] + imports[m] for m in exports}
        cells = [cell(name)]
        for series in (both, exports, imports):
            if not combined:
                cells.append(cell(number(series[month], 1)))
            cells.append(cell(number(cumulative(series, month), 1)))
        cells += [cell(f"{(month * k) % 19 - 6:.1f}") for k in (3, 5, 7)]
        html += row(cells)
    return html


def index(title_rows: list[tuple[str, dict[int, str]]]) -> str:
    body = ""
    for title, links in title_rows:
        months = ""
        for m, name in enumerate(MONTH_NAMES, start=1):
            months += f"<a href={links[m]}> {name}.</a>" if m in links else f"<span>{name}.</span>"
            if m == 6:
                months += "</br>"
        body += f"<tr><td>{title}</td><td>{months}</td></tr>"
    return f"""<!DOCTYPE html>
<html>
<head>
    <meta charset="UTF-8">
    <title>News - Newsroom - GACC</title>
</head>
<body>
                    <table><thead><tr><th>Title</th><th>Month</th></tr></thead><tbody>{body}</tbody></table>
</body>
</html>
"""


def main() -> None:
    statics = OUT / "Statics"
    statics.mkdir(parents=True, exist_ok=True)
    commodity_rows = [
        ("Metal mines and ores", {m: IRON[m] * 1.18 for m in IRON}, "metal"),
        ("&nbsp;&nbsp;&nbsp;&nbsp;Iron ores and concentrates", IRON, "iron"),
        ("Coal and lignite", COAL, "coal"),
        ("Crude petroleum oils", OIL, "oil"),
    ]
    preliminary: dict[str, dict[int, str]] = {"commodity": {}, "country": {}}
    for month in range(2, 13):
        label = "Jan-Feb" if month == 2 else MONTH_NAMES[month - 1]
        date = f"{YEAR + (month == 12)}/{month % 12 + 1:02d}/{PRELIMINARY_DAY:02d}"
        title = f"(6) China's Major Imports by Quantity and Value, {label} {YEAR} (in USD)"
        name = release_id("preliminary", "commodity", YEAR, month)
        (statics / f"{name}.html").write_text(
            page(title, date, commodity_table(title, month, commodity_rows)), encoding="utf-8"
        )
        preliminary["commodity"][month] = f"{BASE}/Statics/{name}.html"
        title = (
            f"(4) China's Total Export & Import Values by Country/Region, {label} {YEAR} (in USD)"
        )
        name = release_id("preliminary", "country", YEAR, month)
        (statics / f"{name}.html").write_text(
            page(title, date, country_table(title, month)), encoding="utf-8"
        )
        preliminary["country"][month] = f"{BASE}/Statics/{name}.html"
    bulletin: dict[int, str] = {}
    for month in BULLETIN_COAL:
        date = f"{YEAR}/{month + 1:02d}/{BULLETIN_DAY:02d}"
        title = f"(14) Major Import Commodities in Quantity and Value,{month}.{YEAR}"
        name = release_id("monthly", "commodity", YEAR, month)
        (statics / f"{name}.html").write_text(
            page(title, date, commodity_table(title, month, commodity_rows, BULLETIN_COAL)),
            encoding="utf-8",
        )
        bulletin[month] = f"{BASE}/Statics/{name}.html"
    report = OUT / "statics" / "report"
    report.mkdir(parents=True, exist_ok=True)
    (report / f"preliminary{YEAR}.html").write_text(
        index(
            [
                ("(1) China's Total Export & Import Values (in USD)", {}),
                (
                    "(4) China's Total Export & Import Values by Country/Region (in USD)",
                    preliminary["country"],
                ),
                (
                    "(6) China's Major Imports by Quantity and Value (in USD)",
                    preliminary["commodity"],
                ),
                ("(7) Statistics Bulletin on Freight Supervision", {}),
            ]
        ),
        encoding="utf-8",
    )
    (report / f"monthly{YEAR}.html").write_text(
        index(
            [
                ("(14) Major Import Commodities in Quantity and Value", bulletin),
            ]
        ),
        encoding="utf-8",
    )
    print(f"wrote {len(list(statics.iterdir()))} release pages and 2 index pages under {OUT}")


if __name__ == "__main__":
    main()
