"""Public hosts only, GDELT's requests and its throttling, term matching."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.samples import shared_sample
from tradewatch.pipelines.http import ExchangeLog, RetryPolicy, make_client
from tradewatch.pipelines.news import (
    NewsHTTPError,
    NotPublicURL,
    PublicOnlyTransport,
    check_public_url,
    fetch_document,
    fetch_page,
    gdelt_covers,
    gdelt_query,
    gdelt_url,
    matches_terms,
    parse_gdelt,
)
from tradewatch.schemas import Month


def public(host: str) -> list[str]:
    return ["93.184.216.34"]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "scheme 'file'"),
        ("ftp://example.org/x", "scheme 'ftp'"),
        ("http://localhost:8080/", "local name"),
        ("http://127.0.0.1/", "non-public address"),
        ("http://[::1]/", "non-public address"),
        ("http://10.1.2.3/admin", "non-public address"),
        ("http://192.168.0.1/", "non-public address"),
        ("http://169.254.169.254/latest/meta-data/", "non-public address"),
        ("http://printer.local/", "local name"),
    ],
)
def test_only_public_http_hosts_are_fetched(url, reason):
    with pytest.raises(NotPublicURL, match=reason):
        check_public_url(url, public)


def test_a_name_that_resolves_to_a_private_address_is_refused():
    with pytest.raises(NotPublicURL, match="non-public address"):
        check_public_url("https://intranet.example.com/", lambda host: ["10.0.0.7"])
    check_public_url("https://www.reuters.com/article/x", public)


def test_a_redirect_to_a_private_address_is_refused():
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == "news.example.com":
            return httpx.Response(302, headers={"location": "http://127.0.0.1:9000/secret"})
        return httpx.Response(200, text="secret")

    guarded = PublicOnlyTransport(httpx.MockTransport(answer), public)
    log = ExchangeLog()
    with make_client("news", log, transport=guarded, min_interval=0) as client:
        with pytest.raises(NotPublicURL, match="127.0.0.1"):
            fetch_page(client, "https://news.example.com/a", public)


def test_gdelt_request_names_the_terms_and_the_month():
    url = gdelt_url(["coal|anthracite", "North Korea|Pyongyang"], Month(2017, 2))
    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert params["query"] == '(coal OR anthracite) ("North Korea" OR Pyongyang)'
    assert (params["mode"], params["format"]) == ("artlist", "json")
    assert (params["startdatetime"], params["enddatetime"]) == ("20170201000000", "20170228235959")
    assert gdelt_query(["iron ore"]) == '"iron ore"'


def test_gdelt_covers_2017_on():
    assert not gdelt_covers(Month(2016, 12))
    assert gdelt_covers(Month(2017, 1))


def test_gdelt_429_is_retried_after_waiting_then_answers():
    limited = shared_sample("gdelt/overwatch_rate_limited.txt").read_bytes()
    artlist = shared_sample("gdelt/overwatch_vizhinjam_2024_artlist.json").read_bytes()
    answers = [httpx.Response(429, content=limited), httpx.Response(200, content=artlist)]
    waits: list[float] = []
    log = ExchangeLog()
    client = make_client(
        "gdelt",
        log,
        transport=httpx.MockTransport(lambda request: answers.pop(0)),
        retry=RetryPolicy(attempts=3, backoff_base=5.0, sleep=waits.append),
        min_interval=0,
    )
    with client:
        raw = fetch_document(client, gdelt_url(["coal"], Month(2017, 2)))
    assert len(parse_gdelt(raw)) == 4
    assert waits and waits[0] >= 2.5  # full jitter over [base/2, base]
    assert [e.status for e in log.drain()] == [429, 200]  # both answers kept


def test_gdelt_429_that_persists_is_a_transient_error_naming_the_limit():
    limited = shared_sample("gdelt/overwatch_rate_limited.txt").read_bytes()
    client = make_client(
        "gdelt",
        ExchangeLog(),
        transport=httpx.MockTransport(lambda request: httpx.Response(429, content=limited)),
        retry=RetryPolicy(attempts=2, sleep=lambda s: None),
        min_interval=0,
    )
    with client, pytest.raises(NewsHTTPError, match="one every 5 seconds") as error:
        fetch_document(client, gdelt_url(["coal"], Month(2017, 2)))
    assert error.value.transient


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("China's coal imports from North Korea fell", True),
        ("Pyongyang's anthracite exports", True),
        ("North Korean coal", True),
        ("China's coal imports from Australia", False),
        ("coalition talks in North Korea", False),
    ],
)
def test_feed_entries_must_name_every_term(text, found):
    assert matches_terms(text, ["coal|anthracite", "North Korea|North Korean|Pyongyang"]) is found
