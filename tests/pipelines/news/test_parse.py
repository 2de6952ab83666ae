"""Golden parses of the real samples, and the pages tradewatch refuses to keep."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from tests.samples import shared_sample
from tradewatch.pipelines.errors import LayoutChanged
from tradewatch.pipelines.news import replay as news_recordings
from tradewatch.pipelines.news.parse import (
    BadPage,
    GdeltError,
    RawDocument,
    parse_article,
    parse_feed,
    parse_gdelt,
)

FIXTURES = Path(__file__).parent / "fixtures"
REUTERS = "trafilatura_reuters.com.parasite"
FEED = "thehill_wordpress_feed_2024-07-19"
ARTLIST = "overwatch_vizhinjam_2024_artlist"
GDELT_URL = "https://api.gdeltproject.org/api/v2/doc/doc?query=coal&mode=artlist&format=json"


SAMPLE_FOLDERS = {".html": "news_html", ".xml": "rss", ".json": "gdelt", ".txt": "gdelt"}


def doc(name: str, url: str = "https://example.org/page", content_type: str = "text/html"):
    """A real sample from ../shared/samples as the document fetched from ``url``."""
    folder = SAMPLE_FOLDERS[Path(name).suffix]
    body = shared_sample(f"{folder}/{name}").read_bytes()
    return RawDocument(url=url, body=body, content_type=content_type)


def html(body: str, head: str = "") -> RawDocument:
    page = f"<html><head>{head}</head><body>{body}</body></html>"
    return RawDocument("https://news.example.org/a", page.encode(), "text/html; charset=utf-8")


PARAGRAPHS = "".join(
    f"<p>Paragraph {n}: China's coal imports from North Korea were the subject of the talks.</p>"
    for n in range(4)
)


def test_the_reuters_page_gives_its_metadata_and_body():
    article = parse_article(doc(f"{REUTERS}.html", "https://www.reuters.com/some/path"))
    expected = json.loads((FIXTURES / f"{REUTERS}.expected.json").read_text())
    got = {k: v for k, v in article.__dict__.items() if k != "text"}
    got["published_at"] = got["published_at"].isoformat()
    assert got == {**expected, "url": "https://www.reuters.com/some/path"}
    assert article.text + "\n" == (FIXTURES / f"{REUTERS}.expected.txt").read_text()


def test_the_reuters_body_has_no_byline_related_links_or_trust_badge():
    text = parse_article(doc(f"{REUTERS}.html")).text
    assert text.startswith("LOS ANGELES (Reuters) - South Korean thriller")
    assert text.endswith("It’s been the most beautiful dream,” Waller-Bridge said.")
    for boilerplate in ("By Jill Serjeant", "Min Read", "Related Coverage", "Our Standards"):
        assert boilerplate not in text
    assert text.count("\n\n") == 20  # the 21 paragraphs of the story, subhead included


def test_json_ld_date_comes_before_the_meta_tags():
    ld = {"@type": "NewsArticle", "datePublished": "2016-10-24T08:00:00+08:00"}
    head = (
        f'<script type="application/ld+json">{json.dumps(ld)}</script>'
        '<meta property="article:published_time" content="2016-10-25T00:00:00Z">'
    )
    article = parse_article(html(PARAGRAPHS, head))
    assert article.published_from == "json-ld"
    assert article.published_at == dt.datetime(2016, 10, 24, tzinfo=dt.UTC)


def test_json_ld_inside_a_graph_is_found():
    ld = {
        "@graph": [{"@type": "WebPage"}, {"@type": ["NewsArticle"], "datePublished": "2017-01-05"}]
    }
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    assert parse_article(html(PARAGRAPHS, head)).published_at.date() == dt.date(2017, 1, 5)


@pytest.mark.parametrize(
    ("head", "origin"),
    [
        ('<meta property="article:published_time" content="2016-10-24">', "article:published_time"),
        ('<meta property="og:article:published_time" content="2016-10-24">', "og"),
    ],
)
def test_meta_dates_follow_json_ld(head, origin):
    article = parse_article(html(PARAGRAPHS, head))
    assert (article.published_from, article.published_at.date()) == (origin, dt.date(2016, 10, 24))


def test_the_feed_date_is_the_last_resort():
    when = dt.datetime(2016, 10, 24, 9, tzinfo=dt.UTC)
    article = parse_article(html(PARAGRAPHS), fallback_published=when, fallback_from="feed")
    assert (article.published_at, article.published_from) == (when, "feed")


def test_a_page_without_a_date_is_bad():
    with pytest.raises(BadPage, match="no publication date") as error:
        parse_article(html(PARAGRAPHS))
    assert error.value.url == "https://news.example.org/a"


def test_a_page_without_a_body_is_bad():
    head = '<meta property="article:published_time" content="2016-10-24">'
    with pytest.raises(BadPage, match="no article body"):
        parse_article(
            html("<nav><p>Home | World | Business | Markets</p></nav><p>Subscribe</p>", head)
        )


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"%PDF-1.4 binary", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", ""),
        (b"a\x00b", "text/html"),
    ],
)
def test_binary_content_is_bad(body, content_type):
    with pytest.raises(BadPage, match="binary content"):
        parse_article(RawDocument("https://news.example.org/x", body, content_type))


def test_a_plain_text_article_takes_its_first_line_as_title_and_needs_a_date():
    text = "Coal imports slump\n\n" + "China only imported 1.8 million tons of coal. " * 10
    raw = RawDocument("file:///tmp/a.txt", text.encode(), "text/plain")
    with pytest.raises(BadPage, match="no publication date"):
        parse_article(raw)
    when = dt.datetime(2016, 10, 24, tzinfo=dt.UTC)
    article = parse_article(raw, fallback_published=when)
    assert article.title == "Coal imports slump"
    assert article.text.startswith("China only imported")


def test_the_canonical_link_names_the_article():
    head = (
        '<link rel="canonical" href="/news/coal-1">'
        '<meta property="article:published_time" content="2016-10-24">'
    )
    assert (
        parse_article(html(PARAGRAPHS, head)).canonical_url
        == "https://news.example.org/news/coal-1"
    )


def test_the_rss_sample_gives_every_item_with_its_date_and_author():
    got = parse_feed(doc(f"{FEED}.xml", "https://thehill.com/feed/"))
    expected = pd.read_csv(FIXTURES / f"{FEED}.expected.csv", dtype=str, keep_default_na=False)
    got = got.assign(published_at=got["published_at"].map(lambda t: t.isoformat()))
    assert len(got) == 100
    pd.testing.assert_frame_equal(got.fillna(""), expected)
    first = got.iloc[0]
    assert first["title"] == "GOP efforts to reach Black voters through RNC a ‘miscalculation’"
    assert first["published_at"] == "2024-07-19T09:30:00+00:00"
    assert first["author"] == "Cheyanne M. Daniels, Aris Folley"  # the item names two


def test_an_atom_feed_is_read_too():
    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
    <entry><title>Coal</title><link rel="alternate" href="https://x.example/a"/>
    <published>2016-10-24T08:00:00Z</published><author><name>A. Writer</name></author>
    <summary>China's coal imports</summary></entry></feed>"""
    (entry,) = parse_feed(RawDocument("https://x.example/feed", atom)).to_dict("records")
    assert entry["link"] == "https://x.example/a"
    assert entry["published_at"] == dt.datetime(2016, 10, 24, 8, tzinfo=dt.UTC)
    assert entry["author"] == "A. Writer"


