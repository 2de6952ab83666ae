"""Find the month's news reports, keep them, and load the figures they state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import pandas as pd
from prefect import get_run_logger, task
from prefect.cache_policies import NONE

from ..pipelines import news
from ..pipelines.errors import LayoutChanged
from ..pipelines.http import (
    EnvironmentProxyTransport,
    ExchangeLog,
    NoRecording,
    ReplayTransport,
    ResponseTooLarge,
    RetryPolicy,
    make_client,
)
from ..schemas import Month, Series, country_name
from ..schemas.news import ARTICLE_COLUMNS, ArticleRejected, check_article, check_claims
from ..warehouse import MonthLoad, resolve_path
from ..warehouse.load import record_ledger
from ..warehouse.news import check_against, load_article, record_discoveries, record_reject
from ..watchlist import Watchlist
from .ingest import IngestSummary, store_exchanges, writing

# What fetching a page can still raise once its task has retried: the page is refused, the run
# goes on (pages that are no article come back from their tasks as ``Refused``).
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


@dataclass
class Candidate:
    """A link discovery found: where, and the date it gave (a fallback for the page's own)."""

    url: str
    via: str
    found_in: str
    title: str | None
    seen_at: dt.datetime | None


def news_clients(log: ExchangeLog, offline: bool) -> tuple[httpx.Client, httpx.Client]:
    """(GDELT client, page client): live and polite to public hosts only, or replaying."""
    if offline:
        replay = news.PublicOnlyTransport(ReplayTransport(news.replay.replayers()), None)
        quick = {"retry": RetryPolicy(attempts=1), "min_interval": 0}
        return (
            make_client(news.GDELT_SOURCE, log, transport=replay, **quick),
            make_client(news.SOURCE, log, transport=replay, **quick),
        )
    return (
        make_client(
            news.GDELT_SOURCE,
            log,
            min_interval=news.GDELT_MIN_INTERVAL_SECONDS,
            # A 429 from GDELT means "one request every 5 seconds": back off from there.
            retry=RetryPolicy(attempts=3, backoff_base=news.GDELT_MIN_INTERVAL_SECONDS),
        ),
        make_client(
            news.SOURCE,
            log,
            transport=news.PublicOnlyTransport(EnvironmentProxyTransport(), news.resolve_host),
            min_interval=news.PAGE_MIN_INTERVAL_SECONDS,
            max_bytes=news.PAGE_MAX_BYTES,
        ),
    )


@task(
    name="fetch-news-document",
    cache_policy=NONE,
)
def fetch_news_document(client: httpx.Client, url: str) -> news.RawDocument:
    """One GDELT answer, feed or article page."""
    return news.fetch_document(client, url)


@dataclass(frozen=True)
class Refused:
    """A page that is not kept, and why: an outcome, not a failure of the run."""

    reason: str
    exchange_id: str | None = None


@task(
    name="fetch-news-page",
    cache_policy=NONE,
)
def fetch_news_page(client: httpx.Client, url: str) -> news.RawDocument | Refused:
    """An article page; one that cannot be had for good (not public, gone, too large) is
    ``Refused`` with the reason. Network trouble and 5xx still raise, to be retried."""
    try:
        return news.fetch_document(client, url)
    except news.NewsHTTPError as exc:
        if exc.transient:
            raise
        return Refused(str(exc))
    except (news.NotPublicURL, ResponseTooLarge, NoRecording) as exc:
        return Refused(_reason(exc))


@task(name="check-news-article", cache_policy=NONE)
def check_news_article(
    raw: news.RawDocument, candidate: Candidate | None
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]] | Refused:
    """Parse a page, extract its claims and validate both (pure); a page that is no article
    (no body, no date, binary, against the schema) is ``Refused`` with the reason."""
    try:
        article = news.parse_article(
            raw,
            fallback_published=candidate.seen_at if candidate else None,
            fallback_from=candidate.via if candidate else "given",
        )
        return article_frames(article)
    except (news.BadPage, ArticleRejected, LayoutChanged, UnicodeDecodeError) as exc:
        return Refused(_reason(exc), raw.exchange_id)


