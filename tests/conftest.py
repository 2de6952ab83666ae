"""Shared fixtures: one Prefect test harness per session, a fresh warehouse per test."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# Politeness stays within each test's process unless a test asks for Prefect's shared limits:
# a developer's PREFECT_API_URL must not send the suite's requests through their server.
os.environ["TRADEWATCH_HOST_LIMITS"] = "local"
# Checked watchlists are kept in a cache of the session's own, not the developer's.
if "TRADEWATCH_CACHE_DIR" not in os.environ:
    import tempfile

    os.environ["TRADEWATCH_CACHE_DIR"] = tempfile.mkdtemp(prefix="tradewatch-test-cache-")

from tradewatch.pipelines.comtrade import ComtradeRequest, RawPayload  # noqa: E402
from tradewatch.pipelines.comtrade.replay import recording_path  # noqa: E402
from tradewatch.schemas import Month  # noqa: E402


@pytest.fixture(scope="session")
def prefect_harness():
    """Prefect against a throwaway local server, shared by every test that runs a flow."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def warehouse_path(tmp_path: Path) -> str:
    return str(tmp_path / "warehouse.duckdb")


def recorded_records() -> list[dict]:
    """The shipped offline records for China's imports from North Korea."""
    path = recording_path("156", "408", "M")
    return json.loads(path.read_text(encoding="utf-8"))["data"]


def comtrade_body(records: list[dict]) -> bytes:
    return json.dumps(
        {"elapsedTime": "0.01 secs", "count": len(records), "data": records, "error": ""}
    ).encode()


def raw_payload(body: bytes, months=("2016-09",), hs=("2601", "2701"), exchange_id="x-1"):
    request = ComtradeRequest(156, 408, "M", tuple(hs), tuple(Month.parse(m) for m in months))
    return RawPayload(
        request=request,
        url="https://comtradeapi.un.org/public/v1/preview/C/M/HS?period=201609",
        status=200,
        body=body,
        fetched_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        exchange_id=exchange_id,
        endpoint="preview",
    )


PRK_ONLY = """
[[series]]
name = "coal-chn-prk"
reporter = 156
partner = 408
hs = "2701"

[[series]]
name = "iron-ore-chn-prk"
reporter = 156
partner = 408
hs = "2601"
"""


@pytest.fixture
def prk_watchlist(tmp_path) -> str:
    """Comtrade's two North Korea series only: for tests that serve Comtrade themselves."""
    path = tmp_path / "prk.toml"
    path.write_text(PRK_ONLY)
    return str(path)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Tests never use the network: any request beyond loopback fails at once, by name.

    Names under ``.test`` (reserved by RFC 6761, never in public DNS) are let through: tests
    resolve them with their own resolver to loopback addresses.
    """
    import httpx

    real = httpx.HTTPTransport.handle_request

    def guarded(self, request):
        host = request.url.host
        if host not in ("127.0.0.1", "localhost", "::1") and not host.endswith(".test"):
            raise RuntimeError(f"tests never use the network: {request.url}")
        return real(self, request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", guarded)


def use_source_client(monkeypatch, name: str, factory) -> None:
    """Runs get source ``name``'s client from ``factory(log, offline)``, not the real one."""
    from tradewatch.sources import source_class

    monkeypatch.setattr(
        source_class(name), "client", lambda self, log, offline: factory(log, offline)
    )


def use_comtrade_client(monkeypatch, factory) -> None:
    use_source_client(monkeypatch, "comtrade", factory)
