"""GACC's parser on pages written here, in the shape of the real ones (not copies of them).

Each layout change the parser names is tried once and its whole message and URL checked, so a
message that loses its URL or its detail is seen (these tests came from mutation testing: the
real samples exercise the happy path; these exercise every other branch).
"""

import datetime as dt
from types import SimpleNamespace

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from tradewatch.pipelines.gacc import LayoutChanged, NoTable, RawPage, UnknownUnit, parse_index
from tradewatch.pipelines.gacc import parse as gacc
from tradewatch.pipelines.gacc.parse import (
    Release,
    ReleaseLink,
    combined_series,
    currency_of,
    parse_release,
    preferred_links,
    release_month,
    release_months,
    table_of,
    trade_rows,
)
from tradewatch.schemas import Month

URL = "http://english.customs.gov.cn/Statics/written-release.html"
TITLE = "China's Major Imports by Quantity and Value（in USD）, March 2026"
HEADER = (
    '<tr><td rowspan="2">Commodity</td><td rowspan="2">Quantity Unit</td>'
    '<td colspan="2">3</td><td colspan="2">1 to 3</td><td>Year-on-Year</td></tr>'
    "<tr><td>Quantity</td><td>Value</td><td>Quantity</td><td>Value</td><td>Value</td></tr>"
)
ROWS = (
    "<tr><td>Coal  and\xa0lignite</td><td>10000T</td><td>2,345</td><td>1\xa0000</td>"
    "<td>6,000</td><td>3,000.5</td><td>-12.5</td></tr>"
    '<tr><td colspan="7">Note: figures are preliminary</td></tr>'
    "<tr><td></td><td></td><td></td><td></td><td></td><td></td><td></td></tr>"
    "<tr><td>Iron ores and concentrates</td><td>Ton</td><td>-</td><td>50</td>"
    "<td>7</td><td>--</td><td></td></tr>"
)


def release_page(
    title=TITLE, date="2026/04/13", unit="Unit：\xa0US$1,000", header=HEADER, rows=ROWS, width=7
) -> RawPage:
    unit_row = f'<tr><td colspan="{width}">{unit}</td></tr>' if unit is not None else ""
    html = (
        f'<html><body><div class="atcl-ttl">{title}</div><div class="atcl-date">{date}</div>'
        f'<div class="atcl-cnt"><table>{unit_row}{header}{rows}</table></div></body></html>'
    )
    return RawPage(URL, html.encode(), dt.datetime(2026, 4, 14, tzinfo=dt.UTC))


def named_error(kind, page: RawPage, reason: str, parse=parse_release):
    with pytest.raises(kind) as err:
        parse(page)
    assert type(err.value) is kind
    assert (err.value.url, err.value.reason) == (URL, reason)
    assert str(err.value) == f"{URL}: {reason}"


