"""Write the reconstructed news recordings for offline replay (see the README beside them).

Two fictional outlets on reserved ``.example`` hosts report, each month from 2016-04 to 2017-12,
the customs figures of the month before, in varied phrasing, from the figures the Comtrade
recordings carry (``comtrade/recordings/figures.csv``: published and filled values, labelled
there). One outlet has an RSS 2.0 feed (WordPress-shaped, like the real sample); the other is
found only through GDELT (from 2017, GDELT's coverage). Run from the repository root:

    python scripts/build_news_recordings.py
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
import re
import shutil
from email.utils import format_datetime
from pathlib import Path

from tradewatch.pipelines.news import replay
from tradewatch.schemas import Month

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "tradewatch/pipelines/comtrade/recordings/figures.csv"
OUT = replay.RECORDINGS
YALU = "www.yalutrade.example"
LEDGER = "commodityledger.example"
FIRST, LAST = Month(2016, 4), Month(2017, 12)
NAMES = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip


def figures() -> dict[tuple[str, str], int]:
    with FIGURES.open() as handle:
        return {
            (row["hs_code"], row["period"]): int(row["net_weight_t"])
            for row in csv.DictReader(handle)
            if row["partner"] == "408"
        }


FIG = figures()


def coal(month: Month) -> int:
    return FIG[("2701", str(month))]


def ore(month: Month) -> int:
    return FIG[("2601", str(month))]


def name(month: Month) -> str:
    return NAMES[month.month - 1]


def mt(tonnes: int, places: int) -> str:
    return f"{tonnes / 1e6:.{places}f}"


def change(now: int, before: int) -> tuple[str, int] | None:
    if not before:
        return None
    pct = round(100 * (now / before - 1))
    return ("rose" if pct > 0 else "fell"), abs(pct)


def yalu_paragraphs(pub: Month) -> tuple[str, list[str]]:
    """Yalu Trade Monitor's monthly report about the month before ``pub``."""
    m, p = pub.shift(-1), pub.shift(-2)
    now, before = coal(m), coal(p)
    moved = change(now, before)
    style = (pub.year * 12 + pub.month) % 4
    special = {
        Month(2016, 5): [
            "China's coal imports from North Korea fell from 2.345 to 1.527 million tonnes "
            "between March and April, customs data published on Friday showed.",
            "It was the first monthly fall since Beijing said it would enforce the new "
            "United Nations sanctions.",
        ],
        Month(2016, 9): [
            "Pyongyang's coal sales to China climbed to 2.465 million tonnes in August, "
            "the highest this year, according to Chinese customs figures.",
            "Imports rose every month between May and August, from 1.55 million tonnes in May.",
        ],
        Month(2016, 10): [
            "China only imported 1.8 million tons of coal from North Korea last month, "
            "customs data showed, the lowest since April.",
            "Coal imports from North Korea dropped 27 percent in September from August, when "
            "they reached 2,465,000 tonnes.",
        ],
        Month(2016, 11): [
            "China imported about 1.82 million tonnes of coal from North Korea in October.",
            # Deliberately wrong (October rose 1.2%), so the replay shows a disagreeing claim.
            "That was 5 percent more than in September, a trader in Dandong told the Monitor.",
        ],
        Month(2017, 1): [
            "China imported 1,685,000 tonnes of North Korean coal in December, the customs "
            "office said.",
            "In 2016 China imported 22.49 million tonnes of coal from North Korea, up 15 "
            "percent on 2015 despite the sanctions.",
        ],
    }
    if pub in special:
        lead = special[pub]
    elif now == 0:
        lead = [
            f"China imported no coal from North Korea in {name(m)}, customs data showed.",
            "Beijing suspended coal purchases from its neighbour in February under United "
            "Nations sanctions.",
        ]
    elif style == 0 and moved:
        verb, pct = moved
        lead = [
            f"China's coal imports from North Korea {verb} {pct} percent in {name(m)} to "
            f"{mt(now, 3)} million tonnes, from {mt(before, 3)} million tonnes in {name(p)}.",
        ]
    elif style == 1 and moved:
        verb, pct = moved
        word = "higher" if verb == "rose" else "lower"
        lead = [
            f"Shipments of North Korean coal to China came to {now:,} tonnes in {name(m)}, "
            f"{pct}% {word} than in {name(p)}, according to Chinese customs.",
        ]
    elif style == 2:
        lead = [
            f"North Korea shipped {mt(now, 2)} mln tonnes of coal to China last month, "
            "customs figures showed.",
        ]
    else:
        lead = [
            f"Customs data showed China bought {now:,} tonnes of coal from North Korea in "
            f"{name(m)} {m.year}.",
        ]
    if pub == Month(2017, 10):
        lead = [
            f"China imported {now:,} tonnes of North Korean coal in {name(m)} {m.year}, down "
            f"69 percent from {name(p)}.",
        ]
    body = [
        *lead,
        "Coal is North Korea's biggest export and a main source of the foreign currency "
        "that United Nations sanctions aim to cut off.",
    ]
    if ore(m):
        body.append(
            f"Purchases of North Korean iron ore were {ore(m):,} tonnes in {name(m)}, "
            "the figures showed."
        )
    else:
        body.append(f"China bought no iron ore from North Korea in {name(m)} either.")
    body.append(
        "Chinese officials have repeatedly said Beijing enforces the sanctions fully, "
        "while traders in the border city of Dandong describe long queues at the bridge."
    )
    title = f"China's {name(m)} coal imports from North Korea"
    return title, body


