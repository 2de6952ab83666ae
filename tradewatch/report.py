"""The monthly briefing: one self-contained HTML page an analyst opens, prints or forwards.

The month's reversals first, each with its chart; then every watched figure with where it came
from; GACC beside Comtrade; what the news said, sentence by sentence, with verdicts; and the months
a source did not deliver. No network asset: styles inline, charts as inline SVG, so the file reads
the same on a phone, on paper and offline. Reading only: the warehouse is opened read-only.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from pathlib import Path

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
@media print{a{color:inherit}h2{break-after:avoid}figure,tr{break-inside:avoid}}
"""


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
    from .charts import NoData, series_rows

    try:
        return series_rows(
            con,
            hs_code=alert["hs_code"],
            partner=alert["partner_code"],
            reporter=alert["reporter_code"],
            flow=alert["flow"],
            source=alert["source"],
            start=month.shift(-23).first_day,
            end=month.first_day,
        )
    except NoData:
        return []


def report_html(warehouse: Warehouse, month: Month, data: dict[str, list] | None = None) -> str:
    data = data if data is not None else report_data(warehouse, month)
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>tradewatch — {month}</title><style>{STYLE}</style></head><body>",
        f"<h1>tradewatch briefing: {_month_name(month)}</h1>",
        f'<p class="meta">Generated {generated} from {html.escape(str(Warehouse.of(warehouse)))}.'
        " Weights in tonnes, values in US dollars.</p>",
        _reversals(month, data["alerts"], data.get("charts") or [[]] * len(data["alerts"])),
        _figures(data["figures"]),
        _comparison(data["comparison"]),
        _claims(data["claims"]),
        _gaps(data["gaps"]),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


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


def _reversals(month: Month, alerts: list[dict], charts: list[list[dict]]) -> str:
    from .charts import figure_of, svg_of

    out = [f'<section id="reversals"><h2>Reversals in {_month_name(month)}</h2>']
    if not alerts:
        out.append("<p>No series turned this month.</p>")
    for alert, rows in zip(alerts, charts, strict=True):
        direction = alert["direction"]
        move = "from zero" if alert["move_pct"] is None else f"{alert['move_pct']:+.1f}%"
        status = " — retracted after a revision" if alert["status"] == "retracted" else ""
        caveat = " (low base: not notified)" if alert["low_base"] else ""
        before = "falling" if direction == "up" else "rising"
        out.append(
            f'<article class="reversal"><h3 class="{direction}">{html.escape(_trade(alert))}: '
            f"turned {direction}, {move}{status}{caveat}</h3>"
            f"<p>{_t(alert['previous_t'])} t in {alert['period'] - dt.timedelta(days=1):%B} → "
            f"<strong>{_t(alert['current_t'])} t</strong> in {alert['period']:%B %Y}, after "
            f"{alert['trend_months']} month{'s' if alert['trend_months'] != 1 else ''} "
            f"{before} ({title(alert['source'])}; series "
            f"<code>{html.escape(alert['series_name'] or '')}</code>).</p>"
        )
        if rows:
            import matplotlib.pyplot as plt

            figure = figure_of(rows, width=8.0)
            try:
                out.append(f"<figure>{svg_of(figure)}</figure>")
            finally:
                plt.close(figure)
        out.append("</article>")
    out.append("</section>")
    return "\n".join(out)


def _link(url: str | None, text: str) -> str:
    if not url:
        return html.escape(text)
    return f'<a href="{html.escape(url, quote=True)}">{html.escape(text)}</a>'


def _figures(figures: list[dict]) -> str:
    out = [
        '<section id="figures"><h2>The figures and where they came from</h2>',
        '<div class="scroll"><table><thead><tr><th>series</th><th>month</th><th>tonnes</th>'
        "<th>US$</th><th>source</th><th>retrieved</th><th>vintage</th><th>revised from</th>"
        "</tr></thead><tbody>",
    ]
    for row in figures:
        revised = ""
        if row["revised_from_tonnes"] is not None:
            revised = (
                f"{_t(row['revised_from_tonnes'])} t ({row['revised_from_fetched_at']:%Y-%m-%d})"
            )
        source = title(row["source"])
        out.append(
            f'<tr><td>{html.escape(_trade(row))}</td><td class="d">{row["period"]:%Y-%m}</td>'
            f'<td class="n">{_t(row["tonnes"])}</td>'
            f'<td class="n">{_t(row["value_usd"])}</td>'
            f"<td>{_link(row['source_url'], source)}</td>"
            f'<td class="d">{row["fetched_at"]:%Y-%m-%d}</td><td class="n">{row["vintage"]}</td>'
            f"<td>{revised}</td></tr>"
        )
    if not figures:
        out.append('<tr><td colspan="8">No figures loaded for the watched series.</td></tr>')
    out.append("</tbody></table></div></section>")
    return "\n".join(out)


