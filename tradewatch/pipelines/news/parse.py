"""Pure parsers: GDELT DOC 2.0 answers, RSS/Atom feeds and article pages, bytes in.

A document the parser does not understand raises a named error carrying its URL; an article
page without a body, a date or text at all is a ``BadPage`` with the reason, never an article
with empty fields.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import pandas as pd
from bs4 import BeautifulSoup, Tag

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
    published_from: str  # json-ld | article:published_time | og | feed | gdelt | given
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
    if not isinstance(document, dict):
        raise LayoutChanged(raw.url, "GDELT answer is not a JSON object")
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
    """Entries of an RSS 2.0 or Atom feed: title, link, published time, author, summary."""
    soup = BeautifulSoup(raw.body, "xml")
    root = soup.find(["rss", "feed", "RDF"])
    if root is None:
        raise LayoutChanged(raw.url, "not an RSS or Atom feed")
    rows = []
    if root.name == "feed":
        for entry in root.find_all("entry", recursive=False):
            link = entry.find("link", rel="alternate") or entry.find("link")
            rows.append(
                {
                    "title": _text(entry.find("title")),
                    "link": link.get("href") if link else None,
                    "published_at": _feed_time(
                        _text(entry.find("published")) or _text(entry.find("updated")), raw.url
                    ),
                    "author": _text(entry.find("name")) or None,
                    "summary": _strip_html(_text(entry.find("summary"))),
                }
            )
    else:
        for item in root.find_all("item"):
            rows.append(
                {
                    "title": _text(item.find("title")),
                    "link": _text(item.find("link")) or None,
                    "published_at": _feed_time(
                        _text(item.find("pubDate")) or _text(item.find("date")), raw.url
                    ),
                    "author": _text(item.find("creator")) or _text(item.find("author")) or None,
                    "summary": _strip_html(_text(item.find("description"))),
                }
            )
    frame = pd.DataFrame(rows, columns=FEED_COLUMNS)
    missing = frame[frame["link"].isna()]
    if len(missing):
        raise LayoutChanged(raw.url, f"{len(missing)} feed entries have no link")
    return frame


def _text(node: Tag | None) -> str:
    return node.get_text(strip=True) if node is not None else ""


def _strip_html(text: str) -> str:
    if "<" not in text:
        return " ".join(text.split())
    return " ".join(BeautifulSoup(text, "lxml").get_text(" ").split())


def _feed_time(value: str, url: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        when = _iso_time(value)
        if when is None:
            raise LayoutChanged(url, f"unreadable feed date {value!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _iso_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00")
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
        raise BadPage(raw.url, "no publication date")
    canonical = _canonical(soup, ld, meta, raw.url)
    title = (
        _ld_text(ld.get("headline"))
        or meta.get("og:title")
        or (soup.title.get_text(strip=True) if soup.title else "")
    ).strip()
    text = _body_text(soup)
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


_BLOCKS = ("p", "h2", "h3", "h4", "blockquote", "li", "pre")


def _body_text(soup: BeautifulSoup) -> str:
    """The article's paragraphs: boilerplate removed, from the element holding most of them."""
    body = soup.body or soup
    for tag in body.find_all(settings.BOILERPLATE_TAGS):
        tag.decompose()
    for tag in body.find_all(True):
        if tag.decomposed or tag.name in ("html", "body", "article", "main"):
            continue
        marks = " ".join([*(tag.get("class") or []), tag.get("id") or "", tag.get("role") or ""])
        if marks and settings.BOILERPLATE_CLASS.search(marks):
            tag.decompose()
    paragraphs = [p for p in body.find_all("p") if len(p.get_text(" ", strip=True)) >= 40]
    if not paragraphs:
        return ""
    weight: dict[int, int] = {}
    nodes: dict[int, Tag] = {}
    for p in paragraphs:
        size = len(p.get_text(" ", strip=True))
        for parent in p.parents:
            weight[id(parent)] = weight.get(id(parent), 0) + size
            nodes[id(parent)] = parent
    best = max(weight.values())
    # The deepest element that still holds 80% of the paragraph text is the article body.
    container = paragraphs[0]
    for key, size in weight.items():
        if size >= 0.8 * best and _depth(nodes[key]) > _depth(container.parent or container):
            container = nodes[key]
    if container.name == "p":
        container = container.parent
    blocks = []
    for block in container.find_all(_BLOCKS):
        if block.find_parent(_BLOCKS):
            continue
        text = " ".join(block.get_text(" ", strip=True).split())
        text = re.sub(r"\s+([,.;:!?’”)])", r"\1", text)
        if text:
            blocks.append(text)
    return "\n\n".join(blocks)


def _depth(tag: Tag) -> int:
    return sum(1 for _ in tag.parents)
