"""Draw monthly series with their reversal months marked: PNG, SVG, PDF or self-contained HTML."""

from __future__ import annotations

import datetime as dt
import html
import io
import os
from dataclasses import asdict, dataclass
from itertools import groupby
from pathlib import Path

import duckdb

from .schemas.countries import country_name
from .sources.base import title
from .warehouse import Warehouse
from .warehouse.db import run_sql

MARKERS = {"up": ("^", "#1a7f37"), "down": ("v", "#cf222e")}


class NoData(ValueError):
    """Nothing in the warehouse matches what the chart asked for."""


@dataclass(frozen=True)
class SeriesFilter:
    """Which monthly figures a chart draws: a commodity, narrowed by any of the others."""

    hs_code: str
    partner: int | None = None
    reporter: int | None = None
    flow: str | None = None
    source: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None


def series_rows(con: duckdb.DuckDBPyConnection, wanted: SeriesFilter) -> list[dict]:
    """The latest figures of every series ``wanted`` names, a row a month."""
    result = run_sql(con, "chart_series", asdict(wanted))
    columns = [d[0] for d in result.description]
    rows = [dict(zip(columns, row, strict=True)) for row in result.fetchall()]
    if not rows:
        raise NoData(f"no monthly figures for HS {wanted.hs_code} with these filters")
    return rows


FORMATS = (".png", ".svg", ".pdf", ".html")


def charts_folder(warehouse: Warehouse) -> Path:
    """Where a warehouse's charts go: ``<warehouse>.charts/`` beside it, one folder per file."""
    return Warehouse.of(warehouse).beside(".charts")


def draw_series(warehouse: Warehouse, out: str | os.PathLike, **filters) -> Path:
    """Write the chart to ``out``: ``.png``, ``.svg`` or ``.pdf`` (matplotlib), or ``.html``
    (inline SVG and the figures as a table). One panel per series, each with its own axis."""
    out = Path(out)
    if out.suffix.lower() not in FORMATS:
        raise ValueError(f"chart output must end in {', '.join(FORMATS)}, got {out.name!r}")
    with Warehouse.of(warehouse).reader() as con:
        rows = series_rows(con, SeriesFilter(**filters))
    figure = figure_of(rows)
    try:
        if out.suffix.lower() == ".html":
            out.write_text(_html(rows, svg_of(figure)), encoding="utf-8")
        else:
            figure.savefig(out, dpi=120, metadata=_metadata(out.suffix.lower()))
    finally:
        import matplotlib.pyplot as plt

        plt.close(figure)
    return out


def _metadata(suffix: str) -> dict | None:
    # fixed metadata: the same figures give the same file (no creation date inside)
    if suffix == ".png":
        return {"Software": None}
    if suffix == ".pdf":
        return {"Creator": None, "Producer": None, "CreationDate": None}
    if suffix == ".svg":
        return {"Date": None, "Creator": None}
    return None


def svg_of(figure) -> str:
    """The figure as an ``<svg>`` element to put inside a page."""
    svg = io.StringIO()
    figure.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    text = svg.getvalue()
    return text[text.find("<svg") :]


def title_of(key: tuple, points: list[dict]) -> str:
    """ "Coal: China imports from North Korea, tonnes" """
    first = points[0]
    source, reporter, partner, hs, flow = key
    trade = "imports from" if flow.endswith("M") else "exports to"
    commodity = first.get("commodity_short") or f"HS {hs}"
    return (
        f"{commodity}: {first.get('reporter') or country_name(reporter)} {trade} "
        f"{first.get('partner') or country_name(partner)}, tonnes"
    )


