"""Parse GACC index and release pages with beautifulsoup4: pure, bytes in, rows out."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from bs4 import BeautifulSoup, Tag

from ...schemas import TRADE_COLUMNS, Month, country_by_name, series_key
from ..errors import LayoutChanged
from . import settings

MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}
FIGURE_COLUMNS = [
    "table",
    "name",
    "hs_code",
    "partner_code",
    "flow",
    "measure",
    "period_kind",
    "period_start",
    "period_end",
    "value",
    "unit",
    "published",
    "published_unit",
    "row_number",
    "column_number",
]


class NoTable(LayoutChanged):
    """A release page without an HTML table (some 2018 pages only link an .xls file)."""


class UnknownUnit(LayoutChanged):
    """A unit the parser has no conversion for."""


@dataclass(frozen=True)
class RawPage:
    """One fetched page and where it came from."""

    url: str
    body: bytes
    fetched_at: dt.datetime
    exchange_id: str | None = None


@dataclass(frozen=True)
class ReleaseLink:
    """A link on an index page to one month's release of one table."""

    publication: str
    table: str
    title: str
    year: int
    month: int
    url: str


@dataclass(frozen=True)
class Release:
    """What a release page says about itself."""

    url: str
    title: str
    table: str
    year: int
    month: int
    combined: bool
    release_date: dt.date
    currency: str
    unit: str


def normal(text: str) -> str:
    """Lower case, non-breaking spaces and runs of whitespace collapsed, full-width brackets."""
    text = text.replace("（", "(").replace("）", ")")
    return re.sub(r"\s+", " ", text).strip().lower()  # \s is Unicode's: it takes "\xa0" too


def _soup(page: RawPage) -> BeautifulSoup:
    try:
        text = page.body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LayoutChanged(page.url, f"page is not UTF-8 text ({exc})") from exc
    return BeautifulSoup(text, "lxml")


def table_kind(title: str) -> str | None:
    """Which of the tables tradewatch reads a title names, if any."""
    lowered = normal(title)
    for kind, needles in settings.TABLES.items():
        if any(n in lowered for n in needles):
            return kind
    return None


def currency_of(title: str) -> str | None:
    lowered = normal(title)
    for marker in ("in usd", "in cny"):
        if marker in lowered:
            return marker[3:].upper()
    return None


def parse_index(page: RawPage, publication: str, year: int) -> list[ReleaseLink]:
    """Every published month of every table tradewatch reads; unpublished months are spans."""
    soup = _soup(page)
    table = next(
        (
            t
            for t in soup.find_all("table")
            if [normal(th.get_text()) for th in t.find_all("th")][:2] == ["title", "month"]
        ),
        None,
    )
    if table is None:
        raise LayoutChanged(page.url, "no index table with a Title and a Month column")
    links = []
    for row in table.find_all("tr"):
        cells = row.find_all("td")
        if len(cells) != 2:
            continue
        title = cells[0].get_text(" ", strip=True)
        kind = table_kind(title)
        if kind is None:
            continue
        for anchor in cells[1].find_all("a"):
            label = normal(anchor.get_text())[:3]  # "Jan", "Jan.", "January"
            if label not in MONTHS or not anchor.get("href"):
                raise LayoutChanged(page.url, f"month link {anchor.get_text()!r} not understood")
            href = anchor["href"]
            url = href if href.startswith("http") else settings.BASE_URL + "/" + href.lstrip("/")
            links.append(ReleaseLink(publication, kind, title, year, MONTHS[label], url))
    return links


_TITLE_MONTH = [
    # ",7.2026" (the monthly bulletin)
    (re.compile(r",\s*(\d{1,2})\.(\d{4})"), lambda m: (int(m[2]), int(m[1]), False)),
    # "Jan-Feb 2018", "January-February 2018"
    (
        re.compile(r"jan(?:uary)?\.?\s*-\s*feb(?:ruary)?\.?\s*,?\s*(\d{4})"),
        lambda m: (int(m[1]), 2, True),
    ),
    # "Mar 2026", "March 2026"
    (
        re.compile(r"\b(" + "|".join(MONTHS) + r")[a-z]*\.?\s*,?\s*(\d{4})"),
        lambda m: (int(m[2]), MONTHS[m[1]], False),
    ),
]


def _title_month(url: str, title: str) -> tuple[int, int, bool]:
    lowered = normal(title)
    for pattern, read in _TITLE_MONTH:
        match = pattern.search(lowered)
        if match:
            return read(match)
    raise LayoutChanged(url, f"no month in the title {title!r}")


