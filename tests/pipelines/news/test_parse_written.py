"""The news parsers on documents written here (GDELT answers, feeds, article pages).

Each named error is checked whole (URL and reason), and each place a date, a title, an outlet,
an author or a canonical address can come from is tried alone, so a lookup that stops looking
is seen. These came from mutation testing: the real samples exercise the common path.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from tradewatch.pipelines.errors import LayoutChanged
from tradewatch.pipelines.news import parse as news
from tradewatch.pipelines.news.parse import (
    BadPage,
    GdeltError,
    RawDocument,
    matches_terms,
    parse_article,
    parse_feed,
    parse_gdelt,
)

URL = "https://news.example.org/2016/09/coal.html?x=1#top"
SEPT = dt.datetime(2016, 10, 24, tzinfo=dt.UTC)
PARAGRAPH = (
    "China imported 1.798 million tonnes of coal from North Korea in September, customs data "
    "showed on Monday, down 27 percent from August as Beijing said it was enforcing sanctions. "
)


def named(kind, reason, call, url=URL):
    with pytest.raises(kind) as err:
        call()
    assert type(err.value) is kind and err.value.url == url
    if kind is GdeltError:
        assert err.value.message == reason and str(err.value) == f"{url}: GDELT says: {reason}"
    else:
        assert err.value.reason == reason
        assert str(err.value) == f"{url}: {reason}"


def gdelt(body) -> RawDocument:
    return RawDocument(URL, body if isinstance(body, bytes) else json.dumps(body).encode())


def records(frame) -> list[dict]:
    """The frame's rows, a missing value as None whatever pandas makes of it."""
    return [
        {k: (None if v is None or v != v or v is pd.NaT else v) for k, v in row.items()}
        for row in frame.astype(object).to_dict("records")
    ]


def test_gdelt_rows_take_each_field_or_say_it_is_missing():
    frame = parse_gdelt(
        gdelt(
            {
                "articles": [
                    {"url": "https://a.example/x", "title": "  Coal  ",
                     "seendate": "20161024T083000Z", "domain": "a.example",
                     "language": "English", "sourcecountry": "China"},
                    {"url": "https://www.b.example/y", "title": None, "seendate": "",
                     "language": "", "sourcecountry": ""},
                ]
            }
        )
    )  # fmt: skip
    assert list(frame.columns) == news.GDELT_COLUMNS
    assert records(frame) == [
        {"url": "https://a.example/x", "title": "Coal",
         "seen_at": dt.datetime(2016, 10, 24, 8, 30, tzinfo=dt.UTC), "domain": "a.example",
         "language": "English", "source_country": "China"},
        {"url": "https://www.b.example/y", "title": "", "seen_at": None,
         "domain": "www.b.example", "language": None, "source_country": None},
    ]  # fmt: skip
    assert list(parse_gdelt(gdelt({})).columns) == news.GDELT_COLUMNS


def test_every_gdelt_error_is_named_whole():
    named(
        GdeltError,
        "Invalid query: too short",
        lambda: parse_gdelt(gdelt(b"Invalid query:\n too short")),
    )
    named(GdeltError, "(empty answer)", lambda: parse_gdelt(gdelt(b"  ")))
    named(GdeltError, "x" * 300, lambda: parse_gdelt(gdelt(b"x" * 301)))
    named(GdeltError, "caf\ufffd", lambda: parse_gdelt(gdelt(b"caf\xe9")))
    named(
        LayoutChanged,
        "GDELT answer is not JSON: Expecting property name enclosed in double quotes:"
        " line 1 column 2 (char 1)",
        lambda: parse_gdelt(gdelt(b"{,")),
    )
    named(LayoutChanged, "'articles' is not a list", lambda: parse_gdelt(gdelt({"articles": {}})))
    named(
        LayoutChanged,
        "article 1 has no url",
        lambda: parse_gdelt(gdelt({"articles": [{"url": "u"}, {}]})),
    )
    named(LayoutChanged, "article 0 has no url", lambda: parse_gdelt(gdelt({"articles": ["u"]})))
    named(
        LayoutChanged,
        "unreadable seendate '2016-10-24'",
        lambda: parse_gdelt(gdelt({"articles": [{"url": "u", "seendate": "2016-10-24"}]})),
    )  # fmt: skip


def test_a_gdelt_error_keeps_its_message():
    err = GdeltError(URL, "busy")
    assert (err.url, err.message) == (URL, "busy")


