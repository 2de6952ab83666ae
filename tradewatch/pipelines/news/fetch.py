"""Download GDELT answers, feeds and article pages: I/O only, public hosts only."""

from __future__ import annotations

import calendar
import datetime as dt
import ipaddress
import socket
from collections.abc import Callable, Sequence
from urllib.parse import urlencode, urlsplit

import httpcore
import httpx

from ...schemas import Month
from ..errors import SourceHTTPError
from ..http import EXCHANGE_ID
from . import settings
from .parse import RawDocument

Resolver = Callable[[str], Sequence[str]]
Allow = Callable[[str], bool]


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
        reason = non_public(address)
        if reason:
            raise NotPublicURL(url, f"{host} is {reason}")


# IPv6 forms that carry an IPv4 address a router or the kernel may deliver to (RFC 6052, 8215,
# 3056, 4380, 4291): the IPv4 inside must be public too.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    if any(ip in net for net in _NAT64) or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def non_public(address: str) -> str | None:
    """Why ``address`` must not be fetched from ("a non-public address (10.0.0.7)"), or None."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if not ip.is_global:
        return f"a non-public address ({ip})"
    inner = _embedded_ipv4(ip) if ip.version == 6 else None
    if inner is not None and not inner.is_global:
        return f"a non-public address ({ip} carries {inner})"
    return None


class PublicOnlyBackend(httpcore.NetworkBackend):
    """Connects only to public addresses: resolves once, checks, and connects to what it checked.

    Checking a name and letting the socket layer resolve it again leaves a gap a rebinding DNS
    server can use (public when checked, 127.0.0.1 when connected). Here the addresses that are
    checked are the ones connected to; the request's Host header and the TLS server name (SNI)
    still carry the name, as httpcore sets them from the URL, not from the socket.
    """

    def __init__(self, resolve: Resolver = resolve_host, allow: Allow | None = None) -> None:
        self._resolve = resolve
        self._allow = allow  # tests: let a loopback server through to see pinning itself
        self._sync = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            addresses = [str(ipaddress.ip_address(host))]
        except ValueError:
            try:
                addresses = list(self._resolve(host))
            except OSError as exc:
                raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        if not addresses:
            raise httpcore.ConnectError(f"{host} resolves to no address")
        for address in addresses:
            reason = None if self._allow and self._allow(address) else non_public(address)
            if reason:
                raise NotPublicURL(f"{host}:{port}", f"{host} is {reason} when connecting")
        failure: Exception | None = None
        for address in addresses:
            try:
                return self._sync.connect_tcp(
                    address.split("%")[0], port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are never used for news pages")

    def sleep(self, seconds: float) -> None:
        self._sync.sleep(seconds)


class PinnedTransport(httpx.HTTPTransport):
    """httpx's own transport, connecting through ``PublicOnlyBackend`` (direct connections)."""

    def __init__(self, resolve: Resolver = resolve_host, allow: Allow | None = None) -> None:
        super().__init__()
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=PublicOnlyBackend(resolve, allow),
        )


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
