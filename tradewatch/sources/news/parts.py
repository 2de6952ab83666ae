"""News reports as the ingest engine runs them: discovery plans the pages, each page an article.

Discovery (GDELT from 2017, the watchlist's feeds) is the plan; each page is fetched, parsed into
an article and its claims (pure), and loaded as a version of its canonical URL. A page that is no
article is ``Refused`` into ``news_rejects``, never a failed month; the month's one ledger row,
and the discoveries, are written once every page ran.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

import httpx
import pandas as pd

from ...pipelines import news
from ...pipelines.contract import Refused
from ...pipelines.errors import LayoutChanged
from ...pipelines.host_limits import shared_turn
from ...pipelines.http import (
    EnvironmentProxyTransport,
    ExchangeLog,
    NoRecording,
    ReplayTransport,
    ResponseTooLarge,
    ResponseTooSlow,
    RetryPolicy,
    make_client,
)
from ...schemas import Month, country_name
from ...schemas.news import ARTICLE_COLUMNS, ArticleRejected, check_article, check_claims
from ...warehouse import MonthLoad, Warehouse, resolve_path
from ...warehouse.load import RunIds, record_ledger
from ...warehouse.news import check_against, load_article, record_discoveries, record_reject

log = logging.getLogger(__name__)

# What fetching a page can raise: the page is refused, the run goes on.
PAGE_ERRORS = (news.NewsHTTPError, httpx.HTTPError)
_DISCOVERY_COLUMNS = [
    "month",
    "via",
    "found_in",
    "url",
    "title",
    "seen_at",
    "article_id",
    "version",
    "exchange_id",
]


@dataclass(frozen=True)
class Candidate:
    """A link discovery found: where, and the date it gave (a fallback for the page's own)."""

    url: str
    via: str
    found_in: str
    title: str | None
    seen_at: dt.datetime | None
    month: Month


@dataclass(frozen=True)
class NewsPage:
    """A fetched page and the link it was found as."""

    candidate: Candidate
    raw: news.RawDocument

    @property
    def exchange_id(self) -> str | None:
        return self.raw.exchange_id


class NewsClients:
    """GDELT's client and the pages' client, opened and closed together."""

    def __init__(self, gdelt: httpx.Client, pages: httpx.Client) -> None:
        self.gdelt, self.pages = gdelt, pages

    def __enter__(self) -> NewsClients:
        return self

    def __exit__(self, *exc) -> None:
        self.gdelt.close()
        self.pages.close()


def news_clients(log_: ExchangeLog, offline: bool) -> NewsClients:
    """GDELT and pages: live and polite to public hosts only, or replaying the recordings."""
    if offline:
        replay = news.PublicOnlyTransport(ReplayTransport(news.replay.replayers()), None)
        quick = {"retry": RetryPolicy(attempts=1), "min_interval": 0}
        return NewsClients(
            make_client(news.GDELT_SOURCE, log_, transport=replay, **quick),
            make_client(news.SOURCE, log_, transport=replay, **quick),
        )
    return NewsClients(
        make_client(
            news.GDELT_SOURCE,
            log_,
            min_interval=news.GDELT_MIN_INTERVAL_SECONDS,
            # A 429 from GDELT means "one request every 5 seconds": back off from there.
            retry=RetryPolicy(attempts=3, backoff_base=news.GDELT_MIN_INTERVAL_SECONDS),
            # the interval holds across workers too: GDELT counts requests per client address
            shared_turn=shared_turn(),
        ),
        make_client(
            news.SOURCE,
            log_,
            # Checked before each request (redirects too), and pinned: a direct connection goes to
            # the very addresses that were checked. Through a proxy, the proxy resolves.
            transport=news.PublicOnlyTransport(
                EnvironmentProxyTransport(direct=news.PinnedTransport(news.resolve_host)),
                news.resolve_host,
            ),
            min_interval=news.PAGE_MIN_INTERVAL_SECONDS,
            max_bytes=news.PAGE_MAX_BYTES,
            deadline=news.PAGE_DEADLINE_SECONDS,
        ),
    )


def plan(clients: NewsClients, series, months, note, options) -> list[Candidate]:
    """Candidate links for the month, each URL once: GDELT's first (from 2017), then feeds'."""
    month = months[0]
    series = [s for s in series if s.news_terms]
    found: dict[str, Candidate] = {}
    if options.get("gdelt", True) and news.gdelt_covers(month):
        for s in series:
            url = news.gdelt_url(s.news_terms, month)
            try:
                answer = news.parse_gdelt(news.fetch_document(clients.gdelt, url))
            except (news.GdeltError, news.NewsHTTPError, LayoutChanged, httpx.HTTPError) as exc:
                note([month], f"GDELT ({s.name}): {exc}", url=url)
                continue
            for row in answer.itertuples():
                found.setdefault(
                    row.url,
                    Candidate(row.url, "gdelt", url, row.title or None, row.seen_at, month),
                )
    feeds = list(options.get("feeds", ())) + (
        list(news.replay.RECORDED_FEEDS) if options.get("offline") else []
    )
    for feed_url in dict.fromkeys(feeds):
        try:
            entries = news.parse_feed(news.fetch_document(clients.pages, feed_url))
        except (news.NewsHTTPError, LayoutChanged, httpx.HTTPError) as exc:
            note([month], f"feed {feed_url}: {exc}", url=feed_url)
            continue
        for reason in entries.attrs.get("skipped", []):
            # one bad entry costs that entry, not the feed or the month
            log.warning("feed %s: skipped %s", feed_url, reason)
            note([month], f"feed entry skipped: {reason}", status="skipped", url=feed_url)
        for entry in entries.itertuples():
            if pd.isna(entry.published_at) or Month.of(entry.published_at.date()) != month:
                continue
            text = f"{entry.title} {entry.summary}"
            if any(news.matches_terms(text, s.news_terms) for s in series):
                found.setdefault(
                    entry.link,
                    Candidate(entry.link, "feed", feed_url, entry.title, entry.published_at, month),
                )
    return list(found.values())


def fetch(clients: NewsClients, candidate: Candidate) -> NewsPage | Refused:
    """An article page; one that cannot be had (not public, gone, too large, failing after its
    retries) is ``Refused`` with the reason."""
    try:
        return NewsPage(candidate, news.fetch_document(clients.pages, candidate.url))
    except (news.NotPublicURL, ResponseTooLarge, ResponseTooSlow, NoRecording, *PAGE_ERRORS) as exc:
        return Refused(_reason(exc))


def check(page: NewsPage):
    """The page as an article and its claims, validated; a page that is no article (no body,
    no date, binary, against the schema) is ``Refused`` with the reason."""
    raw, candidate = page.raw, page.candidate
    try:
        article = news.parse_article(
            raw,
            fallback_published=candidate.seen_at if candidate else None,
            fallback_from=candidate.via if candidate else "given",
        )
        return (*article_frames(article), raw.exchange_id)
    except (news.BadPage, ArticleRejected, LayoutChanged, UnicodeDecodeError) as exc:
        return Refused(_reason(exc), raw.exchange_id)


def load(con, page: NewsPage, checked, run: RunIds):
    frame, claims, refused_claims, exchange_id = checked
    for reason in refused_claims:
        log.warning("news %s: refused %s: %s", page.candidate.month, page.candidate.url, reason)
        record_reject(
            con,
            run_id=run.run_id,
            month=page.candidate.month.first_day,
            url=page.candidate.url,
            reason=reason,
            exchange_id=exchange_id,
        )
    loaded = load_article(con, frame, claims, exchange_id=exchange_id, run_id=run.run_id)
    return loaded, exchange_id


def refuse(con, candidate: Candidate, refused: Refused, run: RunIds, months) -> None:
    record_reject(
        con,
        run_id=run.run_id,
        month=candidate.month.first_day,
        url=candidate.url,
        reason=refused.reason,
        exchange_id=refused.exchange_id,
    )


def finish(con, outcomes, notes, months, run: RunIds):
    """The month's discoveries and its one ledger row: loaded, or failed naming what failed."""
    month = months[0]
    failures, refused, articles, new, claims = [], 0, 0, 0, 0
    for note in notes:
        if note.url:
            record_reject(
                con, run_id=run.run_id, month=month.first_day, url=note.url, reason=note.message,
                exchange_id=note.exchange_id,
            )  # fmt: skip
            refused += 1
        if note.status == "failed":
            failures.append(note.message)
    discoveries = []
    for candidate, outcome in outcomes:
        article_key = version = exchange_id = None
        if isinstance(outcome, Refused):
            refused += 1
            exchange_id = outcome.exchange_id
        else:
            loaded, exchange_id = outcome
            article_key, version = loaded.article_id, loaded.version
            articles, new, claims = articles + 1, new + loaded.new_version, claims + loaded.claims
        discoveries.append(
            {
                "month": month.first_day, "via": candidate.via, "found_in": candidate.found_in,
                "url": candidate.url, "title": candidate.title, "seen_at": candidate.seen_at,
                "article_id": article_key, "version": version, "exchange_id": exchange_id,
            }
        )  # fmt: skip
    message = (
        f"{len(outcomes)} reports found, {articles} kept ({new} new versions, {claims} claims), "
        f"{refused} refused"
    )
    if failures:
        message = "; ".join(failures) + "; " + message
    record_discoveries(con, pd.DataFrame(discoveries, columns=_DISCOVERY_COLUMNS), run.run_id)
    load = MonthLoad(
        news.SOURCE, month.first_day, "failed" if failures else "loaded", message=message
    )
    record_ledger(con, [load], run)
    log.info("news %s: %s", month, message)
    return [load], {"new article versions": new, "claims": claims}


def news_options(config, offline: bool) -> dict:
    """The watchlist's discovery settings, as NEWS's options."""
    section = config.settings_for(news.SOURCE)
    return {"gdelt": section.gdelt, "feeds": tuple(section.feeds), "offline": offline}


def article_frames(article: news.Article) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The article's row and its claims' rows, validated; reasons for claims refused."""
    row = {**article.__dict__, "text_sha256": article.text_sha256}
    frame = pd.DataFrame([{k: row[k] for k in ARTICLE_COLUMNS}])
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    valid_article = check_article(frame)
    published = article.published_at.astimezone(dt.UTC).date()
    claims = news.extract_claims(article.text, published, title=article.title, url=article.url)
    records = [{**c.as_record(), "claim_no": n} for n, c in enumerate(claims)]
    claim_frame = claims_frame(records)
    valid_claims, refused = check_claims(claim_frame)
    return valid_article, valid_claims, refused


def claims_frame(records: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records)
    if frame.empty:
        return frame
    for column in ("period", "period_end", "basis_period", "basis_period_end"):
        frame[column] = pd.to_datetime(frame[column], format="%Y-%m")
    for column in ("reporter_code", "partner_code"):
        frame[column] = frame[column].astype("Int64")
    return frame


def _reason(exc: BaseException) -> str:
    if isinstance(exc, news.BadPage | news.NotPublicURL):
        return exc.reason
    return str(exc)


CLAIM_TABLE_COLUMNS = [
    "stated",
    "kind",
    "unit",
    "series",
    "months",
    "basis_months",
    "direction",
    "customs_figure",
    "verdict",
]
FLOW_WORDS = {"M": "imports from", "X": "exports to", "T": "trade with", "B": "balance with"}


def series_text(record: dict) -> str:
    """ "South Korea exports to World, all goods": the series as far as the report says it."""
    reporter = record.get("reporter") or "reporter unknown"
    flow = FLOW_WORDS.get(record.get("flow") or "", "flow unknown,")
    if record.get("balance"):
        flow = f"{record['balance']} with"
    partner = record.get("partner") or "partner unknown"
    return f"{reporter} {flow} {partner}, {record.get('commodity') or 'commodity unknown'}"


def span_text(first: str | None, last: str | None) -> str | None:
    """ "2016-01..2016-09", or one month."""
    if first is None:
        return None
    return first if last in (None, first) else f"{first}..{last}"


def read_source(source: str, max_bytes: int = news.PAGE_MAX_BYTES) -> news.RawDocument:
    """A local file's bytes, or a public http(s) URL fetched politely (nothing is stored).

    A file is capped like a page (5 MB): a larger one is refused unless ``max_bytes`` allows it.
    """
    if source.startswith(("http://", "https://")):
        with news_clients(ExchangeLog(), offline=False) as clients:
            return news.fetch_page(clients.pages, source, news.resolve_host)
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {source}")
    size = path.stat().st_size
    if size > max_bytes:
        raise ValueError(
            f"{source} is {size / 1e6:.1f} MB, more than the {max_bytes / 1e6:.0f} MB a page may "
            "be (--max-mb reads a larger file)"
        )
    suffix = path.suffix.lower()
    content_type = (
        "text/html" if suffix in (".html", ".htm") else "text/plain" if suffix == ".txt" else ""
    )
    return news.RawDocument(
        url=path.resolve().as_uri(), body=path.read_bytes(), content_type=content_type
    )


def extract_report(
    source: str,
    *,
    published: dt.date | None = None,
    warehouse: Warehouse | None = None,
    max_bytes: int = news.PAGE_MAX_BYTES,
) -> dict:
    """An article's metadata and claims (checked against the warehouse when there is one)."""
    raw = read_source(source, max_bytes)
    fallback = (
        dt.datetime.combine(published, dt.time(), tzinfo=dt.UTC) if published is not None else None
    )
    article = news.parse_article(raw, fallback_published=fallback, fallback_from="given")
    frame, claims, refused = article_frames(article)
    checks = check_against(warehouse, frame, claims)
    by_number = {row["claim_no"]: row for row in checks or []}
    records = []
    for claim in claims.to_dict("records"):
        record = {k: _plain(v) for k, v in claim.items()}
        for side in ("reporter", "partner"):
            code = record[f"{side}_code"]
            record[side] = country_name(code) if code is not None else None
        record["series"] = series_text(record)
        record["months"] = span_text(record["period"], record["period_end"])
        record["basis_months"] = span_text(record["basis_period"], record["basis_period_end"])
        check = by_number.get(record["claim_no"])
        if check is not None:
            for key in ("customs_figure", "customs_source", "verdict", "no_data_reason",
                        "unclear_reason", "checked_against"):  # fmt: skip
                record[key] = check[key]
        records.append(record)
    return {
        "url": article.url,
        "canonical_url": article.canonical_url,
        "title": article.title,
        "outlet": article.outlet,
        "author": article.author,
        "published_at": article.published_at,
        "published_from": article.published_from,
        "language": article.language,
        "text_sha256": article.text_sha256,
        "characters": len(article.text),
        "checked_against": str(resolve_path(warehouse)) if checks is not None else None,
        "refused_claims": refused,
        "claims": records,
    }


def _plain(value):
    """Months as YYYY-MM, missing values as None: what JSON readers expect."""
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    if value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m}"
    if hasattr(value, "item"):
        return value.item()
    return value