def ledger_paragraphs(pub: Month) -> tuple[str, list[str]]:
    """Commodity Ledger's shorter note (found through GDELT, 2017 on)."""
    m = pub.shift(-1)
    now = coal(m)
    if now == 0:
        lead = f"North Korea sold no coal to China in {name(m)}, Chinese customs data showed."
    else:
        lead = (
            f"Chinese customs said imports of North Korean anthracite were "
            f"{mt(now, 2)} million tonnes in {name(m)}."
        )
    return (
        f"North Korean coal: {name(m)} {m.year}",
        [
            lead,
            "Prices for seaborne anthracite in northern Chinese ports were little changed on "
            "the week, brokers said.",
            "The Ledger tracks the coal trade between the two countries every month from the "
            "customs releases in Beijing.",
        ],
    )


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def published_at(pub: Month, day: int, hour: int) -> dt.datetime:
    return dt.datetime(
        pub.year, pub.month, day, hour, 15, tzinfo=dt.timezone(dt.timedelta(hours=8))
    )


def yalu_page(url: str, title: str, body: list[str], when: dt.datetime, style: int) -> str:
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "datePublished": when.isoformat(),
        "author": {"@type": "Person", "name": "Staff reporter"},
        "publisher": {"@type": "Organization", "name": "Yalu Trade Monitor (reconstructed)"},
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
    }
    # Every third page carries its date only in og: tags, to exercise the fallback.
    head_date = (
        f'<script type="application/ld+json">{json.dumps(ld)}</script>'
        if style
        else f'<meta property="og:article:published_time" content="{when.isoformat()}">'
    )
    paragraphs = "\n".join(f"      <p>{html.escape(p)}</p>" for p in body)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{html.escape(title)} | Yalu Trade Monitor</title>
  <link rel="canonical" href="{url}">
  <meta property="og:title" content="{html.escape(title)}">
  <meta property="og:url" content="{url}">
  <meta property="og:site_name" content="Yalu Trade Monitor (reconstructed)">
  <meta name="tradewatch:reconstructed" content="written for offline replay; see the README">
  {head_date}
</head>
<body>
  <header><nav><a href="/">Home</a> | <a href="/trade/">Trade</a> |
    <a href="/sanctions/">Sanctions</a></nav></header>
  <div class="ad-slot">Advertisement</div>
  <main>
    <article>
      <h1>{html.escape(title)}</h1>
      <p class="byline">By Staff reporter, Dandong</p>
{paragraphs}
      <div class="related-stories">
        <p>Related: Dandong traders wait for the bridge to reopen after inspections</p>
      </div>
    </article>
  </main>
  <aside class="sidebar">
    <p>Most read: Border trade resumes after the holiday week in Dandong city</p>
  </aside>
  <footer>
    <p>© Yalu Trade Monitor. A reconstructed outlet for tradewatch's offline replay.</p>
  </footer>
</body>
</html>
"""


def ledger_page(url: str, title: str, body: list[str], when: dt.datetime) -> str:
    paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in body)
    return f"""<html><head><title>{html.escape(title)} - Commodity Ledger</title>
