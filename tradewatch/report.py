"""The monthly briefing: one self-contained HTML page an analyst opens, prints or forwards.

The month's reversals first, each with its chart; then every watched figure with where it came
from; GACC beside Comtrade; what the news said, sentence by sentence, with verdicts; and the months
a source did not deliver. No network asset: styles inline, charts as inline SVG, so the file reads
the same on a phone, on paper and offline. Reading only: the warehouse is opened read-only.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markupsafe import Markup, escape

from .schemas import Month
from .sources.base import title
from .warehouse import Warehouse
from .warehouse.db import run_sql

VERDICT_COLOURS = {"agrees": "#1a7f37", "disagrees": "#cf222e", "unclear": "#9a6700"}
STYLE = """
body{font:16px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:62rem;
padding:0 1rem 3rem;color:#1f2328}
h1{font-size:1.6rem;margin:1.2rem 0 .2rem}h2{font-size:1.25rem;margin-top:2rem;
border-bottom:1px solid #d0d7de}h3{font-size:1.05rem;margin:1.4rem 0 .3rem}
.meta,.note{color:#57606a;font-size:.9rem}.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:.9rem;width:100%}
th,td{padding:.3rem .5rem;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top}
td.n,td.d{text-align:right;white-space:nowrap}svg{width:100%;height:auto}
.up{color:#1a7f37}.down{color:#cf222e}blockquote{margin:.3rem 0 .3rem 1rem;
padding-left:.6rem;border-left:3px solid #d0d7de}.verdict{font-weight:600}
.checks{list-style:none;margin:.2rem 0 .8rem;padding-left:1rem}.stated{font-style:italic}
tr.outside td{background:#fff8c5}.narrow{display:none}
@media (max-width:40rem){.wide{display:none}.narrow{display:block}figure{margin:0}
#figures thead{display:none}#figures tr{display:block;border-bottom:1px solid #d0d7de;
padding:.3rem 0}#figures td{display:flex;justify-content:space-between;gap:1rem;border:0;
padding:.1rem .3rem;text-align:right;white-space:normal}
#figures td::before{content:attr(data-label);color:#57606a;text-align:left}}
@media print{a{color:inherit}h2{break-after:avoid}figure,tr{break-inside:avoid}}
"""


# A phone's 390 px less the page's margins show about 360 px: a chart 4 in (288 pt) wide keeps
# its 8 pt labels at about 10 px there.
PHONE_CHART_INCHES = 4.0


def reports_folder(warehouse: Warehouse) -> Path:
    """``<warehouse>.reports/`` beside the DuckDB file: each warehouse keeps its own."""
    return Warehouse.of(warehouse).beside(".reports")


def write_report(
    warehouse: Warehouse,
    month: Month,
    out: str | os.PathLike | None = None,
    data: dict[str, list[dict]] | None = None,
) -> Path:
    """Write the month's page (default ``<warehouse>.reports/report-YYYY-MM.html``)."""
    page = report_html(warehouse, month, data)  # first: a warehouse that fails leaves no folder
    path = Path(out) if out else reports_folder(warehouse) / f"report-{month}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


class NothingLoaded(LookupError):
    """No run has loaded the month a briefing was asked for."""


def report_data(warehouse: Warehouse, month: Month) -> dict[str, list]:
    """Everything the page shows, read on one read-only connection: the month's figures,
    claims and gaps, and the two years of each reversed series its chart draws."""
    params = {
        "month": month.first_day,
        "previous": month.shift(-1).first_day,
        "month_end": month.shift(1).first_day - dt.timedelta(days=1),
        "year_start": month.shift(-11).first_day,
    }
    names = {
        "alerts": ("report_alerts", ("month",)),
        "figures": ("report_figures", ("month", "previous")),
        "comparison": ("report_comparison", ("month",)),
        "mirror": ("report_mirror", ("month",)),
        "claims": ("report_claims", ("month", "month_end")),
        "gaps": ("report_gaps", ("month", "year_start")),
    }
    data: dict[str, list] = {}
    with Warehouse.of(warehouse).reader() as con:
        if not run_sql(con, "months_loaded_for", {"month": params["month"]}).fetchall()[0][0]:
            raise NothingLoaded(
                f"no run has loaded {month}: the briefing would have nothing to say (load it "
                f"with `tradewatch run --month {month}` or a backfill first)"
            )
        for key, (query, wanted) in names.items():
            result = run_sql(con, query, {k: params[k] for k in wanted})
            columns = [d[0] for d in result.description]
            data[key] = [dict(zip(columns, row, strict=True)) for row in result.fetchall()]
        data["charts"] = [_chart_rows(con, alert, month) for alert in data["alerts"]]
    return data


def _chart_rows(con, alert: dict, month: Month) -> list[dict]:
    """The two years of a reversed series up to the month, for its chart (none: no chart)."""
    from .charts import NoData, SeriesFilter, series_rows

    wanted = SeriesFilter(
        alert["hs_code"],
        partner=alert["partner_code"],
        reporter=alert["reporter_code"],
        flow=alert["flow"],
        source=alert["source"],
        start=month.shift(-23).first_day,
        end=month.first_day,
    )
    try:
        return series_rows(con, wanted)
    except NoData:
        return []


def report_html(warehouse: Warehouse, month: Month, data: dict[str, list] | None = None) -> str:
    """The page from ``templates/briefing.html.j2`` (every value escaped; the charts' SVG is
    the one markup put in as is)."""
    data = data if data is not None else report_data(warehouse, month)
    charts = data.get("charts") or [[]] * len(data["alerts"])
    alerts = [
        {**alert, "chart": _chart_svg(rows)}
        for alert, rows in zip(data["alerts"], charts, strict=True)
    ]
    return _template().render(
        month=month,
        style=Markup(STYLE),
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        warehouse=str(Warehouse.of(warehouse)),
        alerts=alerts,
        figures=data["figures"],
        comparison=data["comparison"],
        mirror=data.get("mirror", []),
        claims=data["claims"],
        gaps=data["gaps"],
    )


@cache
def _template():
    """The briefing's Jinja2 template with its filters: one per claim kind, and the page's own
    ways of writing tonnes, months, series and sources."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("tradewatch", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters.update(
        month_name=_month_name,
        previous_month_name=lambda period: f"{period - dt.timedelta(days=1):%B}",
        tonnes=_t,
        kg_as_tonnes=lambda kg: _t(kg, tonnes=False),
        percent=lambda pct: "" if pct is None else f"{pct:+.1f}%",
        usd_millions=lambda usd: "" if usd is None else f"{usd / 1e6:,.0f}",
        trade=_trade,
        source_title=title,
        verdict_colour=lambda verdict: VERDICT_COLOURS.get(verdict, "#57606a"),
        gap_words=lambda status: _GAP_WORDS.get(status, status),
        groupby_article=_articles,
        customs_percent=_customs_percent,
        customs_value=_customs_value,
        customs_quantity=_customs_quantity,
    )
    env.globals["link"] = _link
    return env.get_template("briefing.html.j2")


def _chart_svg(rows: list[dict]) -> Markup | None:
    """A reversed series' chart as inline SVG (none without rows): drawn twice, for a desktop
    and for a phone, where the desktop's drawing scaled to 390 px had 4 px labels; the page's
    style shows the one that fits."""
    if not rows:
        return None
    import matplotlib.pyplot as plt

    from .charts import figure_of, svg_of

    drawings = []
    for width, fits in ((8.0, "wide"), (PHONE_CHART_INCHES, "narrow")):
        figure = figure_of(rows, width=width)
        try:
            drawings.append(f'<div class="{fits}">{svg_of(figure)}</div>')
        finally:
            plt.close(figure)
    return Markup("".join(drawings))


def _month_name(month: Month) -> str:
    return f"{month.first_day:%B %Y}"


def _t(kg_or_t, *, tonnes: bool = True) -> str:
    return "" if kg_or_t is None else f"{kg_or_t:,.0f}" if tonnes else f"{kg_or_t / 1000:,.0f}"


def _trade(row: dict) -> str:
    verb = "imports from" if str(row.get("flow", "M")).endswith("M") else "exports to"
    return (
        f"{row.get('commodity_short') or 'HS ' + row['hs_code']}: "
        f"{row.get('reporter') or row['reporter_code']} {verb} "
        f"{row.get('partner') or row['partner_code']}"
    )


def _link(url: str | None, text: str) -> Markup:
    if not url:
        return escape(text or "")
    return Markup('<a href="{}">{}</a>').format(url, text or "")


@dataclass
class _Article:
    """A report on the page: its claims grouped by the sentence that states them."""

    article_id: str
    url: str | None
    title: str
    outlet: str
    published_at: dt.datetime | None
    sentences: list[tuple[str, list[dict]]]


def _articles(claims: list[dict]) -> list[_Article]:
    """The month's claims (in article and claim order) as articles, each sentence once."""
    articles: list[_Article] = []
    for claim in claims:
        if not articles or articles[-1].article_id != claim["article_id"]:
            articles.append(
                _Article(
                    claim["article_id"],
                    claim["canonical_url"],
                    claim["title"] or "",
                    claim["outlet"] or "",
                    claim["published_at"],
                    [],
                )  # fmt: skip
            )
        sentences = articles[-1].sentences
        if not sentences or sentences[-1][0] != claim["sentence"]:
            sentences.append((claim["sentence"], []))
        sentences[-1][1].append(claim)
    return articles


MINUS = "\u2212"


def _customs_percent(claim: dict) -> str:
    """A percent claim beside the customs percent change: "; customs −27.1%"."""
    figure = claim["customs_figure"]
    return "" if figure is None else f"; customs {_signed(figure, '.1f')}%"


def _customs_value(claim: dict) -> str:
    """A value claim beside the customs value in US dollars (or its change)."""
    return _customs_amount(claim, claim["customs_figure"], "US$", "")


def _customs_quantity(claim: dict) -> str:
    """A quantity claim beside the customs weight in tonnes (or its change)."""
    figure = claim["customs_figure"]
    return _customs_amount(claim, None if figure is None else figure / 1000, "", " t")


def _customs_amount(claim: dict, amount: float | None, before: str, after: str) -> str:
    if amount is None:
        return ""
    if str(claim.get("basis") or "").startswith("change"):
        return f"; customs change {before}{_signed(amount, ',.0f')}{after}"
    return f"; customs: {before}{amount:,.0f}{after}"


def _signed(number: float, spec: str) -> str:
    """``+5.8`` or ``−27.1`` (a true minus sign), as figures are printed."""
    text = format(abs(number), spec)
    return (MINUS if number < 0 else "+") + text if float(text.replace(",", "")) else text


_GAP_WORDS = {
    "failed": "failed",
    "not_published": "not yet published",
    "unavailable": "not available",
}


def report_markdown(month: Month, data: dict[str, list[dict]], page: Path | None = None) -> str:
    """The same briefing as Markdown, for a Prefect artifact: links only to the sources' own
    addresses (http), never to files on the machine that ran it."""
    lines = [f"# tradewatch briefing: {_month_name(month)}", "", "## Reversals", ""]
    for alert in data["alerts"]:
        move = "from zero" if alert["move_pct"] is None else f"{alert['move_pct']:+.1f}%"
        lines.append(
            f"- **{_trade(alert)}** turned {alert['direction']}, {move}: "
            f"{_t(alert['previous_t'])} t → {_t(alert['current_t'])} t "
            f"({title(alert['source'])}"
            f"{', retracted' if alert['status'] == 'retracted' else ''})"
        )
    if not data["alerts"]:
        lines.append("No series turned this month.")
    lines += [
        "",
        "## Figures",
        "",
        "| series | month | tonnes | source | retrieved |",
        "|---|---|--:|---|---|",
    ]
    for row in data["figures"]:
        source = title(row["source"])
        linked = f"[{source}]({row['source_url']})" if row["source_url"] else source
        lines.append(
            f"| {_trade(row)} | {row['period']:%Y-%m} | {_t(row['tonnes'])} | {linked} "
            f"| {'replayed ' if row.get('replayed') else ''}{row['fetched_at']:%Y-%m-%d} |"
        )
    if data.get("mirror"):
        lines += ["", "## Mirror statistics", ""]
        for row in data["mirror"]:
            flag = " — **outside its band**" if row["outside"] else ""
            lines.append(
                f"- {row['importer']} from {row['exporter']} ({row['goods']}): imports US$ "
                f"{row['import_usd'] / 1e6:,.0f} million ({title(row['import_source'])}) against "
                f"exports US$ {row['export_usd'] / 1e6:,.0f} million "
                f"({title(row['export_source'])}), ratio {row['ratio']:.2f}{flag}"
            )
    lines += ["", "## What the news said", ""]
    for claim in data["claims"]:
        lines.append(
            f"- [{claim['title'] or claim['canonical_url']}]({claim['canonical_url']}): "
            f"\u201c{claim['sentence']}\u201d — **{claim['verdict']}**"
        )
    if not data["claims"]:
        lines.append("No report this month states a figure tradewatch checks.")
    if page is not None:
        lines += ["", f"The full page, with charts: `{page.name}` in `{page.parent}`."]
    return "\n".join(lines) + "\n"
