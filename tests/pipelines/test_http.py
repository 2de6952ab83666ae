import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tradewatch.pipelines.http import (
    USER_AGENT,
    ExchangeLog,
    NoRecording,
    ReplayTransport,
    ResponseTooLarge,
    ResponseTooSlow,
    RetryPolicy,
    make_client,
    redact_url,
    retry_after_seconds,
)


class Script:
    """A MockTransport handler answering from a list of responses (or exceptions) in turn."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []

    def __call__(self, request):
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def client_for(script, sleeps, **kwargs):
    log = ExchangeLog()
    retry = RetryPolicy(attempts=4, backoff_base=1.0, sleep=sleeps.append)
    client = make_client(
        "test",
        log,
        transport=httpx.MockTransport(script),
        retry=retry,
        min_interval=kwargs.pop("min_interval", 0),
        **kwargs,
    )
    return client, log


def test_429_waits_as_long_as_retry_after_says():
    script = Script(
        httpx.Response(
            429,
            headers={"Retry-After": "2"},
            text="Rate limit is exceeded. Try again in 2 seconds.",
        ),
        httpx.Response(200, json={"ok": True}),
    )
    sleeps = []
    client, log = client_for(script, sleeps)
    response = client.get("https://api.example.org/x")
    assert response.json() == {"ok": True}
    assert sleeps == [2.0]
    assert [e.status for e in log.drain()] == [429, 200]


def test_503_is_retried_with_growing_jittered_backoff():
    script = Script(httpx.Response(503), httpx.Response(503), httpx.Response(200, text="ok"))
    sleeps = []
    client, _ = client_for(script, sleeps)
    assert client.get("https://api.example.org/x").text == "ok"
    assert len(sleeps) == 2
    assert 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0


def test_timeouts_are_retried_and_logged_then_raised_when_attempts_run_out():
    boom = httpx.ReadTimeout("timed out")
    script = Script(boom, httpx.Response(200, text="late"))
    sleeps = []
    client, log = client_for(script, sleeps)
    assert client.get("https://api.example.org/x").text == "late"
    first = log.drain()[0]
    assert first.status is None and "ReadTimeout" in first.error

    script = Script(boom, boom, boom, boom)
    client, log = client_for(script, [])
    with pytest.raises(httpx.ReadTimeout):
        client.get("https://api.example.org/x")
    assert len(script.requests) == 4


def test_400_is_not_retried():
    script = Script(httpx.Response(400, text="bad period"), httpx.Response(200))
    sleeps = []
    client, log = client_for(script, sleeps)
    assert client.get("https://api.example.org/x").status_code == 400
    assert sleeps == [] and len(script.requests) == 1


def test_a_retry_after_longer_than_allowed_gives_up_at_once():
    script = Script(httpx.Response(429, headers={"Retry-After": "86400"}))
    sleeps = []
    client, _ = client_for(script, sleeps)
    assert client.get("https://api.example.org/x").status_code == 429
    assert sleeps == []


def test_retry_after_accepts_http_dates():
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:05 GMT", now=1445412480.0) == 5.0
    assert retry_after_seconds("soon") is None


def test_size_cap_stops_a_large_body():
    script = Script(httpx.Response(200, content=b"x" * 2048))
    client, _ = client_for(script, [], max_bytes=1024)
    with pytest.raises(ResponseTooLarge):
        client.get("https://api.example.org/x")


def test_minimum_interval_per_host():
    script = Script(*[httpx.Response(200) for _ in range(3)])
    sleeps = []
    client, _ = client_for(script, sleeps, min_interval=5.0)
    client.get("https://a.example.org/1")
    client.get("https://a.example.org/2")
    client.get("https://b.example.org/1")
    assert len(sleeps) == 1 and 4.0 < sleeps[0] <= 5.0


def test_secrets_are_removed_from_logged_urls_and_headers():
    script = Script(httpx.Response(200))
    client, log = client_for(script, [])
    client.get(
        "https://api.example.org/x?subscription-key=abc123&period=201609",
        headers={"Ocp-Apim-Subscription-Key": "abc123"},
    )
    exchange = log.drain()[0]
    assert "abc123" not in exchange.url and "abc123" not in str(exchange.request_headers)
    assert exchange.request_headers["user-agent"] == USER_AGENT
    assert redact_url("https://h/p?token=t&a=1") == "https://h/p?token=REDACTED&a=1"


def test_replay_refuses_hosts_it_has_no_recordings_for():
    log = ExchangeLog()
    with make_client("t", log, transport=ReplayTransport({}), min_interval=0) as client:
        with pytest.raises(NoRecording):
            client.get("https://elsewhere.example.org/")


class _Handler(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):  # noqa: N802 - the http.server API
        type(self).hits += 1
        if type(self).hits == 1:
            self.send_response(503)
            self.send_header("Retry-After", "0")
            self.end_headers()
            return
        body = gzip.compress(b'{"data": []}')
        self.send_response(200)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_against_a_real_local_server_retries_and_decodes():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        log = ExchangeLog()
        with make_client("t", log, min_interval=0, timeout=5) as client:
            response = client.get(f"http://127.0.0.1:{server.server_port}/data")
        assert response.json() == {"data": []}
        assert [e.status for e in log.drain()] == [503, 200]
    finally:
        server.shutdown()
        server.server_close()


class _Drip(BaseHTTPRequestHandler):
    """A page that sends one byte every 0.2 s: no single read ever times out."""

    def do_GET(self):  # noqa: N802 - the http.server API
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        try:
            for _ in range(1000):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.2)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


def test_a_page_that_drips_is_given_up_at_the_whole_requests_deadline():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Drip)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        started = time.monotonic()
        with (
            make_client("news", ExchangeLog(), min_interval=0, timeout=5, deadline=1.0) as client,
            pytest.raises(ResponseTooSlow, match="still arriving after 1 s"),
        ):
            client.get(f"http://127.0.0.1:{server.server_port}/page")
        assert time.monotonic() - started < 4  # not the 200 s the page would take
    finally:
        server.shutdown()
        server.server_close()


def test_the_body_is_hashed_as_it_arrives():
    import hashlib

    body = b'{"data": []}' * 1000
    log = ExchangeLog()
    client = make_client(
        "comtrade",
        log,
        transport=httpx.MockTransport(lambda request: httpx.Response(200, content=body)),
        min_interval=0,
    )
    with client:
        client.get("https://comtradeapi.un.org/x")
    (exchange,) = log.drain()
    assert exchange.sha256 == hashlib.sha256(body).hexdigest()


class SmallProxy(BaseHTTPRequestHandler):
    """An HTTP proxy on 127.0.0.1 that answers plain requests itself and refuses tunnels,
    keeping the request lines it saw."""

    seen: list[str] = []

    def do_GET(self):  # noqa: N802
        SmallProxy.seen.append(self.requestline)
        body = b"answered by the proxy"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_CONNECT(self):  # noqa: N802
        SmallProxy.seen.append(self.requestline)
        self.send_response(403)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), SmallProxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    SmallProxy.seen = []
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_live_requests_go_through_the_proxies_of_the_environment(proxy, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.setenv("HTTPS_PROXY", proxy)
    with make_client("test", ExchangeLog(), min_interval=0) as client:
        # nothing listens on localhost:9: only the proxy can answer
        assert client.get("http://localhost:9/data").text == "answered by the proxy"
        with pytest.raises(httpx.ProxyError):
            client.get("https://localhost:9/data")
    assert SmallProxy.seen == [
        "GET http://localhost:9/data HTTP/1.1",
        "CONNECT localhost:9 HTTP/1.1",
    ]


def test_no_proxy_hosts_are_reached_directly(proxy, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", proxy)
    monkeypatch.setenv("NO_PROXY", "localhost")
    retry = RetryPolicy(attempts=1)
    with make_client("test", ExchangeLog(), min_interval=0, retry=retry) as client:
        with pytest.raises(httpx.ConnectError):
            client.get("http://localhost:9/data")
    assert SmallProxy.seen == []
