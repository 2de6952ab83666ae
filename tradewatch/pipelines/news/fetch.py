"""Download GDELT answers, feeds and article pages: I/O only, public hosts only."""

from __future__ import annotations

import calendar
import datetime as dt
import ipaddress
import socket
from collections.abc import Callable, Sequence
from urllib.parse import urlencode, urlsplit

import httpx

from ...schemas import Month
from ..errors import SourceHTTPError
from ..http import EXCHANGE_ID
from . import settings
from .parse import RawDocument

Resolver = Callable[[str], Sequence[str]]


class NewsHTTPError(SourceHTTPError):
    """A news host or GDELT answered with an error status after the client's retries."""


class NotPublicURL(httpx.HTTPError):
    """A URL that is not http(s) on a public host: never fetched."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


def resolve_host(host: str) -> list[str]:
    """Every address ``host`` resolves to."""
    return sorted({info[4][0] for info in socket.getaddrinfo(host, None)})


def check_public_url(url: str, resolve: Resolver | None = resolve_host) -> None:
    """Raise ``NotPublicURL`` unless ``url`` is http(s) on a host with only public addresses.

    ``resolve`` is None offline: literal addresses and local names are still refused, but no
    name is looked up.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise NotPublicURL(url, f"scheme {parts.scheme or '(none)'!r} is not http or https")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise NotPublicURL(url, "no host")
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal", ".lan")):
        raise NotPublicURL(url, f"{host} is a local name")
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        if resolve is None:
            return
        try:
            addresses = list(resolve(host))
        except OSError as exc:
            raise httpx.ConnectError(f"{url}: cannot resolve {host}: {exc}") from exc
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            raise NotPublicURL(url, f"{host} is a non-public address ({ip})")


class PublicOnlyTransport(httpx.BaseTransport):
    """Refuses every request, redirects included, that is not to a public http(s) host."""

    def __init__(self, inner: httpx.BaseTransport, resolve: Resolver | None) -> None:
        self._inner = inner
        self._resolve = resolve

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        check_public_url(str(request.url), self._resolve)
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def gdelt_query(terms: Sequence[str]) -> str:
    """GDELT's query syntax for the watchlist's terms: all of them, ``|`` meaning any of."""
    parts = []
    for term in terms:
        options = [_quoted(option.strip()) for option in term.split("|") if option.strip()]
        parts.append(options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")")
    return " ".join(parts)


def _quoted(option: str) -> str:
    return f'"{option}"' if " " in option else option


def gdelt_url(terms: Sequence[str], month: Month) -> str:
    """The ``artlist`` request for articles GDELT saw during ``month``."""
    last_day = calendar.monthrange(month.year, month.month)[1]
    params = {
        "query": gdelt_query(terms),
        "mode": "artlist",
        "format": "json",
        "maxrecords": settings.GDELT_MAX_RECORDS,
        "sort": "datedesc",
        "startdatetime": f"{month.yyyymm}01000000",
        "enddatetime": f"{month.yyyymm}{last_day:02d}235959",
    }
    return f"{settings.GDELT_URL}?{urlencode(params)}"


def gdelt_covers(month: Month) -> bool:
    return (month.year, month.month) >= settings.GDELT_COVERAGE_START


def fetch_document(client: httpx.Client, url: str) -> RawDocument:
    """One document's bytes; an error status raises ``NewsHTTPError`` (the bytes are logged)."""
    response = client.get(url)
    if response.status_code != 200:
        detail = " ".join(response.text.split())[:200] if response.status_code == 429 else ""
        raise NewsHTTPError(url, response.status_code, detail)
    return RawDocument(
        url=str(response.url),
        body=response.content,
        content_type=response.headers.get("content-type", ""),
        fetched_at=dt.datetime.now(dt.UTC),
        exchange_id=response.extensions.get(EXCHANGE_ID),
    )


def fetch_page(client: httpx.Client, url: str, resolve: Resolver | None) -> RawDocument:
    """An article page or feed, after checking it is on a public host."""
    check_public_url(url, resolve)
    return fetch_document(client, url)
