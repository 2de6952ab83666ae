"""Pure parsers: GDELT DOC 2.0 answers, RSS/Atom feeds and article pages, bytes in.

A document the parser does not understand raises a named error carrying its URL; an article
page without a body, a date or text at all is a ``BadPage`` with the reason, never an article
with empty fields.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import feedparser
import htmldate
import pandas as pd
import trafilatura
from bs4 import BeautifulSoup

from ..errors import LayoutChanged
from . import settings

FEED_COLUMNS = ["title", "link", "published_at", "author", "summary"]
GDELT_COLUMNS = ["url", "title", "seen_at", "domain", "language", "source_country"]


class GdeltError(Exception):
    """GDELT answered with a plain-text error instead of JSON (it does so with HTTP 200)."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(f"{url}: GDELT says: {message}")
        self.url = url
        self.message = message


class BadPage(Exception):
    """A page that is not an article tradewatch can keep: the reason and the URL."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class RawDocument:
    """The bytes of one fetched document and where they came from."""

    url: str
    body: bytes
    content_type: str = ""
    fetched_at: dt.datetime | None = None
    exchange_id: str | None = None


@dataclass(frozen=True)
class Article:
    """One version of a news article, as published."""

    url: str
    canonical_url: str
    title: str
    outlet: str | None
    author: str | None
    published_at: dt.datetime
    published_from: str  # json-ld | article:published_time | og | feed | gdelt | given | htmldate
    text: str
    language: str | None = None

    @property
    def text_sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def matches_terms(text: str, terms) -> bool:
    """Whether ``text`` contains every term (``a|b``: either), as whole words, any case."""
    return all(
        any(
            re.search(rf"\b{re.escape(option.strip())}\b", text, re.IGNORECASE)
            for option in term.split("|")
            if option.strip()
        )
        for term in terms
    )


# --- GDELT ---------------------------------------------------------------------------------


def parse_gdelt(raw: RawDocument) -> pd.DataFrame:
    """The articles of an ``artlist`` answer; a plain-text answer is a ``GdeltError``."""
    text = raw.body.decode("utf-8", errors="replace").strip()
    if not text.startswith("{"):
        raise GdeltError(raw.url, " ".join(text.split())[:300] or "(empty answer)")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LayoutChanged(raw.url, f"GDELT answer is not JSON: {exc}") from exc
    # Text that starts with "{" and parses is an object.
    # GDELT answers a query without matches with an empty object.
    articles = document.get("articles", [])
    if not isinstance(articles, list):
        raise LayoutChanged(raw.url, "'articles' is not a list")
    rows = []
    for index, item in enumerate(articles):
        if not isinstance(item, dict) or not item.get("url"):
            raise LayoutChanged(raw.url, f"article {index} has no url")
        rows.append(
            {
                "url": item["url"],
                "title": (item.get("title") or "").strip(),
                "seen_at": _gdelt_time(item.get("seendate"), raw.url),
                "domain": item.get("domain") or urlsplit(item["url"]).hostname,
                "language": item.get("language") or None,
                "source_country": item.get("sourcecountry") or None,
            }
        )
    return pd.DataFrame(rows, columns=GDELT_COLUMNS)


def _gdelt_time(value: str | None, url: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    except ValueError as exc:
        raise LayoutChanged(url, f"unreadable seendate {value!r}") from exc


# --- feeds ---------------------------------------------------------------------------------


def parse_feed(raw: RawDocument) -> pd.DataFrame:
    """Entries of an RSS or Atom feed, read by feedparser: title, link, published time, author,
    summary.

    An entry without a link or with a date nobody can read is skipped, never the whole feed:
    the reasons are in ``frame.attrs["skipped"]``. A document that is no feed at all is a
    ``LayoutChanged``.
    """
    parsed = feedparser.parse(raw.body, response_headers={"content-location": raw.url})
    if not parsed.get("version") and not parsed.entries:
        raise LayoutChanged(raw.url, "not an RSS or Atom feed")
    rows, skipped = [], []
    for index, entry in enumerate(parsed.entries):
        link = entry.get("link")
        # dict.get: feedparser's own get maps "updated" to "published" with a warning
        stated = dict.get(entry, "published") or dict.get(entry, "updated")
        when = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
        label = entry.get("title") or f"entry {index}"
        if not link:
            skipped.append(f"{label!r}: no link")
            continue
        if stated and when is None:
            skipped.append(f"{label!r}: unreadable date {stated!r}")
            continue
        rows.append(
            {
                "title": " ".join((entry.get("title") or "").split()),
                "link": link,
                "published_at": dt.datetime(*when[:6], tzinfo=dt.UTC) if when else None,
                "author": _authors(entry),
                "summary": _strip_html(entry.get("summary") or ""),
            }
        )
    frame = pd.DataFrame(rows, columns=FEED_COLUMNS)
    frame.attrs["skipped"] = skipped
    return frame


def _authors(entry) -> str | None:
    """Every author an entry names ("A, B" for two ``dc:creator``s), or None."""
    names = [a.get("name", "").strip() for a in entry.get("authors") or []]
    names = [n for n in dict.fromkeys(names) if n] or [(entry.get("author") or "").strip()]
    return ", ".join(n for n in names if n) or None


def _strip_html(text: str) -> str:
    if "<" not in text:
        return " ".join(text.split())
    return " ".join(BeautifulSoup(text, "lxml").get_text(" ").split())


def _iso_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    text = value.strip()  # Python 3.11's fromisoformat reads "Z" itself
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            when = dt.datetime.combine(dt.date.fromisoformat(text[:10]), dt.time())
        except ValueError:
            return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


# --- articles ------------------------------------------------------------------------------


def parse_article(
    raw: RawDocument,
    *,
    fallback_published: dt.datetime | None = None,
    fallback_from: str = "given",
) -> Article:
    """Metadata and body text of an HTML page or a plain-text article.

    The publication time is the page's JSON-LD ``datePublished``, else its
    ``article:published_time`` meta, else an ``og:`` date, else ``fallback_published`` (the
    feed's or GDELT's date, or one the user gave). Without any, the page is a ``BadPage``.
    """
    if _looks_binary(raw):
        raise BadPage(raw.url, f"binary content ({raw.content_type or 'unknown type'})")
    content_type = raw.content_type.split(";")[0].strip().lower()
    if content_type in settings.TEXT_TYPES or (
        not content_type and not re.search(rb"<(?:html|body|p|div)\b", raw.body[:4096], re.I)
    ):
        return _plain_article(raw, fallback_published, fallback_from)
    if content_type and content_type not in settings.HTML_TYPES:
        raise BadPage(raw.url, f"not an article page ({content_type})")
    soup = BeautifulSoup(raw.body, "lxml")
    ld = _json_ld_article(soup)
    meta = _meta(soup)
    published, published_from = _published(ld, meta)
    if published is None and fallback_published is not None:
        published, published_from = fallback_published, fallback_from
    if published is None:
        published, published_from = _htmldate(raw.body, raw.url), "htmldate"
    if published is None:
        raise BadPage(raw.url, "no publication date")
    canonical = _canonical(soup, ld, meta, raw.url)
    title = (
        _ld_text(ld.get("headline"))
        or meta.get("og:title")
        or (soup.title.get_text(strip=True) if soup.title else "")
    ).strip()
    text = _without_headline(_body_text(raw.body, raw.url, ld), title)
    if len(text) < settings.MIN_BODY_CHARACTERS:
        raise BadPage(raw.url, f"no article body ({len(text)} characters of text)")
    return Article(
        url=raw.url,
        canonical_url=canonical,
        title=title,
        outlet=_ld_name(ld.get("publisher")) or meta.get("og:site_name") or _host(canonical),
        author=_ld_name(ld.get("author")) or meta.get("author") or meta.get("article:author"),
        published_at=published,
        published_from=published_from,
        text=text,
        language=(soup.html.get("lang") if soup.html else None) or meta.get("og:locale"),
    )


def _looks_binary(raw: RawDocument) -> bool:
    content_type = raw.content_type.split(";")[0].strip().lower()
    if content_type.startswith(("image/", "audio/", "video/", "application/pdf")):
        return True
    if content_type in ("application/octet-stream", "application/zip"):
        return True
    head = raw.body[:2048]
    return b"\x00" in head or head.startswith((b"%PDF", b"\x89PNG", b"PK\x03\x04", b"\xff\xd8"))


def _plain_article(raw: RawDocument, published: dt.datetime | None, published_from: str) -> Article:
    try:
        text = raw.body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadPage(raw.url, f"text is not UTF-8: {exc.reason}") from exc
    lines = [line.strip() for line in text.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    if not lines:
        raise BadPage(raw.url, "empty text")
    if published is None:
        raise BadPage(raw.url, "no publication date (plain text carries none: give one)")
    # Plain text is what a user hands over on purpose: any length of body will do.
    title, body = lines[0], "\n".join(lines[1:]).strip()
    if not body:
        # A single paragraph is all body, with no headline.
        title, body = "", lines[0]
    return Article(
        url=raw.url,
        canonical_url=raw.url,
        title=title,
        outlet=None,
        author=None,
        published_at=published,
        published_from=published_from,
        text=re.sub(r"\n{3,}", "\n\n", body),
    )


def _json_ld_article(soup: BeautifulSoup) -> dict:
    """The first JSON-LD object typed as a news or other article (also inside ``@graph``)."""
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except json.JSONDecodeError:
            continue
        for item in _ld_items(data):
            kinds = item.get("@type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if any(isinstance(k, str) and k.endswith("Article") for k in kinds):
                return item
    return {}


def _ld_items(data) -> list[dict]:
    if isinstance(data, list):
        return [x for item in data for x in _ld_items(item)]
    if isinstance(data, dict):
        return [data, *_ld_items(data.get("@graph", []))]
    return []


def _ld_text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _ld_name(value) -> str | None:
    if isinstance(value, list):
        names = [n for n in (_ld_name(v) for v in value) if n]
        return ", ".join(names) or None
    if isinstance(value, dict):
        return _ld_text(value.get("name")) or None
    return _ld_text(value) or None


def _meta(soup: BeautifulSoup) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        name = tag.get("property") or tag.get("name") or tag.get("itemprop")
        content = tag.get("content")
        if name and content and name not in found:
            found[name.strip()] = content.strip()
    return found


def _published(ld: dict, meta: dict[str, str]) -> tuple[dt.datetime | None, str]:
    candidates = [
        (ld.get("datePublished"), "json-ld"),
        (meta.get("article:published_time"), "article:published_time"),
        (meta.get("og:article:published_time"), "og"),
        (meta.get("og:published_time"), "og"),
        (meta.get("og:updated_time"), "og"),
    ]
    for value, origin in candidates:
        when = _iso_time(value) if isinstance(value, str) else None
        if when is not None:
            return when, origin
    return None, ""


def _canonical(soup: BeautifulSoup, ld: dict, meta: dict[str, str], url: str) -> str:
    link = soup.find("link", rel="canonical")
    entity = ld.get("mainEntityOfPage")
    for candidate in (
        link.get("href") if link else None,
        meta.get("og:url"),
        entity.get("@id") if isinstance(entity, dict) else entity,
        ld.get("url"),
    ):
        if isinstance(candidate, str) and candidate.strip():
            absolute = urljoin(url, candidate.strip())
            if urlsplit(absolute).scheme in ("http", "https"):
                return absolute.split("#")[0]
    return url.split("#")[0]


def _host(url: str) -> str | None:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def _body_text(html: bytes, url: str, ld: dict) -> str:
    """The article's main text, paragraphs apart: trafilatura's, or JSON-LD's ``articleBody``
    where the page has one and trafilatura finds less.

    trafilatura runs favouring precision (no reporting credits, no trust badges), and again
    favouring recall when that finds less than an article's worth of text.
    """
    for precision in (True, False):
        extracted = trafilatura.extract(
            html,
            url=url,
            include_comments=False,
            include_tables=True,
            include_images=False,
            favor_precision=precision,
            favor_recall=not precision,
        )
        paragraphs = [" ".join(line.split()) for line in (extracted or "").splitlines()]
        text = "\n\n".join(p for p in paragraphs if p)
        if len(text) >= settings.MIN_BODY_CHARACTERS:
            break
    article_body = _ld_text(ld.get("articleBody"))
    if len(article_body) > len(text):
        text = "\n\n".join(" ".join(p.split()) for p in article_body.splitlines() if p.strip())
    return text


def _without_headline(text: str, title: str) -> str:
    """The body without the headline trafilatura keeps as its first paragraph: the title is
    read apart, and its figures are not claims of their own."""
    first, _, rest = text.partition("\n\n")
    if rest and first and title.casefold().startswith(first.casefold()):
        return rest
    return text


def _htmldate(html: bytes, url: str) -> dt.datetime | None:
    """The publication date htmldate finds in the page (URL, markup, text), or None."""
    found = htmldate.find_date(
        html.decode("utf-8", errors="replace"), url=url, original_date=True, extensive_search=True
    )
    if not found:
        return None
    return dt.datetime.combine(dt.date.fromisoformat(found), dt.time(), tzinfo=dt.UTC)
