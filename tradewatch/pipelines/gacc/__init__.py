"""China Customs (GACC): monthly tables from the English site, parsed with beautifulsoup4."""

from .fetch import GaccHTTPError, fetch_page, index_url, index_urls
from .parse import (
    LayoutChanged,
    NoTable,
    RawPage,
    Release,
    ReleaseLink,
    UnknownUnit,
    combined_series,
    parse_index,
    parse_release,
    preferred_links,
    release_month,
    release_months,
    table_of,
    trade_rows,
)
from .replay import REPLAYERS
from .settings import ARCHIVE_START_YEAR, COMMODITY_HS, MIN_INTERVAL_SECONDS, PUBLICATIONS, SOURCE

__all__ = [
    "ARCHIVE_START_YEAR",
    "COMMODITY_HS",
    "MIN_INTERVAL_SECONDS",
    "PUBLICATIONS",
    "REPLAYERS",
    "SOURCE",
    "GaccHTTPError",
    "LayoutChanged",
    "NoTable",
    "RawPage",
    "Release",
    "ReleaseLink",
    "UnknownUnit",
    "combined_series",
    "fetch_page",
    "index_url",
    "index_urls",
    "parse_index",
    "parse_release",
    "preferred_links",
    "release_month",
    "release_months",
    "table_of",
    "trade_rows",
]
