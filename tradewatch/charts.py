"""Draw a monthly series with its reversal months marked, as PNG or self-contained HTML."""

from __future__ import annotations

import datetime as dt
import html
import io
import os
from contextlib import closing
from itertools import groupby
from pathlib import Path

from .schemas.countries import country_name
from .warehouse import connect
from .warehouse.db import run_sql

MARKERS = {"up": ("^", "#1a7f37"), "down": ("v", "#cf222e")}


class NoData(ValueError):
    """Nothing in the warehouse matches what the chart asked for."""


def series_rows(
    warehouse: str | os.PathLike | None,
    *,
    hs_code: str,
    partner: int | None = None,
    reporter: int | None = None,
    flow: str | None = None,
    source: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[dict]:
    params = {
        "hs_code": hs_code,
        "partner": partner,
        "reporter": reporter,
        "flow": flow,
        "source": source,
        "start": start,
        "end": end,
    }
    with closing(connect(warehouse, read_only=True)) as con:
        result = run_sql(con, "chart_series", params)
        columns = [d[0] for d in result.description]
        rows = [dict(zip(columns, row, strict=True)) for row in result.fetchall()]
    if not rows:
        raise NoData(f"no monthly figures for HS {hs_code} with these filters")
    return rows


def draw_series(warehouse: str | os.PathLike | None, out: str | os.PathLike, **filters) -> Path:
    """Write the chart to ``out``: ``.png`` (matplotlib) or ``.html`` (inline SVG and a table)."""
    out = Path(out)
    if out.suffix.lower() not in (".png", ".html"):
        raise ValueError(f"chart output must end in .png or .html, got {out.name!r}")
    rows = series_rows(warehouse, **filters)
    figure = _figure(rows, filters["hs_code"])
    try:
        if out.suffix.lower() == ".png":
            figure.savefig(out, dpi=120)
        else:
            svg = io.StringIO()
            figure.savefig(svg, format="svg")
            out.write_text(_html(rows, filters["hs_code"], svg.getvalue()), encoding="utf-8")
    finally:
        import matplotlib.pyplot as plt

        plt.close(figure)
    return out


def _label(key: tuple) -> str:
    source, reporter, partner, hs, flow = key
    trade = "imports from" if flow.endswith("M") else "exports to"
    return f"{country_name(reporter)} {trade} {country_name(partner)} ({source})"


def _figure(rows: list[dict], hs_code: str):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(10, 4.5), layout="constrained")
    for series, points in groupby(rows, key=_series_key):
        points = list(points)
        periods = [p["period"] for p in points]
        tonnes = [None if p["net_weight_kg"] is None else p["net_weight_kg"] / 1000 for p in points]
        axes.plot(periods, tonnes, marker=".", label=_label(series))
        for direction, (marker, colour) in MARKERS.items():
            turns = [p for p in points if p["direction"] == direction]
            if turns:
                axes.scatter(
                    [p["period"] for p in turns],
                    [p["net_weight_kg"] / 1000 for p in turns],
                    marker=marker,
                    s=90,
                    color=colour,
                    zorder=3,
                    label=f"reversal {direction}",
                )
                for p in turns:
                    if p["move_pct"] is not None:
                        axes.annotate(
                            f"{p['move_pct']:+.0f}%",
                            (p["period"], p["net_weight_kg"] / 1000),
                            textcoords="offset points",
                            xytext=(0, 9 if direction == "up" else -14),
                            ha="center",
                            fontsize=8,
                            color=colour,
                        )
    axes.set_title(f"HS {hs_code}: monthly volume, reversals marked")
    axes.set_ylabel("tonnes")
    axes.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    axes.grid(alpha=0.3)
    handles, labels = axes.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    axes.legend(unique.values(), unique.keys(), fontsize=8)
    return figure


def _series_key(row: dict) -> tuple:
    return (row["source"], row["reporter_code"], row["partner_code"], row["hs_code"], row["flow"])


def _html_row(row: dict) -> str:
    tonnes = "" if row["net_weight_kg"] is None else f"{row['net_weight_kg'] / 1000:,.0f}"
    move = "" if row["move_pct"] is None else f"{row['move_pct']:+.1f}%"
    cells = [
        _label(_series_key(row)),
        f"{row['period']:%Y-%m}",
        tonnes,
        row["direction"] or "",
        move,
    ]
    return "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"


def _html(rows: list[dict], hs_code: str, svg: str) -> str:
    body = "".join(_html_row(r) for r in rows)
    svg_body = svg[svg.find("<svg") :]
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        f"<title>HS {html.escape(hs_code)} — tradewatch</title></head><body>\n{svg_body}\n"
        "<table><thead><tr><th>series</th><th>month</th><th>tonnes</th><th>reversal</th>"
        f"<th>move</th></tr></thead><tbody>{body}</tbody></table></body></html>\n"
    )
