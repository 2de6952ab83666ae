import json

import httpx

from tradewatch.pipelines.comtrade import fetch_request, plan_requests
from tradewatch.pipelines.comtrade.replay import replay
from tradewatch.pipelines.http import ExchangeLog, ReplayTransport, RetryPolicy, make_client
from tradewatch.schemas import Month, Series

COAL = Series("coal", 156, 408, "2701")
IRON = Series("iron", 156, 408, "2601")


def test_plan_batches_commodities_and_up_to_twelve_months_per_call():
    months = Month.span(Month(2015, 1), Month(2016, 3))
    requests = plan_requests([COAL, IRON, Series("w", 156, 0, "2701")], months)
    assert [(r.partner, len(r.months)) for r in requests] == [(0, 12), (0, 3), (408, 12), (408, 3)]
    assert requests[2].params()["cmdCode"] == "2601,2701"
    assert requests[2].params()["period"].startswith("201501,201502")


def _client(handler, log):
    return make_client(
        "comtrade",
        log,
        transport=httpx.MockTransport(handler),
        retry=RetryPolicy(sleep=lambda s: None),
        min_interval=0,
    )


def test_keyless_uses_preview_and_key_uses_data_endpoint_in_a_header():
    seen = []

    def handler(request):
        seen.append(request)
        return httpx.Response(200, json={"count": 0, "data": [], "error": ""})

    log = ExchangeLog()
    request = plan_requests([COAL], [Month(2016, 9)])[0]
    with _client(handler, log) as client:
        preview = fetch_request(client, request)
        keyed = fetch_request(client, request, api_key="s3cret-key")
    assert seen[0].url.path == "/public/v1/preview/C/M/HS"
    assert seen[1].url.path == "/data/v1/get/C/M/HS"
    assert seen[1].headers["Ocp-Apim-Subscription-Key"] == "s3cret-key"
    assert (preview.endpoint, keyed.endpoint) == ("preview", "data")
    stored = json.dumps([e.__dict__ for e in log.drain()], default=str)
    assert "s3cret-key" not in stored
    assert keyed.exchange_id is not None


def test_replay_answers_only_the_requested_periods_and_codes():
    log = ExchangeLog()
    request = plan_requests([COAL], [Month(2016, 8), Month(2016, 9)])[0]
    with make_client(
        "comtrade", log, transport=ReplayTransport({"comtradeapi.un.org": replay}), min_interval=0
    ) as client:
        first = fetch_request(client, request)
        second = fetch_request(client, request)
    document = json.loads(first.body)
    assert [(r["period"], r["cmdCode"], r["netWgt"]) for r in document["data"]] == [
        ("201608", "2701", 2_465_000_000),
        ("201609", "2701", 1_798_000_000),
    ]
    assert first.body == second.body


def test_replay_of_an_unrecorded_month_is_an_empty_answer():
    log = ExchangeLog()
    request = plan_requests([COAL], [Month(2030, 1)])[0]
    with make_client(
        "comtrade", log, transport=ReplayTransport({"comtradeapi.un.org": replay}), min_interval=0
    ) as client:
        payload = fetch_request(client, request)
    assert json.loads(payload.body)["count"] == 0
