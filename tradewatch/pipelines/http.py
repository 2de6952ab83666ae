"""The one HTTP client factory: timeouts, User-Agent, retries, politeness, size cap, replay.

Every attempt, including the ones that were retried or failed, is kept as an ``Exchange`` in an
``ExchangeLog`` so the flow can store every fetched byte in ``raw.http_responses``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import logging
import random
import re
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from .. import __version__

log = logging.getLogger(__name__)

USER_AGENT = (
    f"tradewatch/{__version__} (customs statistics monitor; "
    "+https://github.com/tradewatch/tradewatch)"
)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_ERRORS = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.ReadTimeout,
    httpx.ReadError,
    httpx.WriteTimeout,
    httpx.PoolTimeout,
    httpx.RemoteProtocolError,
)
_SECRET_NAME = re.compile(r"key|token|secret|password|signature|auth|cookie", re.IGNORECASE)
REDACTED = "REDACTED"
# Response extension naming the logged exchange a response came from.
EXCHANGE_ID = "tradewatch_exchange_id"


class ResponseTooSlow(httpx.HTTPError):
    """A response still arriving when the whole request's deadline passed (a page that sends
    one byte every few seconds never trips a per-read timeout)."""


class ResponseTooLarge(httpx.HTTPError):
    """A response body exceeded the client's size cap."""


class NoRecording(httpx.HTTPError):
    """Offline replay was asked for a URL it holds no recording for."""


@dataclass
class Exchange:
    """One HTTP request and its answer (or the error instead of one), secrets removed."""

    source: str
    method: str
    url: str
    status: int | None
    request_headers: dict[str, str]
    response_headers: dict[str, str]
    body: bytes
    fetched_at: dt.datetime
    elapsed_ms: float
    attempt: int
    error: str | None = None
    exchange_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    # The body's sha256, computed as its bytes arrived (None: computed when stored).
    sha256: str | None = None


class ExchangeLog:
    """Collects every exchange a client makes; thread-safe."""

    def __init__(self) -> None:
        self._items: list[Exchange] = []
        self._lock = threading.Lock()

    def add(self, exchange: Exchange) -> None:
        with self._lock:
            self._items.append(exchange)

    def put_back(self, items: list[Exchange]) -> None:
        """Return drained exchanges that could not be stored, ahead of those added since."""
        with self._lock:
            self._items[:0] = items

    def drain(self) -> list[Exchange]:
        """Return the exchanges collected so far and forget them."""
        with self._lock:
            items, self._items = self._items, []
        return items


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to wait before asking again: tradewatch's one retry layer.

    Prefect tasks do not retry fetches on top of this, so a request that keeps failing costs at
    most ``attempts`` (4) requests: waits of 0.5-1, 1-2 and 2-4 s between them (full jitter), or
    what the server's ``Retry-After`` asks up to ``max_retry_after`` (120 s). Worst case per
    request: 4 requests in about 7 s, or 6 minutes when every answer asks for 120 s.
    """

    attempts: int = 4
    backoff_base: float = 1.0
    backoff_max: float = 30.0
    max_retry_after: float = 120.0
    sleep: Callable[[float], None] = time.sleep

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter for the given (1-based) failed attempt."""
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return random.uniform(ceiling / 2, ceiling)


