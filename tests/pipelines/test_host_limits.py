"""Politeness across processes: Prefect global rate limits per source host.

Two clients with their own minimum interval each (as two workers on two machines would have) ask
one real server on 127.0.0.1. Alone, each keeps its own pace and together they ask twice as
often; with the shared turn, the Prefect server lets one request through per interval.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tradewatch.pipelines import host_limits
from tradewatch.pipelines.http import ExchangeLog, RetryPolicy, make_client

INTERVAL = 0.5


class _Clock(BaseHTTPRequestHandler):
    arrivals: list[float] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        type(self).arrivals.append(time.monotonic())
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def clock_server():
    _Clock.arrivals = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Clock)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", _Clock.arrivals
    server.shutdown()
    server.server_close()


def _two_workers(url: str, shared_turn, requests_each: int = 3) -> None:
    def worker():
        client = make_client(
            "comtrade",
            ExchangeLog(),
            transport=httpx.HTTPTransport(),
            retry=RetryPolicy(attempts=1),
            min_interval=INTERVAL,
            shared_turn=shared_turn,
        )
        with client:
            for _ in range(requests_each):
                assert client.get(url).status_code == 200

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


def _gaps(arrivals: list[float]) -> list[float]:
    ordered = sorted(arrivals)
    return [b - a for a, b in zip(ordered, ordered[1:], strict=False)]


def test_each_process_alone_keeps_only_its_own_pace(clock_server):
    url, arrivals = clock_server
    _two_workers(url, shared_turn=None)
    assert len(arrivals) == 6
    assert min(_gaps(arrivals)) < INTERVAL / 2  # the two interleave: the host sees both


def test_the_prefect_limit_holds_the_pace_across_workers(prefect_harness, clock_server):
    url, arrivals = clock_server
    _two_workers(url, shared_turn=host_limits.take_turn)
    assert len(arrivals) == 6
    assert min(_gaps(arrivals)) >= INTERVAL * 0.8, _gaps(arrivals)

    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        limit = client.read_global_concurrency_limit_by_name("tradewatch-host-127.0.0.1")
    assert (limit.limit, limit.slot_decay_per_second) == (1, 1 / INTERVAL)


@pytest.mark.parametrize(
    ("env", "api_url", "expected"),
    [
        ({}, None, "local"),
        ({}, "http://prefect.test:4200/api", "prefect"),
        ({"TRADEWATCH_HOST_LIMITS": "local"}, "http://prefect.test:4200/api", "local"),
        ({"TRADEWATCH_HOST_LIMITS": "Prefect"}, None, "prefect"),
    ],
)
def test_the_mode_follows_the_environment(monkeypatch, env, api_url, expected):
    monkeypatch.delenv("TRADEWATCH_HOST_LIMITS", raising=False)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if api_url:
        monkeypatch.setenv("PREFECT_API_URL", api_url)
    assert host_limits.mode() == expected
    assert (host_limits.shared_turn() is not None) == (expected == "prefect")


def test_an_unknown_mode_is_refused(monkeypatch):
    monkeypatch.setenv("TRADEWATCH_HOST_LIMITS", "everywhere")
    with pytest.raises(host_limits.HostLimitError, match="everywhere"):
        host_limits.mode()