def _release_date(url: str, soup: BeautifulSoup) -> dt.date:
    node = soup.select_one(".atcl-date")
    text = node.get_text(strip=True) if node else ""
    for fmt in ("%Y/%m/%d", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise LayoutChanged(url, f"release date {text!r} not understood")


def _grid(url: str, rows: list[Tag]) -> list[list[str]]:
    """The cells of ``rows`` as a rectangle, rowspan and colspan expanded."""
    grid: list[list[str | None]] = []
    pending: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows):
        line: list[str | None] = []
        c = 0
        for cell in row.find_all(["td", "th"]):
            while (r, c) in pending:
                line.append(pending.pop((r, c)))
                c += 1
            text = cell.get_text(" ", strip=True)
            span, down = _span(url, cell, "colspan", r), _span(url, cell, "rowspan", r)
            for k in range(span):
                line.append(text)
                for d in range(1, down):
                    pending[(r + d, c + k)] = text
            c += span
        while (r, c) in pending:
            line.append(pending.pop((r, c)))
            c += 1
        grid.append(line)
    width = max((len(line) for line in grid), default=0)
    return [[cell or "" for cell in line] + [""] * (width - len(line)) for line in grid]


def _span(url: str, cell: Tag, attribute: str, row: int) -> int:
    """A cell's colspan or rowspan: a whole number from 1 to ``settings.MAX_SPAN`` (absent is 1).

    Browsers guess at "abc", "0" or 10,000; a statistics table that says so has changed in a way
    tradewatch should not guess about.
    """
    value = cell.get(attribute)
    if value is None or str(value).strip() == "":
        return 1
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= settings.MAX_SPAN:
        raise LayoutChanged(
            url, f"row {row}: {attribute}={text!r} is not a span of 1 to {settings.MAX_SPAN} cells"
        )
    return int(text)


_CUMULATIVE = re.compile(r"^1\s*-?\s*to\s*-?\s*(\d{1,2})$")
_LABELS = {"commodity", "import source", "export destination", "country/region", "country"}
_FLOWS = {"export & import": "MX", "export": "X", "import": "M"}


def _column(url: str, headers: list[str], month: int, index: int) -> dict | None:
    """What a column holds, from its stacked header texts; None for a label column."""
    texts = [normal(h) for h in dict.fromkeys(headers) if normal(h)]
    meaning: dict = {}
    for text in texts:
        if text in _LABELS:
            return None
        if text == "quantity unit":
            return {"role": "unit"}
        if "year-on-year" in text or "percentage change" in text:
            meaning["period_kind"] = "yoy_pct"
        elif text.isdigit():
            if int(text) != month:
                raise LayoutChanged(url, f"column {index} is month {text}, the title says {month}")
            meaning.setdefault("period_kind", "month")
        elif _CUMULATIVE.match(text):
            if int(_CUMULATIVE.match(text)[1]) != month:
                raise LayoutChanged(url, f"column {index} is 1 to {text}, the title says {month}")
            meaning.setdefault("period_kind", "cumulative")
        elif text in ("quantity", "value"):
            meaning["measure"] = text
        elif text in _FLOWS:
            meaning["flow"] = _FLOWS[text]
        else:
            raise LayoutChanged(url, f"unknown header {text!r} over column {index}")
    if "period_kind" not in meaning:
        raise LayoutChanged(url, f"column {index} has no period in its header {texts}")
    return meaning


# A published figure: ASCII digits, thousands separated by commas (or not), a decimal point,
# a leading minus (year-on-year changes). No exponent, no NaN, no other script's digits.
_NUMBER = re.compile(r"^-?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?$")


def _number(url: str, text: str, where: str) -> Decimal | None:
    """A published number, exactly (scaling "18,749.4" by 10^8 must not add a rounding tail)."""
    cleaned = text.replace("\xa0", "").strip()
    if cleaned in settings.BLANK:
        return None
    if not _NUMBER.match(cleaned):
        raise LayoutChanged(url, f"{where}: {text!r} is not a number")
    return Decimal(cleaned.replace(",", ""))


