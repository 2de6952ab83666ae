from contextlib import closing

import pytest

from tests.conftest import recorded_records
from tests.warehouse.test_reversals import put
from tradewatch.charts import NoData, draw_series
from tradewatch.cli import main
from tradewatch.warehouse import connect


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
    assert "China imports from North Korea (comtrade)" in page


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
    with pytest.raises(ValueError, match=r"\.png or \.html"):
        draw_series(loaded, tmp_path / "x.pdf", hs_code="2701")