def test_a_document_that_is_no_feed_is_a_layout_change():
    with pytest.raises(LayoutChanged, match="not an RSS or Atom feed"):
        parse_feed(RawDocument("https://x.example/feed", b"<html><body>hi</body></html>"))


def test_the_gdelt_artlist_sample_gives_its_articles():
    got = parse_gdelt(doc(f"{ARTLIST}.json", GDELT_URL))
    expected = pd.read_csv(FIXTURES / f"{ARTLIST}.expected.csv", dtype=str, keep_default_na=False)
    got = got.assign(seen_at=got["seen_at"].map(lambda t: t.isoformat()))
    pd.testing.assert_frame_equal(got.fillna(""), expected)
    assert got.loc[0, "seen_at"] == "2024-06-15T17:00:00+00:00"


def test_gdelt_plain_text_error_with_http_200_is_a_named_error():
    with pytest.raises(GdeltError, match="too short, too long or too common") as error:
        parse_gdelt(doc("overwatch_keyword_error.txt", GDELT_URL))
    assert error.value.url == GDELT_URL


def test_gdelt_rate_limit_body_is_an_error_not_an_empty_list():
    with pytest.raises(GdeltError, match="one every 5 seconds"):
        parse_gdelt(doc("overwatch_rate_limited.txt", GDELT_URL))