def parse_release(page: RawPage) -> tuple[Release, pd.DataFrame]:
    """The release's own description, and one row per figure of its table, units normalised.

    Quantities become kilograms and values the stated currency in units (not thousands); the
    figure as published and its unit are kept beside each. The combined January–February
    release has only cumulative "1 to 2" columns and gives no month figure.
    """
    soup = _soup(page)
    title_node = soup.select_one(".atcl-ttl")
    if title_node is None:
        raise LayoutChanged(page.url, "no release title (.atcl-ttl)")
    title = title_node.get_text(" ", strip=True)
    kind = table_kind(title)
    if kind is None:
        raise LayoutChanged(page.url, f"not a table tradewatch reads: {title!r}")
    year, month, combined = _title_month(page.url, title)
    release_date = _release_date(page.url, soup)
    content = soup.select_one(".atcl-cnt")
    table = content.find("table") if content else None
    if table is None:
        xls = content and content.find("a", href=re.compile(r"\.xlsx?$", re.I))
        extra = f" (only a spreadsheet link: {xls['href']})" if xls else ""
        raise NoTable(page.url, f"no HTML table in the release{extra}")
    rows = table.find_all("tr")
    grid = _grid(page.url, rows)
    width = len(grid[0]) if grid else 0
    unit_text, header_rows, first_data = None, [], None
    for r, line in enumerate(grid):
        distinct = {normal(c) for c in line if normal(c)}
        if len(distinct) == 1 and width > 1:
            only = next(c for c in line if normal(c))
            found = re.match(r"^\s*unit\s*[:：]\s*(.+)$", only, re.IGNORECASE)
            if found:
                unit_text = re.sub(r"\s+", " ", found[1]).strip()
            continue  # the title row, or the unit row
        if normal(line[0]) not in _LABELS:
            first_data = r
            break
        header_rows.append(line)
    if unit_text is None:
        raise UnknownUnit(page.url, "the table states no unit")
    if unit_text.lower() not in settings.VALUE_UNITS:
        raise UnknownUnit(page.url, f"unknown unit {unit_text!r}")
    currency, scale = settings.VALUE_UNITS[unit_text.lower()]
    if first_data is None or not header_rows:
        raise LayoutChanged(page.url, "no header or no data rows in the table")
    columns = {}
    for c in range(1, width):
        meaning = _column(page.url, [h[c] for h in header_rows], month, c)
        if meaning is not None:
            columns[c] = meaning
    has_month = any(m.get("period_kind") == "month" for m in columns.values())
    if combined and has_month:
        raise LayoutChanged(page.url, "a January-February release with a single-month column")
    if not has_month and month == 2:
        combined = True
    unit_column = next((c for c, m in columns.items() if m.get("role") == "unit"), None)
    release = Release(
        page.url, title, kind, year, month, combined, release_date, currency, unit_text
    )
    figures = []
    for r in range(first_data, len(grid)):
        line = grid[r]
        name = re.sub(r"\s+", " ", line[0]).strip()
        if not name or (len({normal(c) for c in line if normal(c)}) == 1 and width > 1):
            continue  # a blank row or a note spanning the table
        row_unit = line[unit_column].strip() if unit_column is not None else None
        for c, meaning in columns.items():
            if meaning.get("role") == "unit":
                continue
            number = _number(page.url, line[c], f"row {name!r} column {c}")
            if number is None:
                continue
            figures.append(
                _figure(release, scale, (r, name, row_unit), meaning, (c, line[c], number))
            )
    if not figures:
        raise LayoutChanged(page.url, "the table holds no figures")
    return release, pd.DataFrame(figures, columns=FIGURE_COLUMNS).astype({"partner_code": "Int64"})