def source_line(key: tuple, points: list[dict]) -> str:
    """ "Source: UN Comtrade, retrieved 2026-11-29" (the latest retrieval of the figures), or
    "…, offline recording replayed 2026-12-05": a replay's date is no retrieval date."""
    fetched = [p["fetched_at"] for p in points if p.get("fetched_at")]
    replayed = bool(fetched) and all(p.get("replayed") for p in points if p.get("fetched_at"))
    verb = "offline recording replayed" if replayed else "retrieved"
    when = f", {verb} {max(fetched):%Y-%m-%d}" if fetched else ""
    return f"Source: {title(key[0])}{when}. Reversal months marked."


def figure_of(rows: list[dict], width: float = 10.0):
    """One panel per series, each with its own axis: a 2 Mt series beside a 20 Mt one stays
    readable. Titles name the commodity and countries; each panel carries its source line."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates
    import matplotlib.pyplot as plt

    panels = [(key, list(points)) for key, points in groupby(rows, key=_series_key)]
    figure, axes_list = plt.subplots(
        len(panels), 1, figsize=(width, 3.4 * len(panels)), layout="constrained", squeeze=False
    )
    for axes, (key, points) in zip(axes_list[:, 0], panels, strict=True):
        _panel(axes, key, points, matplotlib)
    return figure


def _panel(axes, key: tuple, points: list[dict], matplotlib) -> None:
    periods = [p["period"] for p in points]
    tonnes = [None if p["net_weight_kg"] is None else p["net_weight_kg"] / 1000 for p in points]
    axes.plot(periods, tonnes, marker=".", color="#0969da", label=title(key[0]))
    for direction, (marker, colour) in MARKERS.items():
        turns = [p for p in points if p["direction"] == direction]
        if not turns:
            continue
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
            if p["move_pct"] is None:
                continue
            axes.annotate(
                f"{p['move_pct']:+.0f}%",
                (p["period"], p["net_weight_kg"] / 1000),
                textcoords="offset points",
                xytext=(0, 9 if direction == "up" else -14),
                ha="center",
                fontsize=8,
                color=colour,
                annotation_clip=True,
            )
    axes.margins(x=0.03, y=0.18)  # room inside the plot for the labels above and below points
    axes.set_title(title_of(key, points), loc="left", fontsize=11, wrap=True)
    axes.set_ylabel("tonnes")
    months = matplotlib.dates.AutoDateLocator(minticks=3, maxticks=8)
    axes.xaxis.set_major_locator(months)
    axes.xaxis.set_major_formatter(matplotlib.dates.ConciseDateFormatter(months))
    axes.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    axes.grid(alpha=0.3)
    axes.text(
        0.0, -0.2, source_line(key, points), transform=axes.transAxes, fontsize=8,
        color="#57606a", va="top", wrap=True,
    )  # fmt: skip
    handles, labels = axes.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    axes.legend(unique.values(), unique.keys(), fontsize=8, loc="best")


def _series_key(row: dict) -> tuple:
    return (row["source"], row["reporter_code"], row["partner_code"], row["hs_code"], row["flow"])


def _html_row(row: dict) -> str:
    tonnes = "" if row["net_weight_kg"] is None else f"{row['net_weight_kg'] / 1000:,.0f}"
    move = "" if row["move_pct"] is None else f"{row['move_pct']:+.1f}%"
    cells = [
        title_of(_series_key(row), [row]).removesuffix(", tonnes"),
        f"{row['period']:%Y-%m}",
        tonnes,
        row["direction"] or "",
        move,
    ]
    return "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"


def _html(rows: list[dict], svg: str) -> str:
    body = "".join(_html_row(r) for r in rows)
    title = title_of(_series_key(rows[0]), rows)
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)} — tradewatch</title>"
        "<style>svg{max-width:100%;height:auto}table{border-collapse:collapse}"
        "td,th{padding:2px 8px;text-align:right}</style></head><body>\n"
        f"{svg}\n<table><thead><tr><th>series</th><th>month</th><th>tonnes</th>"
        f"<th>reversal</th><th>move</th></tr></thead><tbody>{body}</tbody></table></body></html>\n"
    )