def test_gdelt_without_matches_answers_an_empty_object():
    assert parse_gdelt(RawDocument(GDELT_URL, b"{}")).empty


def test_a_single_sentence_of_plain_text_is_an_article_body():
    raw = RawDocument(
        "file:///tmp/a.txt",
        b"China only imported 1.8 million tons of coal from North Korea last month.\n",
        "text/plain",
    )
    article = parse_article(raw, fallback_published=dt.datetime(2016, 10, 24, tzinfo=dt.UTC))
    assert (article.title, article.text) == (
        "",
        "China only imported 1.8 million tons of coal from North Korea last month.",
    )


RSS_WITH_BAD_ENTRIES = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>Coal one</title><link>https://x.example/1</link>
  <pubDate>23 October 2016</pubDate></item>
<item><title>Coal two</title><link>https://x.example/2</link>
  <pubDate>sometime next week</pubDate></item>
<item><title>Coal three</title><pubDate>Mon, 24 Oct 2016 08:00:00 GMT</pubDate></item>
<item><title>Coal four</title><link>https://x.example/4</link>
  <pubDate>Mon, 24 Oct 2016 08:00:00 GMT</pubDate></item>
</channel></rss>"""


def test_a_feed_with_malformed_entries_loads_the_others_and_says_which_were_skipped():
    entries = parse_feed(RawDocument("https://x.example/feed", RSS_WITH_BAD_ENTRIES))
    assert list(entries["link"]) == ["https://x.example/1", "https://x.example/4"]
    # a date in no standard format, as feeds write them, is still read
    assert entries.loc[0, "published_at"] == dt.datetime(2016, 10, 23, tzinfo=dt.UTC)
    assert entries.attrs["skipped"] == [
        "'Coal two': unreadable date 'sometime next week'",
        "'Coal three': no link",
    ]


def test_a_page_whose_only_date_is_in_its_address_gets_it_from_htmldate():
    page = f"<html><body><article>{PARAGRAPHS}</article></body></html>".encode()
    raw = RawDocument("https://news.example.org/2016/10/24/coal.html", page, "text/html")
    article = parse_article(raw)
    assert (article.published_at.date(), article.published_from) == (
        dt.date(2016, 10, 24),
        "htmldate",
    )


def test_a_json_ld_article_body_is_used_where_the_page_shows_less():
    body = " ".join(["China's coal imports from North Korea fell in September."] * 8)
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": '
        f'"2016-10-24T09:00:00Z", "articleBody": "{body}"}}</script>'
    )
    article = parse_article(html("<p>Subscribe to read.</p>", head))
    assert article.text == body


RECORDED_PAGES = Path(news_recordings.__file__).parent / "recordings" / "pages"
BOILERPLATE = ("Home | Trade", "By Staff reporter", "Related:", "Most read:", "©")


def test_every_recorded_article_page_is_read_and_only_the_video_page_refused():
    refused, read = [], 0
    for path in sorted(RECORDED_PAGES.rglob("*.html")):
        url = "https://" + path.relative_to(RECORDED_PAGES).as_posix()
        try:
            article = parse_article(RawDocument(url, path.read_bytes(), "text/html"))
        except BadPage as exc:
            refused.append((path.name, exc.reason))
            continue
        read += 1
        assert article.title and article.published_at.year in (2016, 2017), url
        assert not any(words in article.text for words in BOILERPLATE), url
        assert not article.text.startswith(article.title), url
    assert (read, refused) == (
        33,
        [("dandong-bridge.html", "no article body (37 characters of text)")],
    )
