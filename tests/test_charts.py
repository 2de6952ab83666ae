import datetime as dt
import re
from contextlib import closing

import pytest

from tests.conftest import recorded_records
from tests.warehouse.test_reversals import put
from tradewatch.charts import (
    NoData,
    SeriesFilter,
    charts_folder,
    draw_series,
    figure_of,
    series_rows,
)
from tradewatch.cli import main
from tradewatch.warehouse import Warehouse, connect
from tradewatch.warehouse.names import record_commodity_names, sync_watched_series


@pytest.fixture
def loaded(warehouse_path):
    coal = sorted(
        (r["period"], r["netWgt"] / 1000)
        for r in recorded_records()
        if r["cmdCode"] == "2701" and r["period"].startswith("2016")
    )
    with closing(connect(warehouse_path)) as con:
        put(con, [tonnes for _, tonnes in coal])
    return warehouse_path


def test_png_from_the_cli_with_an_iso_partner(loaded, tmp_path, capsys):
    out = tmp_path / "coal.png"
    assert (
        main(
            [
                "chart",
                "--hs",
                "2701",
                "--partner",
                "PRK",
                "--from",
                "2016-02",
                "--to",
                "2016-11",
                "--out",
                str(out),
                "--warehouse",
                loaded,
            ]
        )
        == 0
    )
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert capsys.readouterr().out.strip() == f"wrote {out}"


def test_html_holds_the_chart_and_the_figures_with_reversals(loaded, tmp_path):
    out = draw_series(loaded, tmp_path / "coal.html", hs_code="2701", partner=408)
    page = out.read_text()
    assert "<svg" in page
    assert "<td>2016-09</td><td>1,798,000</td><td>down</td><td>-27.1%</td>" in page
    assert "HS 2701: China imports from North Korea, tonnes" in page  # no description loaded
    assert not re.search(r"(src|href)=[\"']?(https?:|//|file:)", page)  # nothing from outside


def test_nothing_to_draw_and_bad_names_are_clear_errors(loaded, tmp_path, capsys):
    with pytest.raises(NoData, match="HS 9999"):
        draw_series(loaded, tmp_path / "x.png", hs_code="9999")
    assert (
        main(
            [
                "chart",
                "--hs",
                "2701",
                "--partner",
                "XXX",
                "--out",
                str(tmp_path / "x.png"),
                "--warehouse",
                loaded,
            ]
        )
        == 1
    )
    assert "unknown country 'XXX'" in capsys.readouterr().err
    with pytest.raises(ValueError, match=r"\.png, \.svg, \.pdf, \.html"):
        draw_series(loaded, tmp_path / "x.gif", hs_code="2701")


@pytest.fixture
def two_series(loaded):
    """North Korea's coal (~2 Mt) and the world's (~20 Mt), named as the watchlist and
    Comtrade name them."""
    world = [
        v * 10_000 for v in (1950, 1520, 2345, 1527, 1600, 1800, 2100, 2465, 1798, 2650, 2000, 2100)
    ]
    with closing(connect(loaded)) as con:
        put(con, world, partner=0)
        record_commodity_names(con, "comtrade", {"2701": "Coal; briquettes, ovoids"}, "e")
        sync_watched_series(con, [("coal-chn-prk", 156, 408, "2701", "M")])
    return loaded


def test_each_series_gets_its_own_panel_and_axis(two_series):
    with Warehouse(two_series).reader() as con:
        rows = series_rows(con, SeriesFilter("2701"))
    figure = figure_of(rows)
    panels = figure.get_axes()
    assert [a.get_title(loc="left") for a in panels] == [
        "Coal: China imports from World, tonnes",
        "Coal: China imports from North Korea, tonnes",
    ]
    world_top, korea_top = (a.get_ylim()[1] for a in panels)
    assert world_top > 5 * korea_top  # each on its own scale: North Korea's is not flattened
    texts = [t.get_text() for t in panels[1].texts]
    assert any(t.startswith("Source: UN Comtrade, retrieved ") for t in texts)
    for label in (t for t in panels[1].texts if t.get_text().endswith("%")):
        y = label.xy[1]
        assert panels[1].get_ylim()[0] <= y <= panels[1].get_ylim()[1]  # inside the plot


@pytest.mark.parametrize(
    ("suffix", "magic"), [(".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF")]
)
def test_png_svg_and_pdf(two_series, tmp_path, suffix, magic):
    out = draw_series(two_series, tmp_path / f"coal{suffix}", hs_code="2701")
    assert out.read_bytes().startswith(magic)


def test_two_warehouses_in_one_folder_keep_their_own_charts(tmp_path):
    from tradewatch.flows.alerts import chart_files

    alert = {"source": "comtrade", "reporter_code": 156, "partner_code": 408, "hs_code": "2701",
             "flow": "M"}  # fmt: skip
    written = {}
    for name, scale in (("a", 1), ("b", 3)):
        warehouse = str(tmp_path / f"{name}.duckdb")
        with closing(connect(warehouse)) as con:
            put(con, [v * scale for v in (1950, 1520, 2345, 1527, 1600, 1800)])
        (written[name],) = chart_files(warehouse, [alert])
    assert (
        written["a"].parent == charts_folder(tmp_path / "a.duckdb") == tmp_path / "a.duckdb.charts"
    )
    assert written["b"].parent == tmp_path / "b.duckdb.charts"
    assert written["a"].read_bytes() != written["b"].read_bytes()  # neither overwrote the other


def test_a_replayed_figure_is_not_said_to_be_retrieved_on_the_day_of_the_replay():
    from tradewatch.charts import source_line

    at = dt.datetime(2026, 12, 5, 7, 0, tzinfo=dt.UTC)
    key = ("comtrade", 156, 408, "2701", "M")
    assert source_line(key, [{"fetched_at": at, "replayed": True}]) == (
        "Source: UN Comtrade, offline recording replayed 2026-12-05. Reversal months marked."
    )
    assert source_line(key, [{"fetched_at": at, "replayed": False}]).startswith(
        "Source: UN Comtrade, retrieved 2026-12-05."
    )