<meta property="article:published_time" content="{when.isoformat()}">
<meta property="og:site_name" content="Commodity Ledger (reconstructed)">
<meta property="og:url" content="{url}">
<meta name="tradewatch:reconstructed" content="written for offline replay; see the README">
</head><body><div id="menu"><ul><li>Coal</li><li>Metals</li></ul></div>
<div class="story"><h2>{html.escape(title)}</h2>
{paragraphs}
</div><div class="newsletter-signup">
<p>Sign up for the Ledger's daily note on Chinese coal markets.</p></div>
</body></html>
"""


VIDEO_PAGE = """<html><head><title>Video: the Dandong bridge</title>
<meta property="article:published_time" content="2017-10-24T10:00:00+08:00"></head>
<body><div class="player">[video]</div><p>Watch: trucks on the bridge.</p></body></html>
"""


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    pages = OUT / "pages"
    items, gdelt = [], {}
    for index, pub in enumerate(Month.span(FIRST, LAST)):
        title, body = yalu_paragraphs(pub)
        when = published_at(pub, 22 + index % 5, 9 + index % 7)
        path = f"/{pub.year}/{pub.month:02d}/{slug(title)}/"
        url = f"https://{YALU}{path}"
        target = pages / YALU / path.strip("/") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yalu_page(url, title, body, when, index % 3), encoding="utf-8")
        items.append((title, url, when, body[0]))
        seen = []
        if pub.year >= 2017:
            ltitle, lbody = ledger_paragraphs(pub)
            lwhen = published_at(pub, 21 + index % 3, 15)
            lpath = f"/notes/{slug(ltitle)}.html"
            lurl = f"https://{LEDGER}{lpath}"
            ltarget = pages / LEDGER / lpath.strip("/")
            ltarget.parent.mkdir(parents=True, exist_ok=True)
            ltarget.write_text(ledger_page(lurl, ltitle, lbody, lwhen), encoding="utf-8")
            seen = [(lurl, ltitle, lwhen, LEDGER), (url, title, when, YALU)]
            if pub == Month(2017, 10):
                vurl = f"https://{LEDGER}/video/dandong-bridge.html"
                (pages / LEDGER / "video").mkdir(parents=True, exist_ok=True)
                (pages / LEDGER / "video/dandong-bridge.html").write_text(VIDEO_PAGE)
                seen.append((vurl, "Video: the Dandong bridge", lwhen, LEDGER))
            gdelt[pub] = seen
    feed = pages / YALU / "feed" / "index.xml"
    feed.parent.mkdir(parents=True, exist_ok=True)
    feed.write_text(rss(items), encoding="utf-8")
    for pub, seen in gdelt.items():
        answer = {
            "articles": [
                {
                    "url": url,
                    "url_mobile": "",
                    "title": title,
                    "seendate": when.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ"),
                    "socialimage": "",
                    "domain": host,
                    "language": "English",
                    "sourcecountry": "",
                }
                for url, title, when, host in seen
            ]
        }
        target = OUT / "gdelt" / f"{pub}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(answer, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(items)} Yalu pages, {sum(map(len, gdelt.values()))} GDELT entries to {OUT}")


def rss(items) -> str:
    entries = "\n".join(
        f"""\t<item>
\t\t<title>{html.escape(title)}</title>
\t\t<link>{url}</link>
\t\t<dc:creator><![CDATA[Staff reporter]]></dc:creator>
\t\t<pubDate>{format_datetime(when)}</pubDate>
\t\t<category><![CDATA[Trade]]></category>
\t\t<guid isPermaLink="true">{url}</guid>
\t\t<description><![CDATA[{summary}]]></description>
\t</item>"""
        for title, url, when, summary in reversed(items)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
\txmlns:dc="http://purl.org/dc/elements/1.1/"
\txmlns:atom="http://www.w3.org/2005/Atom">
<channel>
\t<title>Yalu Trade Monitor (reconstructed for tradewatch offline replay)</title>
\t<atom:link href="https://{YALU}/feed/" rel="self" type="application/rss+xml" />
\t<link>https://{YALU}</link>
\t<description>Border trade between China and North Korea</description>
\t<language>en-US</language>
{entries}
</channel>
</rss>
"""


if __name__ == "__main__":
    main()