def redact_url(url: str | httpx.URL) -> str:
    """The URL with the values of secret-looking query parameters removed."""
    parts = urlsplit(str(url))
    query = [
        (name, REDACTED if _SECRET_NAME.search(name) else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe=",")))


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers with secret-looking values removed."""
    return {
        name.lower(): (REDACTED if _SECRET_NAME.search(name) else value)
        for name, value in headers.items()
    }


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Parse a Retry-After header (seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


@dataclass(frozen=True)
class _Try:
    """One attempt at a request: its number, when it started (wall clock and monotonic)."""

    number: int
    fetched_at: dt.datetime
    started: float


@dataclass(frozen=True)
class BodyLimits:
    """How much of an answer a client takes: its size, and the seconds a whole request may last
    (body included; None: only the per-read timeout)."""

    max_bytes: int = 50_000_000
    deadline: float | None = None


class PoliteTransport(httpx.BaseTransport):
    """Wraps a transport with retries, a per-host minimum interval, a size cap and a log.

    The interval holds within this process; ``shared_turn`` (``host_limits``) makes it hold
    across every worker asking the same host."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        *,
        source: str,
        log: ExchangeLog,
        retry: RetryPolicy | None = None,
        min_interval: float = 1.0,
        limits: BodyLimits | None = None,
        shared_turn: Callable[[str, float], None] | None = None,
    ) -> None:
        self._inner = inner
        limits = limits or BodyLimits()
        self._shared_turn = shared_turn
        self._source = source
        self._log = log
        self._retry = retry or RetryPolicy()
        self._min_interval = min_interval
        self._max_bytes = limits.max_bytes
        self._deadline = limits.deadline
        self._last_request: dict[str, float] = {}
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for attempt in range(1, self._retry.attempts + 1):
            last = attempt == self._retry.attempts
            self._wait_turn(request.url.host)
            this_try = _Try(attempt, dt.datetime.now(dt.UTC), time.monotonic())
            try:
                response = self._inner.handle_request(request)
                body, sha256 = self._read_capped(request, response, this_try.started)
            except RETRY_ERRORS as exc:
                self._record(request, this_try, None, {}, b"", repr(exc))
                if last:
                    raise
                delay = self._retry.backoff(attempt)
                log.warning(
                    "%s: %s; retry %d in %.1fs", redact_url(request.url), exc, attempt, delay
                )
                self._retry.sleep(delay)
                continue
            headers = dict(response.headers)
            exchange_id = self._record(
                request, this_try, response.status_code, headers, body, sha256=sha256
            )
            if response.status_code in RETRY_STATUSES and not last:
                delay = retry_after_seconds(response.headers.get("retry-after"))
                if delay is None:
                    delay = self._retry.backoff(attempt)
                elif delay > self._retry.max_retry_after:
                    log.warning(
                        "%s asks to wait %.0fs, longer than %.0fs: giving up",
                        redact_url(request.url),
                        delay,
                        self._retry.max_retry_after,
                    )
                    return self._rebuild(request, response, body, exchange_id)
                log.warning(
                    "%s: HTTP %d; retry %d in %.1fs",
                    redact_url(request.url),
                    response.status_code,
                    attempt,
                    delay,
                )
                self._retry.sleep(delay)
                continue
            return self._rebuild(request, response, body, exchange_id)
        raise AssertionError("unreachable: the last attempt always returns or raises")

    def close(self) -> None:
        self._inner.close()

    def _wait_turn(self, host: str) -> None:
        if self._min_interval <= 0:
            return
        with self._lock:
            now = time.monotonic()
            ready = self._last_request.get(host, -1e9) + self._min_interval
            wait = max(0.0, ready - now)
            self._last_request[host] = now + wait
        if wait:
            self._retry.sleep(wait)
        if self._shared_turn is not None:  # and then across every process asking this host
            self._shared_turn(host, self._min_interval)

    def _read_capped(
        self, request: httpx.Request, response: httpx.Response, started: float
    ) -> tuple[bytes, str]:
        """The decoded body, capped in size and (with a deadline) in time, and its sha256
        computed chunk by chunk as it arrives."""
        chunks, total, digest = [], 0, hashlib.sha256()
        decoded = httpx.Response(
            response.status_code, headers=response.headers, stream=response.stream
        )
        try:
            for chunk in decoded.iter_bytes():
                total += len(chunk)
                if total > self._max_bytes:
                    raise ResponseTooLarge(
                        f"{redact_url(request.url)}: body larger than {self._max_bytes} bytes"
                    )
                chunks.append(chunk)
                digest.update(chunk)
                if self._deadline is not None and time.monotonic() - started > self._deadline:
                    raise ResponseTooSlow(
                        f"{redact_url(request.url)}: still arriving after {self._deadline:.0f} s "
                        f"({total} bytes), the whole request's deadline"
                    )
        finally:
            decoded.close()
        return b"".join(chunks), digest.hexdigest()

    @staticmethod
    def _rebuild(
        request: httpx.Request, response: httpx.Response, body: bytes, exchange_id: str
    ) -> httpx.Response:
        # The body is already decoded: drop the headers that describe the wire encoding.
        headers = [
            (k, v)
            for k, v in response.headers.multi_items()
            if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        return httpx.Response(
            response.status_code,
            headers=headers,
            content=body,
            request=request,
            extensions={
                "http_version": response.extensions.get("http_version", b"HTTP/1.1"),
                EXCHANGE_ID: exchange_id,
            },
        )

    def _record(
        self,
        request: httpx.Request,
        this_try: _Try,
        status: int | None,
        headers: dict[str, str],
        body: bytes,
        error: str | None = None,
        sha256: str | None = None,
    ) -> str:
        exchange = Exchange(
            source=self._source,
            method=request.method,
            url=redact_url(request.url),
            status=status,
            request_headers=redact_headers(request.headers),
            response_headers=redact_headers(headers),
            body=body,
            fetched_at=this_try.fetched_at,
            elapsed_ms=round((time.monotonic() - this_try.started) * 1000, 1),
            attempt=this_try.number,
            error=error,
            sha256=sha256,
        )
        self._log.add(exchange)
        return exchange.exchange_id


Replayer = Callable[[httpx.Request], httpx.Response]
REPLAY_HEADER = "x-tradewatch-replay"  # on every answer offline replay gives


class ReplayTransport(httpx.BaseTransport):
    """Answers requests from recordings shipped in the package; never touches the network."""

    def __init__(self, replayers: Mapping[str, Replayer]) -> None:
        self._replayers = dict(replayers)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        replayer = self._replayers.get(request.url.host)
        if replayer is None:
            raise NoRecording(f"offline: no recordings for host {request.url.host}")
        response = replayer(request)
        response.extensions.setdefault("http_version", b"HTTP/1.1")
        # kept with the exchange: a replayed figure was not retrieved the day it was replayed
        response.headers[REPLAY_HEADER] = "offline recording"
        return response


class EnvironmentProxyTransport(httpx.BaseTransport):
    """Direct, or through ``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY`` by the request's scheme,
    ``NO_PROXY`` honoured — as httpx itself does only when no transport is given."""

    def __init__(
        self,
        environment: Mapping[str, str] | None = None,
        direct: httpx.HTTPTransport | None = None,
    ) -> None:
        self._proxies = (
            urllib.request.getproxies_environment() if environment is None else dict(environment)
        )
        self._direct = direct or httpx.HTTPTransport()
        self._through: dict[str, httpx.HTTPTransport] = {}

    def proxy_for(self, url: httpx.URL) -> str | None:
        """The proxy a request to ``url`` goes through, or None for a direct connection."""
        proxy = self._proxies.get(url.scheme) or self._proxies.get("all")
        if not proxy or urllib.request.proxy_bypass_environment(url.host, self._proxies):
            return None
        return proxy

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        proxy = self.proxy_for(request.url)
        if proxy is None:
            return self._direct.handle_request(request)
        if proxy not in self._through:
            self._through[proxy] = httpx.HTTPTransport(proxy=proxy)
        return self._through[proxy].handle_request(request)

    def close(self) -> None:
        for transport in (self._direct, *self._through.values()):
            transport.close()


def make_client(
    source: str,
    log: ExchangeLog,
    *,
    transport: httpx.BaseTransport | None = None,
    timeout: float = 60.0,
    headers: Mapping[str, str] | None = None,
    **polite: Any,
) -> httpx.Client:
    """A client for one source; pass a ``ReplayTransport`` for offline runs. ``polite`` are
    ``PoliteTransport``'s own options: ``retry``, ``min_interval``, ``max_bytes``,
    ``shared_turn``, ``deadline`` (seconds for a whole request, body included)."""
    inner = transport if transport is not None else EnvironmentProxyTransport()
    if "max_bytes" in polite or "deadline" in polite:
        polite["limits"] = BodyLimits(
            polite.pop("max_bytes", BodyLimits.max_bytes), polite.pop("deadline", None)
        )
    return httpx.Client(
        transport=PoliteTransport(inner, source=source, log=log, **polite),
        timeout=httpx.Timeout(timeout, connect=10.0),
        headers={"User-Agent": USER_AGENT, **(headers or {})},
        follow_redirects=True,
    )


def source_client(
    source: str,
    log: ExchangeLog,
    *,
    offline: bool,
    replayers: Mapping[str, Replayer],
    min_interval: float,
) -> httpx.Client:
    """A source's client: live and polite, or answering from its shipped recordings."""
    if offline:
        return make_client(
            source,
            log,
            transport=ReplayTransport(replayers),
            retry=RetryPolicy(attempts=1),
            min_interval=0,
        )
    from .host_limits import shared_turn

    return make_client(source, log, min_interval=min_interval, shared_turn=shared_turn())