def _section(ident: str, title: str, rows: list[dict], empty: str, body) -> str:
    """``<section>`` with its heading, then ``body(rows)``'s lines, or ``empty`` as a note."""
    parts = [f'<section id="{ident}"><h2>{title}</h2>']
    parts += body(rows) if rows else [f'<p class="note">{empty}</p>']
    parts.append("</section>")
    return "\n".join(parts)


def _comparison(rows: list[dict]) -> str:
    def body(rows: list[dict]) -> list[str]:
        out = [
            '<div class="scroll"><table><thead><tr><th>series</th><th>GACC t</th>'
            "<th>Comtrade t</th><th>difference</th></tr></thead><tbody>"
        ]
        for row in rows:
            pct = "" if row["difference_pct"] is None else f"{row['difference_pct']:+.1f}%"
            out.append(
                f"<tr><td>{html.escape(_trade(row))}</td>"
                f'<td class="n">{_t(row["gacc_kg"], tonnes=False)}</td>'
                f'<td class="n">{_t(row["comtrade_kg"], tonnes=False)}</td>'
                f'<td class="n">{pct}</td></tr>'
            )
        return [*out, "</tbody></table></div>"]

    return _section(
        "comparison", "China Customs beside UN Comtrade", rows,
        "No series this month is published by both.", body,
    )  # fmt: skip


MINUS = "\u2212"


def _customs(claim: dict) -> str:
    """The customs figure a claim was checked against, in the claim's own terms: a percent as
    the customs percent change, a change as the change, a value in US dollars, a quantity in
    tonnes."""
    figure = claim["customs_figure"]
    if figure is None or not claim.get("stated"):
        return ""
    if claim.get("kind") == "percent":
        return f"; customs {_signed(figure, '.1f')}%"
    value = claim.get("measure") == "value"
    amount = figure if value else figure / 1000
    unit = ("US$", "") if value else ("", " t")
    if str(claim.get("basis") or "").startswith("change"):
        return f"; customs change {unit[0]}{_signed(amount, ',.0f')}{unit[1]}"
    return f"; customs: {unit[0]}{amount:,.0f}{unit[1]}"


def _signed(number: float, spec: str) -> str:
    """``+5.8`` or ``−27.1`` (a true minus sign), as figures are printed."""
    text = format(abs(number), spec)
    return (MINUS if number < 0 else "+") + text if float(text.replace(",", "")) else text


def _claims(claims: list[dict]) -> str:
    def body(claims: list[dict]) -> list[str]:
        out, article = [], None
        for claim in claims:
            if claim["article_id"] != article:
                if article is not None:
                    out.append("</article>")
                article = claim["article_id"]
                published = claim["published_at"]
                when = f"{published:%Y-%m-%d}" if published else "undated"
                title = _link(claim["canonical_url"], claim["title"] or "")
                out.append(
                    f'<article class="report"><h3>{title}</h3><p class="meta">'
                    f"{html.escape(claim['outlet'] or '')}, {when}</p>"
                )
            verdict = claim["verdict"]
            colour = VERDICT_COLOURS.get(verdict, "#57606a")
            why = f" — {html.escape(claim['why'])}" if claim["why"] else ""
            customs = _customs(claim)
            out.append(
                f"<blockquote>{html.escape(claim['sentence'])}</blockquote>"
                f'<p><span class="verdict" style="color:{colour}">{html.escape(verdict)}</span>'
                f"{why}{customs}</p>"
            )
        return [*out, "</article>"]

    return _section(
        "claims", "What the news said", claims,
        "No report this month states a figure tradewatch checks.", body,
    )  # fmt: skip


_GAP_WORDS = {
    "failed": "failed",
    "not_published": "not yet published",
    "unavailable": "not available",
}


def _gaps(gaps: list[dict]) -> str:
    def body(gaps: list[dict]) -> list[str]:
        items = [
            f"<li>{title(gap['source'])} {gap['period']:%Y-%m}: "
            f"{_GAP_WORDS.get(gap['last_status'], gap['last_status'])}"
            f"{' — ' + html.escape(gap['last_message']) if gap['last_message'] else ''}</li>"
            for gap in gaps
        ]
        return ["<ul>", *items, "</ul>"]

    return _section(
        "gaps", "Months not delivered (the year to this month)", gaps,
        "Every source delivered every month.", body,
    )  # fmt: skip


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
            f"| {row['fetched_at']:%Y-%m-%d} |"
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