def article_frames(article: news.Article) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The article's row and its claims' rows, validated; reasons for claims refused."""
    row = {**article.__dict__, "text_sha256": article.text_sha256}
    frame = pd.DataFrame([{k: row[k] for k in ARTICLE_COLUMNS}])
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    valid_article = check_article(frame)
    published = article.published_at.astimezone(dt.UTC).date()
    claims = news.extract_claims(article.text, published, title=article.title)
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


def ingest_news(
    config: Watchlist,
    month: Month,
    *,
    offline: bool,
    warehouse: str | None,
    run_id: str,
    flow_run_id: str | None,
    summary: IngestSummary,
) -> None:
    """Discover the month's reports for the watched series, then load each page once."""
    logger = get_run_logger()
    series = [s for s in config.series if s.news_terms]
    if not series:
        return
    log = ExchangeLog()
    failures: list[str] = []
    counts = {"articles": 0, "new": 0, "claims": 0, "refused": 0}

    def refuse(url: str, reason: str, exchange_id: str | None = None) -> None:
        counts["refused"] += 1
        logger.warning("news %s: refused %s: %s", month, url, reason)
        with writing(warehouse) as con:
            record_reject(
                con,
                run_id=run_id,
                month=month.first_day,
                url=url,
                reason=reason,
                exchange_id=exchange_id,
            )

    gdelt_client, page_client = news_clients(log, offline)
    with gdelt_client, page_client:
        candidates = _discover(
            config, series, month, offline, gdelt_client, page_client, failures, refuse
        )
        summary.exchanges += store_exchanges(warehouse, log, run_id)
        discoveries = []
        for candidate in candidates:
            article_key = version = exchange_id = None
            try:
                raw = fetch_news_page(page_client, candidate.url)
                checked = raw if isinstance(raw, Refused) else check_news_article(raw, candidate)
            except PAGE_ERRORS as exc:  # retried and still failing: refused, the run goes on
                checked = Refused(_reason(exc))
            summary.exchanges += store_exchanges(warehouse, log, run_id)
            if isinstance(checked, Refused):
                exchange_id = checked.exchange_id
                refuse(candidate.url, checked.reason, exchange_id)
            else:
                exchange_id = raw.exchange_id
                frame, claims, refused = checked
                for reason in refused:
                    refuse(candidate.url, reason, exchange_id)
                with writing(warehouse) as con:
                    loaded = load_article(
                        con, frame, claims, exchange_id=exchange_id, run_id=run_id
                    )
                article_key, version = loaded.article_id, loaded.version
                counts["articles"] += 1
                counts["new"] += loaded.new_version
                counts["claims"] += loaded.claims
            discoveries.append(
                {
                    "month": month.first_day,
                    "via": candidate.via,
                    "found_in": candidate.found_in,
                    "url": candidate.url,
                    "title": candidate.title,
                    "seen_at": candidate.seen_at,
                    "article_id": article_key,
                    "version": version,
                    "exchange_id": exchange_id,
                }
            )
    message = (
        f"{len(candidates)} reports found, {counts['articles']} kept "
        f"({counts['new']} new versions, {counts['claims']} claims), "
        f"{counts['refused']} refused"
    )
    status = "failed" if failures else "loaded"
    if failures:
        message = "; ".join(failures) + "; " + message
    with writing(warehouse) as con:
        record_discoveries(con, pd.DataFrame(discoveries, columns=_DISCOVERY_COLUMNS), run_id)
        load = MonthLoad(news.SOURCE, month.first_day, status, message=message)
        record_ledger(con, [load], run_id, flow_run_id)
    summary.add([load])
    summary.news_articles += counts["new"]
    summary.news_claims += counts["claims"]
    logger.info("news %s: %s", month, message)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, news.BadPage | news.NotPublicURL):
        return exc.reason
    return str(exc)


def _discover(
    config: Watchlist,
    series: Sequence[Series],
    month: Month,
    offline: bool,
    gdelt_client: httpx.Client,
    page_client: httpx.Client,
    failures: list[str],
    refuse,
) -> list[Candidate]:
    """Candidate links, each URL once: GDELT's first (from 2017), then the feeds'."""
    found: dict[str, Candidate] = {}
    if config.news.gdelt and news.gdelt_covers(month):
        for s in series:
            url = news.gdelt_url(s.news_terms, month)
            try:
                answer = news.parse_gdelt(fetch_news_document(gdelt_client, url))
            except (news.GdeltError, news.NewsHTTPError, LayoutChanged, httpx.HTTPError) as exc:
                failures.append(f"GDELT ({s.name}): {exc}")
                refuse(url, str(exc))
                continue
            for row in answer.itertuples():
                found.setdefault(
                    row.url, Candidate(row.url, "gdelt", url, row.title or None, row.seen_at)
                )
    feeds = list(config.news.feeds) + (list(news.replay.RECORDED_FEEDS) if offline else [])
    for feed_url in dict.fromkeys(feeds):
        try:
            entries = news.parse_feed(fetch_news_document(page_client, feed_url))
        except (news.NewsHTTPError, LayoutChanged, httpx.HTTPError) as exc:
            failures.append(f"feed {feed_url}: {exc}")
            refuse(feed_url, str(exc))
            continue
        for reason in entries.attrs.get("skipped", []):
            # one bad entry costs that entry, not the feed or the month
            get_run_logger().warning("feed %s: skipped %s", feed_url, reason)
            refuse(feed_url, f"feed entry skipped: {reason}")
        for entry in entries.itertuples():
            if pd.isna(entry.published_at) or Month.of(entry.published_at.date()) != month:
                continue
            text = f"{entry.title} {entry.summary}"
            if any(news.matches_terms(text, s.news_terms) for s in series):
                found.setdefault(
                    entry.link,
                    Candidate(entry.link, "feed", feed_url, entry.title, entry.published_at),
                )
    return list(found.values())


CLAIM_TABLE_COLUMNS = [
    "stated",
    "kind",
    "commodity",
    "partner",
    "period",
    "period_end",
    "direction",
    "customs_figure",
    "verdict",
]


def read_source(source: str) -> news.RawDocument:
    """A local file's bytes, or a public http(s) URL fetched politely (nothing is stored)."""
    if source.startswith(("http://", "https://")):
        _, client = news_clients(ExchangeLog(), offline=False)
        with client:
            return news.fetch_page(client, source, news.resolve_host)
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {source}")
    suffix = path.suffix.lower()
    content_type = (
        "text/html" if suffix in (".html", ".htm") else "text/plain" if suffix == ".txt" else ""
    )
    return news.RawDocument(
        url=path.resolve().as_uri(), body=path.read_bytes(), content_type=content_type
    )


def extract_report(
    source: str, *, published: dt.date | None = None, warehouse: str | None = None
) -> dict:
    """An article's metadata and claims (checked against the warehouse when there is one)."""
    raw = read_source(source)
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
        code = record["partner_code"]
        record["partner"] = country_name(code) if code is not None else None
        check = by_number.get(record["claim_no"])
        if check is not None:
            record["customs_figure"] = check["customs_figure"]
            record["customs_source"] = check["customs_source"]
            record["verdict"] = check["verdict"]
            record["no_data_reason"] = check["no_data_reason"]
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