def test_terms_are_whole_words_in_any_case_and_an_empty_option_is_ignored():
    assert matches_terms("North Korea's COAL exports", ["coal", "korea|dprk"])
    assert not matches_terms("coalition", ["coal"])
    assert matches_terms("Coal", ["coal| "])
    assert not matches_terms("anything", ["|"])


RSS = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>T</title>
<item><title>  Coal   imports </title><link>https://n.example/1</link>
<pubDate>Mon, 24 Oct 2016 08:30:00 GMT</pubDate>
<dc:creator>A</dc:creator><dc:creator>B</dc:creator><dc:creator>A</dc:creator>
<description>&lt;p&gt;Coal &lt;b&gt;fell&lt;/b&gt;&lt;/p&gt;</description></item>
<item><title>No date</title><link>https://n.example/2</link>
<description>plain   text</description></item>
<item><title>No link</title></item>
<item><title>Bad date</title><link>https://n.example/3</link><pubDate>someday</pubDate></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><title>Updated only</title><link href="https://n.example/4"/>
<updated>2016-10-25T01:02:03Z</updated><author><name>C</name></author></entry>
<entry><link href="https://n.example/5"/><updated>never</updated></entry>
</feed>"""


def test_feed_entries_with_every_field_and_the_reasons_for_those_skipped():
    frame = parse_feed(RawDocument("https://n.example/feed", RSS))
    assert list(frame.columns) == news.FEED_COLUMNS
    assert records(frame) == [
        {"title": "Coal imports", "link": "https://n.example/1",
         "published_at": dt.datetime(2016, 10, 24, 8, 30, tzinfo=dt.UTC), "author": "A, B",
         "summary": "Coal fell"},
        {"title": "No date", "link": "https://n.example/2", "published_at": None, "author": None,
         "summary": "plain text"},
    ]  # fmt: skip
    assert frame.attrs["skipped"] == ["'No link': no link", "'Bad date': unreadable date 'someday'"]
    atom = parse_feed(RawDocument("https://n.example/atom", ATOM))
    assert records(atom) == [
        {"title": "Updated only", "link": "https://n.example/4",
         "published_at": dt.datetime(2016, 10, 25, 1, 2, 3, tzinfo=dt.UTC), "author": "C",
         "summary": ""},
    ]  # fmt: skip
    assert atom.attrs["skipped"] == ["'entry 1': unreadable date 'never'"]


def test_relative_feed_links_resolve_against_the_feed_address():
    body = RSS.replace(b"<link>https://n.example/1</link>", b"<link>/story/1</link>")
    frame = parse_feed(RawDocument("https://n.example/feed", body))
    assert frame.link[0] == "https://n.example/story/1"


def test_a_document_that_is_no_feed_is_named():
    named(
        LayoutChanged,
        "not an RSS or Atom feed",
        lambda: parse_feed(RawDocument(URL, b"<html><body>hi</body></html>")),
    )
    empty = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'
    assert parse_feed(RawDocument(URL, empty)).empty


def test_authors_from_the_list_or_the_single_field():
    assert news._authors({"authors": [{"name": " A "}, {}, {"name": "A"}]}) == "A"
    assert news._authors({"authors": [{}], "author": " D "}) == "D"
    assert news._authors({}) is None


def page(head="", body=None, content_type="text/html; charset=utf-8", lang="en") -> RawDocument:
    body = f"<article><h1>Coal</h1><p>{PARAGRAPH * 2}</p></article>" if body is None else body
    html = f'<html lang="{lang}"><head>{head}</head><body>{body}</body></html>'
    return RawDocument(URL, html.encode(), content_type)


def ld(**fields) -> str:
    return f'<script type="application/ld+json">{json.dumps(fields)}</script>'


@pytest.mark.parametrize(
    ("head", "when", "origin"),
    [
        (ld(**{"@type": "NewsArticle", "datePublished": "2016-10-24T08:30:00+08:00"}),
         dt.datetime(2016, 10, 24, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))), "json-ld"),
        ('<meta property="article:published_time" content="2016-10-24T08:30:00Z">',
         dt.datetime(2016, 10, 24, 8, 30, tzinfo=dt.UTC), "article:published_time"),
        ('<meta property="og:article:published_time" content="2016-10-24">',
         dt.datetime(2016, 10, 24, tzinfo=dt.UTC), "og"),
        ('<meta property="og:published_time" content="2016-10-24T01:00:00">',
         dt.datetime(2016, 10, 24, 1, tzinfo=dt.UTC), "og"),
        ('<meta property="og:updated_time" content="2016-10-24T01:00:00Z">',
         dt.datetime(2016, 10, 24, 1, tzinfo=dt.UTC), "og"),
        ('<meta property="og:updated_time" content="2016-10-24 late">',
         dt.datetime(2016, 10, 24, tzinfo=dt.UTC), "og"),
        ('<meta name="article:published_time" content="not a date">', SEPT, "feed"),
    ],
)  # fmt: skip
def test_each_place_a_publication_date_comes_from(head, when, origin):
    article = parse_article(page(head), fallback_published=SEPT, fallback_from="feed")
    assert (article.published_at, article.published_from) == (when, origin)


def test_a_given_date_is_named_given_and_without_any_date_the_page_is_refused(monkeypatch):
    assert parse_article(page(), fallback_published=SEPT).published_from == "given"
    monkeypatch.setattr(news, "_htmldate", lambda html, url: None)
    named(BadPage, "no publication date", lambda: parse_article(page()))


def test_htmldate_reads_a_date_the_page_states_only_in_its_text():
    text = f"<p>Published 24 October 2016</p><p>{PARAGRAPH * 2}</p>"
    article = parse_article(page(body=text))
    assert article.published_from == "htmldate"
    assert article.published_at == dt.datetime(2016, 10, 24, tzinfo=dt.UTC)


def test_title_outlet_author_language_and_canonical_from_each_place():
    head = (
        '<title> Page title </title><meta property="og:title" content=" OG title ">'
        '<meta property="og:site_name" content="Site"><meta name="author" content="Ann">'
        '<meta property="og:url" content="/canonical/coal#frag"><meta property="og:locale" '
        'content="en_GB"><meta itemprop="og:title" content="later, ignored">'
    )
    article = parse_article(page(head, lang=""), fallback_published=SEPT)
    assert (article.title, article.outlet, article.author) == ("OG title", "Site", "Ann")
    assert article.canonical_url == "https://news.example.org/canonical/coal"
    assert article.language == "en_GB" and article.url == URL
    bare = parse_article(page("<title> Page title </title>"), fallback_published=SEPT)
    assert (bare.title, bare.outlet, bare.author, bare.language) == (
        "Page title",
        "news.example.org",
        None,
        "en",
    )
    assert bare.canonical_url == "https://news.example.org/2016/09/coal.html?x=1"
    www = RawDocument("https://www.example.org/a", page().body, "text/html")
    assert parse_article(www, fallback_published=SEPT).outlet == "example.org"
    meta_author = page('<meta property="article:author" content="Bo">')
    assert parse_article(meta_author, fallback_published=SEPT).author == "Bo"
    untitled = parse_article(page(), fallback_published=SEPT)
    assert untitled.title == ""


def test_json_ld_inside_a_graph_or_a_list_gives_headline_names_and_address():
    graph = {
        "@graph": [
            {"@type": "WebPage", "headline": "not this"},
            {"@type": ["Thing", "ReportageNewsArticle"], "headline": " Coal ",
             "author": [{"name": "A"}, "B", {"name": ""}], "publisher": {"name": "Wire"},
             "mainEntityOfPage": {"@id": "https://news.example.org/id"}},
        ]
    }  # fmt: skip
    head = '<script type="application/ld+json">{broken</script>' + (
        f'<script type="application/ld+json">{json.dumps([graph])}</script>'
    )
    article = parse_article(page(head), fallback_published=SEPT)
    assert (article.title, article.author, article.outlet) == ("Coal", "A, B", "Wire")
    assert article.canonical_url == "https://news.example.org/id"
    url_only = ld(**{"@type": "Article", "url": "https://news.example.org/u", "author": ""})
    article = parse_article(page(url_only), fallback_published=SEPT)
    assert article.canonical_url == "https://news.example.org/u" and article.author is None
    entity = ld(**{"@type": "Article", "mainEntityOfPage": "https://news.example.org/e"})
    assert parse_article(page(entity), fallback_published=SEPT).canonical_url.endswith("/e")
    link = '<link rel="canonical" href="mailto:x@y"><meta property="og:url" content="https://o/">'
    assert parse_article(page(link), fallback_published=SEPT).canonical_url == "https://o/"
    assert news._ld_items("text") == [] and news._ld_name(["", None]) is None
    assert news._ld_name(" x ") == "x" and news._ld_text(5) == ""


def test_an_article_body_in_json_ld_is_kept_when_the_page_shows_less():
    body_text = "First paragraph of the story.\n\n  Second   one, " + PARAGRAPH * 3
    head = ld(**{"@type": "NewsArticle", "articleBody": body_text})
    article = parse_article(page(head, body="<p>Subscribe.</p>"), fallback_published=SEPT)
    assert article.text == (
        "First paragraph of the story.\n\nSecond one, " + " ".join((PARAGRAPH * 3).split())
    )


def test_a_table_in_the_article_is_part_of_its_text_and_comments_are_not():
    body = (
        f"<article><p>{PARAGRAPH * 2}</p><table><tr><td>September</td><td>1.798 Mt</td></tr>"
        '</table></article><div class="comments" id="comments"><p>Reader comment: fake news '
        "about coal shipments from somewhere else entirely in the world.</p></div>"
    )
    text = parse_article(page(body=body), fallback_published=SEPT).text
    assert "1.798 Mt" in text and "Reader comment" not in text
    assert "\n\n" in text and "  " not in text


def test_a_body_of_exactly_the_minimum_is_an_article_and_one_less_is_not():
    exact = "x" * 199 + "."
    article = parse_article(
        page(body=f"<article><p>{exact}</p></article>"), fallback_published=SEPT
    )
    assert len(article.text) == 200
    short = "x" * 198 + "."
    named(
        BadPage,
        "no article body (199 characters of text)",
        lambda: parse_article(
            page(body=f"<article><p>{short}</p></article>"), fallback_published=SEPT
        ),
    )


@pytest.mark.parametrize(
    ("content_type", "body", "reason"),
    [
        ("image/png", b"x", "binary content (image/png)"),
        ("audio/mpeg", b"x", "binary content (audio/mpeg)"),
        ("video/mp4", b"x", "binary content (video/mp4)"),
        ("application/pdf; q=1", b"x", "binary content (application/pdf; q=1)"),
        ("application/octet-stream", b"<html>", "binary content (application/octet-stream)"),
        ("application/zip", b"<html>", "binary content (application/zip)"),
        ("", b"%PDF-1.4", "binary content (unknown type)"),
        ("", b"\x89PNG\r\n", "binary content (unknown type)"),
        ("", b"PK\x03\x04", "binary content (unknown type)"),
        ("", b"\xff\xd8\xff", "binary content (unknown type)"),
        ("text/html", b"<html>" + b" " * 2040 + b"\x00", "binary content (text/html)"),
        ("application/json", b"{}", "not an article page (application/json)"),
        ("text/plain", b"\n \n", "empty text"),
        ("text/plain", b"caf\xe9", "text is not UTF-8: unexpected end of data"),
    ],
)
def test_pages_that_are_no_article_are_named(content_type, body, reason):
    raw = RawDocument(URL, body, content_type)
    named(BadPage, reason, lambda: parse_article(raw, fallback_published=SEPT))


def test_binary_is_judged_on_the_first_two_kilobytes_and_the_type_ignores_case():
    late_nul = b"<html>" + b" " * 2042 + b"\x00"
    assert not news._looks_binary(RawDocument(URL, late_nul, "text/html"))
    assert news._looks_binary(RawDocument(URL, b"x", "IMAGE/PNG"))


def test_plain_text_takes_its_first_line_as_title_and_needs_a_date():
    raw = RawDocument(URL, b"\n\n  Coal falls \n\nFirst.\n\n\n\nSecond.\n", "text/plain")
    article = parse_article(raw, fallback_published=SEPT, fallback_from="given")
    assert (article.title, article.text) == ("Coal falls", "First.\n\nSecond.")
    assert (article.url, article.canonical_url, article.outlet, article.author) == (
        URL,
        URL,
        None,
        None,
    )
    assert (article.published_at, article.published_from) == (SEPT, "given")
    one = parse_article(RawDocument(URL, b"Just one paragraph.", ""), fallback_published=SEPT)
    assert (one.title, one.text) == ("", "Just one paragraph.")
    named(
        BadPage,
        "no publication date (plain text carries none: give one)",
        lambda: parse_article(raw),
    )


def test_a_page_whose_head_names_no_html_tag_in_its_first_four_kilobytes_is_text():
    late = b"Title line\n" + b"word " * 820 + b"<html><p>x</p>"
    article = parse_article(RawDocument(URL, late, ""), fallback_published=SEPT)
    assert article.title == "Title line"
    early = RawDocument(URL, b"Title line\n<DIV>" + PARAGRAPH.encode() * 3 + b"</DIV>", "")
    named(  # read as HTML (a plain text is any length)
        BadPage,
        "no article body (0 characters of text)",
        lambda: parse_article(early, fallback_published=SEPT),
    )


def test_an_entry_without_a_title_and_a_feed_without_entries_keep_their_shape():
    body = RSS.replace(b"<title>No date</title>", b"")
    frame = parse_feed(RawDocument("https://n.example/feed", body))
    assert frame.title[1] == "" and frame.link[1] == "https://n.example/2"
    empty = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'
    assert list(parse_feed(RawDocument(URL, empty)).columns) == news.FEED_COLUMNS


def test_the_html_sniff_reads_exactly_the_first_four_kilobytes():
    inside = b"x" * 4094 + b"<p>" + PARAGRAPH.encode() * 3
    named(
        BadPage,
        "no article body (0 characters of text)",
        lambda: parse_article(RawDocument(URL, inside, ""), fallback_published=SEPT),
    )
    outside = b"x" * 4095 + b"<p>" + PARAGRAPH.encode() * 3
    article = parse_article(RawDocument(URL, outside, ""), fallback_published=SEPT)
    assert article.text.startswith("xxx") and article.title == ""


def test_a_content_type_with_parameters_is_judged_by_its_type():
    raw = RawDocument(URL, b"<html>", "application/zip; charset=binary")
    named(BadPage, "binary content (application/zip; charset=binary)", lambda: parse_article(raw))


def test_only_json_ld_scripts_and_meta_tags_and_link_elements_are_read():
    head = (
        '<script type="application/json">{"@type": "NewsArticle", "headline": "Data blob"}'
        '</script><meta itemprop="author" content="Item Author">'
        '<meta property="og:url" content="http://news.example.org/plain-http">'
    )
    body = (
        f'<article><p>{PARAGRAPH * 2}</p><span itemprop="og:site_name" content="Span outlet">'
        '</span><a rel="canonical" href="/anchor">x</a></article>'
    )
    article = parse_article(page(head, body=body), fallback_published=SEPT)
    assert (article.title, article.author) == ("", "Item Author")
    assert article.outlet == "news.example.org"
    assert article.canonical_url == "http://news.example.org/plain-http"
    assert news._host("/relative/path") is None


def test_a_json_ld_date_that_is_not_text_is_passed_over():
    head = ld(**{"@type": "NewsArticle", "datePublished": ["2016-10-24"]}) + (
        '<meta property="article:published_time" content="2016-10-25T00:00:00Z">'
    )
    article = parse_article(page(head), fallback_published=SEPT)
    assert (article.published_at, article.published_from) == (
        dt.datetime(2016, 10, 25, tzinfo=dt.UTC),
        "article:published_time",
    )


def test_images_are_not_part_of_an_articles_text():
    body = (
        f'<article><p>{PARAGRAPH * 2}</p><figure><img src="https://x.example/chart.png" '
        f'alt="A chart of coal"></figure><p>{PARAGRAPH}</p></article>'
    )
    text = parse_article(page(body=body), fallback_published=SEPT).text
    assert "chart" not in text and text.count("1.798") == 3


def test_a_json_ld_body_of_the_same_length_as_the_pages_leaves_the_page_text():
    page_text = " ".join((PARAGRAPH * 2).split())
    same_length = "Y" * len(page_text)
    head = ld(**{"@type": "NewsArticle", "articleBody": same_length})
    body = f"<article><p>{PARAGRAPH * 2}</p></article>"
    assert parse_article(page(head, body=body), fallback_published=SEPT).text == page_text


def test_htmldate_takes_the_original_date_of_a_page_with_several_even_in_bad_bytes():
    html = (
        f"<html><body><p>Published 24 October 2016.</p><p>{PARAGRAPH}</p>"
        "<p>Updated 1 November 2016.</p></body></html>"
    ).encode() + b"\xff"
    assert news._htmldate(html, "https://x.example/a") == dt.datetime(2016, 10, 24, tzinfo=dt.UTC)