def _figure(
    release: Release,
    scale: int,
    row: tuple[int, str, str | None],
    meaning: dict,
    cell: tuple[int, str, Any],
) -> dict:
    """One published figure: row ``(number, name, unit)``, cell ``(column, text, number)``."""
    (r, name, row_unit), (c, published, number) = row, cell
    url, kind, key = release.url, release.table, normal(name)
    period_kind = meaning["period_kind"]
    if period_kind == "month":
        start = end = dt.date(release.year, release.month, 1)
    else:
        start, end = dt.date(release.year, 1, 1), dt.date(release.year, release.month, 1)
    if kind == "country":
        measure = meaning.get("measure", "value")
        flow = meaning.get("flow")
        if flow is None:
            raise LayoutChanged(url, f"column {c} of a country table names no flow")
        hs_code, partner = "TOTAL", country_by_name(key)
    else:
        measure = meaning.get("measure")
        if measure is None:
            raise LayoutChanged(url, f"column {c} names neither quantity nor value")
        flow = "M" if kind == "commodity_imports" else "X"
        hs_code, partner = settings.COMMODITY_HS.get(key), 0
    if period_kind == "yoy_pct":
        value, unit, published_unit = float(number), "%", "%"
    elif measure == "value":
        value, unit, published_unit = float(number * scale), release.currency, release.unit
    else:
        published_unit = row_unit or ""
        per_unit = settings.QUANTITY_UNITS_KG.get(published_unit.lower())
        if per_unit is None and hs_code is not None:
            raise UnknownUnit(url, f"unknown quantity unit {published_unit!r} for {name!r}")
        value, unit = (
            (float(number * per_unit), "kg") if per_unit else (float(number), published_unit)
        )
    return {
        "table": kind,
        "name": name,
        "hs_code": hs_code,
        "partner_code": partner,
        "flow": flow,
        "measure": measure,
        "period_kind": period_kind,
        "period_start": start,
        "period_end": end,
        "value": value,
        "unit": unit,
        "published": published,
        "published_unit": published_unit,
        "row_number": r,
        "column_number": c,
    }


def preferred_links(links: list[ReleaseLink]) -> dict[tuple[str, str, int, int], ReleaseLink]:
    """One link per publication, table and month: the USD table where both currencies exist."""
    chosen: dict[tuple[str, str, int, int], ReleaseLink] = {}
    for link in links:
        key = (link.publication, link.table, link.year, link.month)
        if key not in chosen or currency_of(link.title) == "USD":
            chosen[key] = link
    return chosen


def trade_rows(release: Release, figures: pd.DataFrame) -> pd.DataFrame:
    """The month's figures for mapped commodities and countries, in the trade schema's shape.

    Values in CNY are not converted: ``value_usd`` stays empty and the CNY figure stays in
    ``gacc_figures``. The index is the table cell (row x 100 + column) of each row's first figure.
    """
    month = figures[
        (figures["period_kind"] == "month")
        & figures["hs_code"].notna()
        & figures["partner_code"].notna()
        & figures["flow"].isin(["M", "X"])
    ]
    rows = []
    for (hs, partner, flow), group in month.groupby(["hs_code", "partner_code", "flow"], sort=True):
        by_measure = {r.measure: r for r in group.itertuples()}
        quantity, value = by_measure.get("quantity"), by_measure.get("value")
        kg = quantity.value if quantity is not None and quantity.unit == "kg" else None
        usd = value.value if value is not None and value.unit == "USD" else None
        if kg is None and usd is None:
            continue  # a CNY value alone: it stays in gacc_figures, unconverted
        first = min(group.itertuples(), key=lambda r: (r.row_number, r.column_number))
        rows.append(
            (
                first.row_number * 100 + first.column_number,
                {
                    "source": settings.SOURCE,
                    "reporter_code": settings.REPORTER,
                    "partner_code": int(partner),
                    "hs_code": hs,
                    "flow": flow,
                    "freq": "M",
                    "period": dt.date(release.year, release.month, 1),
                    "net_weight_kg": kg,
                    "quantity": kg,
                    "quantity_unit": "kg" if kg is not None else None,
                    "value_usd": usd,
                },
            )
        )
    frame = pd.DataFrame([r for _, r in rows], columns=TRADE_COLUMNS, dtype=object)
    frame.index = pd.Index([i for i, _ in rows], dtype="int64")
    return frame


def release_months(release: Release) -> list[Month]:
    """The months a release stands for: its month, or January and February published together."""
    if release.combined:
        return [Month(release.year, 1), Month(release.year, 2)]
    return [Month(release.year, release.month)]


def combined_series(figures: pd.DataFrame, watched: Sequence[str]) -> list[str]:
    """The watched series a January-February release gives figures for (cumulative only)."""
    present = figures.dropna(subset=["hs_code", "partner_code"])
    given = {
        series_key(settings.REPORTER, int(r.partner_code), r.hs_code, r.flow)
        for r in present.itertuples()
    }
    return sorted(given & set(watched))


def table_of(series) -> str:
    """The kind of GACC table that publishes a watched series."""
    if series.hs_code == "TOTAL":
        return "country"
    return "commodity_imports" if series.flow == "M" else "commodity_exports"


def release_month(month: Month) -> int:
    """The release a month's figures come in: January's with February's, combined."""
    return 2 if month.month == 1 else month.month