def test_a_written_release_reads_every_figure_exactly():
    release, figures = parse_release(release_page())
    assert release == Release(
        URL,
        "China's Major Imports by Quantity and Value（in USD）, March 2026",
        "commodity_imports",
        2026,
        3,
        False,
        dt.date(2026, 4, 13),
        "USD",
        "US$1,000",
    )
    march, q1 = dt.date(2026, 3, 1), (dt.date(2026, 1, 1), dt.date(2026, 3, 1))
    expected = pd.DataFrame(
        [
            ("Coal and lignite", "2701", "quantity", "month", march, march, 23_450_000_000.0,
             "kg", "2,345", "10000T", 2),
            ("Coal and lignite", "2701", "value", "month", march, march, 1_000_000.0,
             "USD", "1\xa0000", "US$1,000", 3),
            ("Coal and lignite", "2701", "quantity", "cumulative", *q1, 60_000_000_000.0,
             "kg", "6,000", "10000T", 4),
            ("Coal and lignite", "2701", "value", "cumulative", *q1, 3_000_500.0,
             "USD", "3,000.5", "US$1,000", 5),
            ("Coal and lignite", "2701", "value", "yoy_pct", *q1, -12.5, "%", "-12.5", "%", 6),
            ("Iron ores and concentrates", "2601", "value", "month", march, march, 50_000.0,
             "USD", "50", "US$1,000", 3),
            ("Iron ores and concentrates", "2601", "quantity", "cumulative", *q1, 7_000.0,
             "kg", "7", "Ton", 4),
        ],
        columns=["name", "hs_code", "measure", "period_kind", "period_start", "period_end",
                 "value", "unit", "published", "published_unit", "column_number"],
    )  # fmt: skip
    expected.insert(0, "table", "commodity_imports")
    expected.insert(3, "partner_code", pd.array([0] * 7, dtype="Int64"))
    expected.insert(4, "flow", "M")
    expected.insert(13, "row_number", [3, 3, 3, 3, 3, 6, 6])
    assert list(figures.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(figures, expected, check_dtype=True)


def test_the_written_month_becomes_trade_rows_in_kilograms_and_dollars_by_first_cell():
    release, figures = parse_release(release_page())
    rows = trade_rows(release, figures)
    assert list(rows.index) == [603, 302]
    assert rows.dtypes.unique().tolist() == [object]
    assert rows.loc[302].to_dict() == {
        "source": "gacc",
        "reporter_code": 156,
        "partner_code": 0,
        "hs_code": "2701",
        "flow": "M",
        "freq": "M",
        "period": dt.date(2026, 3, 1),
        "net_weight_kg": 23_450_000_000.0,
        "quantity": 23_450_000_000.0,
        "quantity_unit": "kg",
        "value_usd": 1_000_000.0,
    }
    iron = rows.loc[603].to_dict()  # no March quantity: only its value
    assert (iron["net_weight_kg"], iron["quantity"], iron["quantity_unit"]) == (None, None, None)
    assert iron["value_usd"] == 50_000.0


def test_trade_rows_are_sorted_by_series_and_skip_a_cny_value_alone_without_stopping():
    release, figures = parse_release(release_page())
    cny = figures.copy()
    cny.loc[(cny.hs_code == "2601") & (cny.measure == "value"), "unit"] = "CNY"
    # the iron ore series (first in sort order) has nothing loadable; coal after it still is
    rows = trade_rows(release, cny)
    assert list(rows.index) == [302] and list(rows.hs_code) == ["2701"]
    exports = figures.assign(flow="X")
    both = pd.concat([exports, figures], ignore_index=True)
    assert list(trade_rows(release, both)[["hs_code", "flow"]].itertuples(index=False)) == [
        ("2601", "M"),
        ("2601", "X"),
        ("2701", "M"),
        ("2701", "X"),
    ]
    other = figures.assign(flow="x")
    assert trade_rows(release, other).empty


def test_trade_rows_index_is_the_first_cell_of_the_series_whatever_the_order():
    release, figures = parse_release(release_page())
    reordered = figures.iloc[::-1]
    assert list(trade_rows(release, reordered).index) == [603, 302]
    renumbered = figures.iloc[::-1].reset_index(drop=True)
    assert list(trade_rows(release, renumbered).index) == [603, 302]
    empty = trade_rows(release, figures.iloc[0:0])
    assert list(empty.columns)[:3] == ["source", "reporter_code", "partner_code"]
    assert str(empty.index.dtype) == "int64"


@pytest.mark.parametrize(
    ("date", "day"),
    [("2026/04/13", dt.date(2026, 4, 13)), ("13/04/2026", dt.date(2026, 4, 13)),
     ("2026-04-13", dt.date(2026, 4, 13)), (" 2026-04-13 ", dt.date(2026, 4, 13))],
)  # fmt: skip
def test_release_dates_in_each_published_form(date, day):
    assert parse_release(release_page(date=date))[0].release_date == day


def test_a_release_date_in_no_known_form_is_named():
    unknown = release_page(date="13/04/26")
    named_error(LayoutChanged, unknown, "release date '13/04/26' not understood")
    page = release_page()
    page = RawPage(URL, page.body.replace(b'class="atcl-date"', b'class="other"'), page.fetched_at)
    named_error(LayoutChanged, page, "release date '' not understood")


@pytest.mark.parametrize(
    ("change", "kind", "reason"),
    [
        ({"title": "Customs news"}, LayoutChanged, "not a table tradewatch reads: 'Customs news'"),
        ({"title": "China's Major Imports by Quantity and Value"}, LayoutChanged,
         "no month in the title \"China's Major Imports by Quantity and Value\""),
        ({"unit": None}, UnknownUnit, "the table states no unit"),
        ({"unit": "Unit: EUR  1,000"}, UnknownUnit, "unknown unit 'EUR 1,000'"),
        ({"rows": ""}, LayoutChanged, "no header or no data rows in the table"),
        ({"rows": "<tr><td>Coal</td><td>10000T</td><td>-</td><td>-</td><td></td><td>/</td>"
                  "<td>…</td></tr>"}, LayoutChanged, "the table holds no figures"),
        ({"header": HEADER.replace(">3<", ">4<")}, LayoutChanged,
         "column 2 is month 4, the title says 3"),
        ({"header": HEADER.replace("1 to 3", "1 to 2")}, LayoutChanged,
         "column 4 is 1 to 1 to 2, the title says 3"),
        ({"header": HEADER.replace("Year-on-Year", "Share")}, LayoutChanged,
         "unknown header 'share' over column 6"),
        ({"header": HEADER.replace("Year-on-Year", "Import")}, LayoutChanged,
         "column 6 has no period in its header ['import', 'value']"),
        ({"header": HEADER.replace("<td>Value</td></tr>", "<td>Import</td></tr>")},
         LayoutChanged, "column 6 names neither quantity nor value"),
        ({"rows": ROWS.replace("10000T", "barrels")}, UnknownUnit,
         "unknown quantity unit 'barrels' for 'Coal and lignite'"),
        ({"rows": ROWS.replace("2,345", "2,34")}, LayoutChanged,
         "row 'Coal and lignite' column 2: '2,34' is not a number"),
        ({"rows": ROWS.replace('colspan="7"', 'colspan="51"')}, LayoutChanged,
         "row 4: colspan='51' is not a span of 1 to 50 cells"),
        ({"rows": ROWS.replace('colspan="7"', 'colspan="0"')}, LayoutChanged,
         "row 4: colspan='0' is not a span of 1 to 50 cells"),
        ({"header": HEADER.replace('rowspan="2"', 'rowspan="x"', 1)}, LayoutChanged,
         "row 1: rowspan='x' is not a span of 1 to 50 cells"),
        ({"title": "China's Major Imports by Quantity and Value, Jan-Feb 2026",
          "header": HEADER.replace(">3<", ">2<").replace("1 to 3", "1 to 2")}, LayoutChanged,
         "a January-February release with a single-month column"),
    ],
)  # fmt: skip
def test_every_layout_change_is_named_with_its_url_and_detail(change, kind, reason):
    named_error(kind, release_page(**change), reason)


def test_a_page_not_in_utf8_and_a_page_without_title_or_table_are_named():
    named_error(
        LayoutChanged,
        RawPage(URL, b"<html>\xff</html>", dt.datetime(2026, 4, 14, tzinfo=dt.UTC)),
        "page is not UTF-8 text ('utf-8' codec can't decode byte 0xff in position 6:"
        " invalid start byte)",
    )
    page = release_page()
    untitled = RawPage(URL, page.body.replace(b"atcl-ttl", b"ttl"), page.fetched_at)
    named_error(LayoutChanged, untitled, "no release title (.atcl-ttl)")
    head = page.body.split(b"<table>")[0]
    bare = RawPage(URL, head + b"</div></body></html>", page.fetched_at)
    named_error(NoTable, bare, "no HTML table in the release")
    linked = RawPage(URL, head + b'<a href="/t/r.XLS">xls</a></div>', page.fetched_at)
    named_error(NoTable, linked, "no HTML table in the release (only a spreadsheet link: /t/r.XLS)")


def test_a_country_table_names_its_flows_and_refuses_a_column_without_one():
    title = "China's Imports and Exports by Country/Region (in USD), March 2026"
    header = (
        '<tr><td rowspan="2">Country/Region</td><td colspan="2">3</td></tr>'
        "<tr><td>Export</td><td>Import</td></tr>"
    )
    rows = "<tr><td>Japan</td><td>10</td><td>20</td></tr>"
    _, figures = parse_release(release_page(title=title, header=header, rows=rows, width=3))
    assert list(figures[["hs_code", "partner_code", "flow", "measure", "value"]].itertuples(
        index=False, name=None)) == [("TOTAL", 392, "X", "value", 10_000.0),
                                     ("TOTAL", 392, "M", "value", 20_000.0)]  # fmt: skip
    no_flow = header.replace("<td>Import</td>", "<td>Value</td>")
    named_error(
        LayoutChanged,
        release_page(title=title, header=no_flow, rows=rows, width=3),
        "column 2 of a country table names no flow",
    )


def test_an_unmapped_commodity_keeps_its_unit_as_published_and_exports_are_x():
    title = "China's Major Exports by Quantity and Value (in USD), March 2026"
    rows = ROWS.replace("Iron ores and concentrates", "Widgets").replace("Ton", "Sets")
    _, figures = parse_release(release_page(title=title, rows=rows))
    widgets = figures[figures.name == "Widgets"]
    assert set(figures.flow) == {"X"} and widgets.hs_code.isna().all()
    assert widgets[widgets.measure == "quantity"][["value", "unit", "published_unit"]].iloc[
        0
    ].tolist() == [7.0, "Sets", "Sets"]


def test_a_february_release_without_month_columns_stands_for_january_and_february():
    header = HEADER.replace('<td colspan="2">3</td>', "").replace("1 to 3", "1 to 2")
    header = header.replace("<td>Quantity</td><td>Value</td><td>Quantity", "<td>Quantity")
    rows = "<tr><td>Coal</td><td>10000T</td><td>5</td><td>6</td><td>7</td></tr>"
    title = "China's Major Imports by Quantity and Value (in USD), February 2026"
    release, figures = parse_release(release_page(title=title, header=header, rows=rows, width=5))
    assert release.combined and release.month == 2
    assert release_months(release) == [Month(2026, 1), Month(2026, 2)]
    assert release_months(Release(**{**release.__dict__, "combined": False})) == [Month(2026, 2)]
    march = release_page(
        title=TITLE.replace("March", "Mar."),
        header=header.replace("1 to 2", "1 to 3"),
        rows=rows,
        width=5,
    )
    release, _ = parse_release(march)
    assert not release.combined


def test_the_release_a_month_comes_in_and_the_table_a_series_comes_from():
    assert [release_month(Month(2026, m)) for m in (1, 2, 3, 12)] == [2, 2, 3, 12]

    def series(hs_code, flow):
        return SimpleNamespace(hs_code=hs_code, flow=flow)

    assert table_of(series("2701", "M")) == "commodity_imports"
    assert table_of(series("2701", "X")) == "commodity_exports"
    assert table_of(series("TOTAL", "M")) == table_of(series("TOTAL", "X")) == "country"


def test_combined_series_are_the_watched_ones_the_figures_give():
    _, figures = parse_release(release_page())
    watched = ["156-0-2701-M", "156-0-2709-M", "156-0-2601-X"]
    assert combined_series(figures, watched) == ["156-0-2701-M"]
    figures.loc[figures.hs_code == "2701", "published"] = None  # only codes decide
    assert combined_series(figures, watched) == ["156-0-2701-M"]
    figures.loc[figures.hs_code == "2701", "partner_code"] = pd.NA
    assert combined_series(figures, watched) == []


def test_currency_and_the_usd_table_preferred_whatever_the_order():
    assert [currency_of(t) for t in ("X (in USD)", "X （in CNY）", "X")] == ["USD", "CNY", None]

    def link(title):
        return ReleaseLink("monthly", "country", title, 2026, 3, f"http://x/{title}")

    usd, cny = link("T (in USD)"), link("T (in CNY)")
    key = ("monthly", "country", 2026, 3)
    assert preferred_links([usd, cny])[key] == usd
    assert preferred_links([cny, usd])[key] == usd
    assert preferred_links([cny])[key] == cny


INDEX = (
    "<html><body><table><tr><th>Title</th><th>Month</th><th>Note</th></tr>"
    "<tr><td>China's Major Imports by Quantity and Value (in USD)</td><td>"
    '<a href="http://other.example/jan.html">Jan.</a> <a href="/Statics/feb.html">February</a>'
    ' <a href="Statics/mar.html">Mar</a></td></tr>'
    "<tr><td>Something else</td><td><a href='/x.html'>Jan</a></td></tr>"
    "<tr><td>China's Major Exports by Quantity and Value</td><td>x</td><td>3 cells</td></tr>"
    "</table></body></html>"
)


def index_page(html=INDEX) -> RawPage:
    return RawPage(URL, html.encode(), dt.datetime(2026, 4, 14, tzinfo=dt.UTC))


def test_an_index_links_each_month_with_absolute_urls():
    links = parse_index(index_page(), "monthly", 2026)
    title = "China's Major Imports by Quantity and Value (in USD)"
    assert links == [
        ReleaseLink("monthly", "commodity_imports", title, 2026, 1, "http://other.example/jan.html"),
        ReleaseLink("monthly", "commodity_imports", title, 2026, 2,
                    "http://english.customs.gov.cn/Statics/feb.html"),
        ReleaseLink("monthly", "commodity_imports", title, 2026, 3,
                    "http://english.customs.gov.cn/Statics/mar.html"),
    ]  # fmt: skip


def test_an_index_month_link_not_understood_and_a_missing_table_are_named():
    bad = INDEX.replace(">Mar<", ">Q1<")
    named_error(
        LayoutChanged,
        index_page(bad),
        "month link 'Q1' not understood",
        lambda p: parse_index(p, "monthly", 2026),
    )
    no_href = INDEX.replace('href="Statics/mar.html"', "")
    named_error(
        LayoutChanged,
        index_page(no_href),
        "month link 'Mar' not understood",
        lambda p: parse_index(p, "monthly", 2026),
    )
    swapped = INDEX.replace("<th>Title</th><th>Month</th>", "<th>Month</th><th>Title</th>")
    named_error(
        LayoutChanged,
        index_page(swapped),
        "no index table with a Title and a Month column",
        lambda p: parse_index(p, "monthly", 2026),
    )


def grid(html: str) -> list[list[str]]:
    rows = BeautifulSoup(f"<table>{html}</table>", "lxml").find_all("tr")
    return gacc._grid(URL, rows)


def test_the_grid_expands_spans_in_every_position():
    assert grid(
        '<tr><th rowspan="3">a</th><td colspan="2" rowspan="2">b</td><td>c</td></tr>'
        "<tr><td>d</td></tr>"
        '<tr><td>e</td><td rowspan="2">f</td><td>g</td></tr>'
        "<tr><td>h</td><td>i</td></tr>"
        "<tr></tr>"
    ) == [
        ["a", "b", "b", "c"],
        ["a", "b", "b", "d"],
        ["a", "e", "f", "g"],
        ["h", "i", "f", ""],
        ["", "", "", ""],
    ]
    assert grid("") == []
    assert grid('<tr><td>x</td><td rowspan="2">y</td></tr><tr><td>z</td></tr>') == [
        ["x", "y"],
        ["z", "y"],
    ]
    assert grid('<tr><td></td><td rowspan=" ">y</td></tr>') == [["", "y"]]
    assert grid('<tr><td colspan="50">w</td></tr>') == [["w"] * 50]


def test_names_and_units_with_odd_spaces_and_brackets_are_normal():
    assert gacc.normal("  Coal\xa0and\n lignite（CN） ") == "coal and lignite(cn)"
    assert gacc._number(URL, "1\xa0234", "here") == 1234
    assert gacc._number(URL, "\xa0-\xa0", "here") is None


def test_the_title_is_its_text_spaced_and_trimmed_whatever_the_markup():
    title = " <b>China's Major Imports</b><span>by Quantity and Value (in USD),</span> March 2026 "
    release, _ = parse_release(release_page(title=title))
    assert release.title == "China's Major Imports by Quantity and Value (in USD), March 2026"


def test_a_release_without_content_or_with_an_empty_table_is_named():
    page = release_page()
    no_content = RawPage(URL, page.body.replace(b"atcl-cnt", b"other"), page.fetched_at)
    named_error(NoTable, no_content, "no HTML table in the release")
    head = page.body.split(b"<table>")[0]
    links = (
        b'<link rel="alternate" href="/t/feed.xls"><a href="/t/about.html">about</a>'
        b'<a href="/t/r.xlsx">xlsx</a></div>'
    )
    named_error(
        NoTable,
        RawPage(URL, head + links, page.fetched_at),
        "no HTML table in the release (only a spreadsheet link: /t/r.xlsx)",
    )
    empty = RawPage(URL, head + b"<table></table></div>", page.fetched_at)
    named_error(UnknownUnit, empty, "the table states no unit")
    one_column = "<tr><td>Commodity</td></tr><tr><td>Coal</td></tr>"
    named_error(
        UnknownUnit, release_page(header=one_column, rows="", width=1), "the table states no unit"
    )


COUNTRY_TITLE = "China's Imports and Exports by Country/Region (in USD), March 2026"


def test_a_two_column_country_table_with_a_note_row():
    header = '<tr><td rowspan="2">Country/Region</td><td>3</td></tr><tr><td>Import</td></tr>'
    rows = '<tr><td>Japan</td><td>10</td></tr><tr><td colspan="2">Note: preliminary</td></tr>'
    release, figures = parse_release(
        release_page(title=COUNTRY_TITLE, header=header, rows=rows, width=2)
    )
    assert (release.unit, list(figures.value)) == ("US$1,000", [10_000.0])


def test_a_country_table_reads_the_measure_its_header_names():
    """A quantity in a country table (none is published today) needs a unit like any other."""
    header = (
        '<tr><td rowspan="3">Country/Region</td><td colspan="2">3</td></tr>'
        '<tr><td colspan="2">Import</td></tr><tr><td>Value</td><td>Quantity</td></tr>'
    )
    rows = "<tr><td>Japan</td><td>10</td><td>4</td></tr>"
    page = release_page(title=COUNTRY_TITLE, header=header, rows=rows, width=3)
    named_error(UnknownUnit, page, "unknown quantity unit '' for 'Japan'")
    values_only = release_page(
        title=COUNTRY_TITLE, header=header.replace(">Quantity<", ">Value<"), rows=rows, width=3
    )
    assert list(parse_release(values_only)[1].measure) == ["value", "value"]


def test_the_index_reads_only_its_own_table_once_with_titles_as_shown():
    html = (
        "<html><body><table><tr><td>China's Major Exports by Quantity and Value</td>"
        '<td><a href="/related.html">Jan</a></td></tr></table>'
        "<table><tr><th>Title</th><th>Month</th></tr><tr><td> <b>China's Major Imports</b>"
        "<i>by Quantity and Value</i> </td><td>"
        '<a href="Xstatics/jan.html">Jan</a></td></tr></table></body></html>'
    )
    links = parse_index(index_page(html), "monthly", 2026)
    assert links == [
        ReleaseLink("monthly", "commodity_imports", "China's Major Imports by Quantity and Value",
                    2026, 1, "http://english.customs.gov.cn/Xstatics/jan.html"),
    ]  # fmt: skip


def test_the_grid_fills_several_cells_left_by_rows_above_at_a_rows_end():
    assert grid(
        '<tr><td>x</td><td rowspan="2">y</td><td rowspan="2">z</td></tr><tr><td>w</td></tr>'
    ) == [["x", "y", "z"], ["w", "y", "z"]]
    assert grid('<tr><td colspan="1" rowspan="1">x</td></tr>') == [["x"]]


def test_an_index_table_with_a_tbody_is_read_row_by_row():
    html = (
        "<html><body><table><tbody><tr><th>Title</th><th>Month</th></tr></tbody>"
        "<tbody><tr><td>China's Major Imports by Quantity and Value</td>"
        '<td><a href="/jan.html">Jan</a></td></tr></tbody></table></body></html>'
    )
    assert [link.month for link in parse_index(index_page(html), "monthly", 2026)] == [1]
