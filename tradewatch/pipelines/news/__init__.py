"""News reports: discovery (GDELT, feeds), article pages, and the figures they state."""

from . import replay
from .claims import Claim, extract_claims, split_sentences
from .fetch import (
    NewsHTTPError,
    NotPublicURL,
    PinnedTransport,
    PublicOnlyBackend,
    PublicOnlyTransport,
    check_public_url,
    fetch_document,
    fetch_page,
    gdelt_covers,
    gdelt_query,
    gdelt_url,
    non_public,
    resolve_host,
)
from .parse import (
    Article,
    BadPage,
    GdeltError,
    RawDocument,
    matches_terms,
    parse_article,
    parse_feed,
    parse_gdelt,
)
from .settings import (
    GDELT_MIN_INTERVAL_SECONDS,
    GDELT_SOURCE,
    PAGE_MAX_BYTES,
    PAGE_MIN_INTERVAL_SECONDS,
    SOURCE,
)

__all__ = [
    "GDELT_MIN_INTERVAL_SECONDS",
    "GDELT_SOURCE",
    "PAGE_MAX_BYTES",
    "PAGE_MIN_INTERVAL_SECONDS",
    "SOURCE",
    "Article",
    "BadPage",
    "Claim",
    "GdeltError",
    "NewsHTTPError",
    "NotPublicURL",
    "PinnedTransport",
    "PublicOnlyBackend",
    "PublicOnlyTransport",
    "RawDocument",
    "check_public_url",
    "non_public",
    "extract_claims",
    "fetch_document",
    "fetch_page",
    "gdelt_covers",
    "gdelt_query",
    "gdelt_url",
    "matches_terms",
    "parse_article",
    "parse_feed",
    "parse_gdelt",
    "replay",
    "resolve_host",
    "split_sentences",
]
