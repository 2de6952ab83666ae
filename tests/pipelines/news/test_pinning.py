"""DNS rebinding cannot turn a news fetch towards 127.0.0.1; embedded IPv4 forms are checked.

Two real servers on loopback: a "public" site on 127.0.0.2 (the test declares that one address
public) and a "secret" one on 127.0.0.1 with the same port. A rebinding resolver answers the public
address for the first k lookups and 127.0.0.1 after: whatever k, the secret server is never hit.
A control run with a transport that checks the name and lets the socket layer resolve again shows
the test can fail.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpcore
import httpx
import pytest

from tradewatch.pipelines import news
from tradewatch.pipelines.http import ExchangeLog
from tradewatch.pipelines.news import NotPublicURL, check_public_url, fetch
from tradewatch.sources.news import news_clients

PRETEND_PUBLIC = "127.0.0.2"


class _Site(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.hits.append(self.headers.get("host"))
        body = self.server.body
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def _serve(address: str, port: int, body: bytes) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((address, port), _Site)
    server.hits, server.body = [], body
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def sites(monkeypatch):
    secret = _serve("127.0.0.1", 0, b"<html><body>secret</body></html>")
    port = secret.server_address[1]
    try:
        public = _serve(PRETEND_PUBLIC, port, b"<html><body>public page</body></html>")
    except OSError:
        secret.shutdown()
        pytest.skip(f"cannot bind {PRETEND_PUBLIC}:{port} beside 127.0.0.1 on this machine")
    real = fetch.non_public
    monkeypatch.setattr(
        fetch, "non_public", lambda address: None if address == PRETEND_PUBLIC else real(address)
    )
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    yield port, public, secret
    public.shutdown()
    secret.shutdown()


def _rebinding(public_answers: int):
    calls = []

    def resolve(host: str) -> list[str]:
        calls.append(host)
        return [PRETEND_PUBLIC] if len(calls) <= public_answers else ["127.0.0.1"]

    return resolve


@pytest.mark.parametrize("public_answers", [0, 1, 2, 3, 4])
def test_a_rebinding_name_never_reaches_loopback(sites, monkeypatch, public_answers):
    port, public, secret = sites
    monkeypatch.setattr(news, "resolve_host", _rebinding(public_answers))
    url = f"http://rebind.test:{port}/article"
    with news_clients(ExchangeLog(), offline=False) as clients:
        try:
            page = news.fetch_page(clients.pages, url, news.resolve_host)
        except NotPublicURL as refused:
            assert "127.0.0.1" in str(refused)
        else:  # the checked address answered, under the name it was asked for
            assert b"public page" in page.body
            assert public.hits == [f"rebind.test:{port}"]
    assert secret.hits == []


class _ResolvingBackend(httpcore.NetworkBackend):
    """What an unpinned client does: the socket layer looks the name up again, unchecked."""

    def __init__(self, resolve) -> None:
        self._resolve, self._sync = resolve, httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        return self._sync.connect_tcp(self._resolve(host)[0], port, timeout)

    def sleep(self, seconds: float) -> None:
        self._sync.sleep(seconds)


def test_control_checking_without_pinning_is_fooled(sites):
    port, _, secret = sites
    resolve = _rebinding(1)  # public when checked, loopback when connecting
    url = f"http://rebind.test:{port}/article"
    check_public_url(url, resolve)
    unpinned = httpx.HTTPTransport()
    unpinned._pool = httpcore.ConnectionPool(network_backend=_ResolvingBackend(resolve))
    with httpx.Client(transport=unpinned) as client:
        assert client.get(url).text.count("secret") == 1
    assert secret.hits  # the gap pinning closes


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::7f00:1",  # NAT64 (RFC 6052) of 127.0.0.1
        "64:ff9b:1::a00:1",  # local-use NAT64 (RFC 8215) of 10.0.0.1
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "::127.0.0.1",  # IPv4-compatible
        "::ffff:169.254.169.254",  # IPv4-mapped metadata address
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
    ],
)
def test_ipv6_forms_carrying_a_private_ipv4_are_refused(address):
    with pytest.raises(NotPublicURL, match="non-public address"):
        check_public_url(f"http://[{address}]/", None)
    with pytest.raises(NotPublicURL, match="non-public address"):
        check_public_url("https://news.example.org/", lambda host: [address])


def test_nat64_of_a_public_address_is_allowed():
    assert news.non_public("64:ff9b::808:808") is None  # 8.8.8.8 through NAT64
    assert news.non_public("2606:4700::1111") is None
