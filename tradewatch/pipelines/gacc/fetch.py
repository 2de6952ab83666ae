"""Download GACC index and release pages: I/O only."""

from __future__ import annotations

import datetime as dt

import httpx

from ..errors import SourceHTTPError
from ..http import EXCHANGE_ID
from . import settings
from .parse import RawPage


class GaccHTTPError(SourceHTTPError):
    """The site answered with an error status after the client's retries."""


def index_url(publication: str, year: int) -> str:
    return settings.INDEX_URLS[publication].format(year=year)


def index_urls(publication: str, year: int, today: dt.date | None = None) -> list[str]:
    """Where a year's index may be: ``preliminary2018.html``; for the current year, also
    ``preliminary.html``."""
    today = today or dt.datetime.now(dt.UTC).date()
    urls = [index_url(publication, year)]
    if year == today.year:
        urls.append(settings.CURRENT_INDEX_URLS[publication])
    return urls


def fetch_page(client: httpx.Client, url: str) -> RawPage:
    """One page's bytes; an error status raises ``GaccHTTPError`` (the bytes are logged)."""
    response = client.get(url)
    if response.status_code != 200:
        raise GaccHTTPError(url, response.status_code)
    return RawPage(
        url=url,
        body=response.content,
        fetched_at=dt.datetime.now(dt.UTC),
        exchange_id=response.extensions.get(EXCHANGE_ID),
    )
