"""Alerts end to end: runs raise them, deliver them to a real local webhook, retract them."""

import json
import threading
from contextlib import closing, contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.conftest import comtrade_body, recorded_records, use_comtrade_client
from tradewatch.cli import main
from tradewatch.flows import alerts as alerts_module
from tradewatch.flows import backfill, monthly_ingest
from tradewatch.pipelines.http import RetryPolicy, make_client
from tradewatch.warehouse import connect

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture(autouse=True)
def north_korea_only(monkeypatch, prk_watchlist):
    """These tests count North Korea's two Comtrade series: the watchlist holds just those."""
    monkeypatch.setenv("TRADEWATCH_WATCHLIST", prk_watchlist)


class Webhook:
    """A real HTTP server on 127.0.0.1 that records JSON posts and can fail on purpose."""

    def __init__(self):
        self.received, self.failures_left, self.hits = [], 0, 0
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.hits += 1
                if hook.failures_left:
                    hook.failures_left -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                hook.received.append(json.loads(body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    @contextmanager
    def running(self):
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def webhook(monkeypatch):
    hook = Webhook()
    monkeypatch.setenv("TRADEWATCH_ALERT_WEBHOOK", hook.url)
    # Quick retries for the test; the policy's shape is what production uses.
    monkeypatch.setattr(alerts_module, "WEBHOOK_RETRY", RetryPolicy(attempts=3, backoff_base=0.05))
    with hook.running():
        yield hook


@pytest.fixture
def events(monkeypatch):
    sent = []

    def capture(**kwargs):
        sent.append(kwargs)
        return object()

    monkeypatch.setattr(alerts_module, "emit_event", capture)
    return sent


def alerts(path, where="true"):
    with closing(connect(path, read_only=True)) as con:
        return con.execute(
            "select strftime(period, '%Y-%m'), hs_code, direction, status, notify,"
            f" raised_notified_at is not null, delivery_error from alerts where {where}"
            " order by period, hs_code"
        ).fetchall()


def serve_revised(monkeypatch, changes):
    """Answer Comtrade from the recordings with some coal figures revised (tonnes)."""
    records = []
    for r in recorded_records():
        r = dict(r)
        if r["cmdCode"] == "2701" and r["period"] in changes:
            r["netWgt"] = r["qty"] = changes[r["period"]] * 1000.0
        records.append(r)

    def handler(request):
        periods = request.url.params["period"].split(",")
        codes = request.url.params["cmdCode"].split(",")
        return httpx.Response(
            200,
            content=comtrade_body(
                [r for r in records if r["period"] in periods and r["cmdCode"] in codes]
            ),
        )

    use_comtrade_client(
        monkeypatch,
        lambda log, offline: make_client(
            "comtrade", log, transport=httpx.MockTransport(handler), min_interval=0
        ),
    )


def test_2016_raises_the_turns_once_and_delivers_them_once(warehouse_path, webhook, events, capsys):
    summary = monthly_ingest(
        month="2016-12", window_months=12, offline=True, warehouse=warehouse_path
    )
    # the seasonal rule judges China's January and February as one period, so the Lunar New
    # Year's March rebound (2016-03 up, the simple rule's) is no turn; a year of history is too
    # little for the seasonal band, so the simple rule judges the rest and says so
    assert summary["alerts_raised"] == 4
    coal = [a[:3] for a in alerts(warehouse_path, "hs_code = '2701'")]
    assert coal == [
        ("2016-04", "2701", "down"),
        ("2016-06", "2701", "up"),
        ("2016-09", "2701", "down"),
    ]
    assert all(a[5] for a in alerts(warehouse_path)), "every alert delivered"

    september = next(p for p in webhook.received if p["period"] == "2016-09")
    assert september["event"] == "tradewatch.reversal.raised"
    assert (september["direction"], september["move_pct"], september["trend_months"]) == (
        "down",
        -27.1,
        3,
    )
    assert (september["previous_kg"], september["current_kg"]) == (2_465_000_000, 1_798_000_000)
    assert september["series"]["name"] == "coal-chn-prk"
    assert "after 3 months rising" in september["message"]
    assert september["rule"] == "simple" and "simple rule" in september["message"]
    assert len(webhook.received) == len(events) == 4
    resources = {e["resource"]["prefect.resource.id"] for e in events}
    assert resources == {"tradewatch.series.156-408-2701-M", "tradewatch.series.156-408-2601-M"}

    assert main(["alerts", "--format", "json", "--warehouse", warehouse_path]) == 0
    listed = json.loads(capsys.readouterr().out)
    coal_listed = [(a["period"], a["direction"]) for a in listed if a["hs_code"] == "2701"]
    assert ("2016-04-01", "down") in coal_listed and ("2016-09-01", "down") in coal_listed
    assert not any(a["period"] == "2016-10-01" for a in listed)
    named = next(a for a in listed if a["period"] == "2016-09-01" and a["hs_code"] == "2701")
    assert (named["series_name"], named["commodity_short"], named["partner"]) == (
        "coal-chn-prk",
        "Coal",
        "North Korea",
    )
    assert named["commodity"].startswith("Coal; briquettes")  # as Comtrade sent it
    assert (named["previous_t"], named["current_t"]) == (2_465_000, 1_798_000)
    assert main(["alerts", "--warehouse", warehouse_path]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:5] == ["period", "series_name", "commodity_short", "partner", "source"]
    september_line = next(line for line in table if line.startswith("2016-09-01  coal-chn-prk"))
    assert "Coal" in september_line and "North Korea" in september_line
    assert "2,465,000" in september_line and "1,798,000" in september_line  # tonnes

    again = monthly_ingest(
        month="2016-12", window_months=12, offline=True, warehouse=warehouse_path
    )
    assert (again["alerts_raised"], again["alerts_retracted"]) == (0, 0)
    assert len(webhook.received) == len(events) == 4


def test_a_revision_that_removes_a_turn_retracts_it_once(
    warehouse_path, webhook, events, monkeypatch
):
    monthly_ingest(month="2016-09", window_months=4, offline=True, warehouse=warehouse_path)
    assert [a[:4] for a in alerts(warehouse_path, "hs_code = '2701'")] == [
        ("2016-09", "2701", "down", "raised")
    ]
    webhook.received.clear()
    serve_revised(monkeypatch, {"201609": 2_400_000})
    summary = monthly_ingest(month="2016-09", window_months=4, warehouse=warehouse_path)
    assert summary["alerts_retracted"] == 1
    assert alerts(warehouse_path, "hs_code = '2701'")[0][3] == "retracted"
    (retraction,) = webhook.received
    assert (retraction["event"], retraction["period"]) == (
        "tradewatch.reversal.retracted",
        "2016-09",
    )
    assert events[-1]["event"] == "tradewatch.reversal.retracted"
    monthly_ingest(month="2016-09", window_months=4, warehouse=warehouse_path)
    assert len(webhook.received) == 1


def test_the_webhook_failing_then_recovering(warehouse_path, webhook, events):
    # Two 500s: the run's own retries get the first alert through.
    webhook.failures_left = 2
    monthly_ingest(month="2016-09", window_months=4, offline=True, warehouse=warehouse_path)
    assert [a[5] for a in alerts(warehouse_path)] == [True]
    assert webhook.hits == 3 and len(webhook.received) == 1


def test_a_webhook_down_for_a_whole_run_is_retried_by_the_next(warehouse_path, webhook, events):
    webhook.failures_left = 3
    summary = monthly_ingest(
        month="2016-09", window_months=4, offline=True, warehouse=warehouse_path
    )
    assert summary["deliveries_failed"] == 1
    ((month, hs, direction, status, notify, told, error),) = alerts(warehouse_path)
    assert (status, told, error) == ("raised", False, "webhook: webhook answered HTTP 500")
    assert len(events) == 1  # the event went out; only the webhook is owed

    monthly_ingest(month="2016-09", window_months=4, offline=True, warehouse=warehouse_path)
    assert alerts(warehouse_path)[0][5:] == (True, None)
    assert len(webhook.received) == 1 and len(events) == 1


def test_alerts_owed_to_one_channel_for_one_reason_are_one_warning(
    warehouse_path, webhook, events, caplog
):
    webhook.failures_left = 100  # down for the whole run
    backfill("2016-01", "2016-12", offline=True, warehouse=warehouse_path, notify=True)
    owed = [r.getMessage() for r in caplog.records if "not delivered to webhook" in r.getMessage()]
    notified = alerts(warehouse_path, "notify")
    assert len(notified) >= 2
    (line,) = owed  # one line for the channel and its reason, not one per alert
    assert line.startswith(
        f"{len(notified)} alerts not delivered to webhook: webhook answered HTTP 500 ("
    )

    # the next run, the webhook still down for the same reason: a reminder, not a new warning
    caplog.clear()
    monthly_ingest(month="2016-12", window_months=1, offline=True, warehouse=warehouse_path)
    owed = [r for r in caplog.records if "delivered to webhook" in r.getMessage()]
    assert [(r.levelname, r.getMessage()[:39]) for r in owed] == [
        ("INFO", f"{len(notified)} alerts still not delivered to webhook")
    ]


def test_a_backfill_records_alerts_without_notifying_unless_asked(warehouse_path, webhook, events):
    backfill("2016-01", "2016-06", offline=True, warehouse=warehouse_path)
    recorded = alerts(warehouse_path)
    assert recorded and not any(a[4] for a in recorded)
    assert webhook.received == [] and events == []

    backfill("2016-07", "2016-12", offline=True, warehouse=warehouse_path, notify=True)
    notified = alerts(warehouse_path, "notify")
    assert [a[:3] for a in notified] == [("2016-09", "2701", "down"), ("2016-12", "2601", "down")]
    assert len(webhook.received) == 2


def test_a_notification_block_receives_the_alert(warehouse_path, tmp_path, events):
    from prefect.blocks.abstract import NotificationBlock

    class Notebook(NotificationBlock):
        _block_type_slug = "tradewatch-test-notebook"
        path: str

        def notify(self, body, subject=None):
            with open(self.path, "a") as handle:
                handle.write(f"{subject}|{body}\n")

    Notebook(path=str(tmp_path / "told.txt")).save("alerts", overwrite=True)
    watchlist = tmp_path / "w.toml"
    watchlist.write_text(
        '[alerts]\nnotification_block = "tradewatch-test-notebook/alerts"\n'
        '[[series]]\nname = "coal"\nreporter = 156\npartner = 408\nhs = "2701"\n'
    )
    monthly_ingest(
        month="2016-09",
        window_months=4,
        offline=True,
        warehouse=warehouse_path,
        watchlist=str(watchlist),
    )
    (line,) = (tmp_path / "told.txt").read_text().splitlines()
    assert line.startswith("tradewatch: raised down|coal: imports turned down in 2016-09")
    assert alerts(warehouse_path)[0][5] is True


def _run_notifying(warehouse_path, tmp_path, url: str) -> dict:
    """September 2016's run for coal alone, with ``url`` as the watchlist's apprise channel."""
    watchlist = tmp_path / "w.toml"
    watchlist.write_text(
        f'[alerts]\nnotify = ["{url}"]\n'
        '[[series]]\nname = "coal"\nreporter = 156\npartner = 408\nhs = "2701"\n'
    )
    return monthly_ingest(
        month="2016-09", window_months=4, offline=True, warehouse=warehouse_path,
        watchlist=str(watchlist),
    )  # fmt: skip


def test_an_apprise_url_receives_each_alert_once(warehouse_path, tmp_path, events):
    """[alerts] notify = ["json://127.0.0.1:PORT/hook"]: apprise posts to a real local server."""
    hook = Webhook()
    with hook.running():
        for _ in range(2):  # the second run owes nothing
            _run_notifying(
                warehouse_path, tmp_path, f"json://127.0.0.1:{hook.server.server_port}/hook"
            )
    (received,) = hook.received
    assert received["title"] == "tradewatch: raised down"
    assert received["message"].startswith("coal: imports turned down in 2016-09")
    with closing(connect(warehouse_path, read_only=True)) as con:
        channels = con.execute(
            "select channel, delivered_at is not null from ops.alert_deliveries order by channel"
        ).fetchall()
    port = hook.server.server_port
    assert channels == [(f"apprise json://127.0.0.1:{port}/hook", True), ("event", True)]


def test_an_apprise_url_that_fails_is_owed_with_apprises_reason(warehouse_path, tmp_path, events):
    summary = _run_notifying(warehouse_path, tmp_path, "json://127.0.0.1:9/hook")  # port 9: none
    assert summary["deliveries_failed"] == 1
    ((month, hs, direction, status, notify, told, error),) = alerts(warehouse_path)
    assert told is False and error.startswith("apprise json://127.0.0.1:9/hook: ")
    assert "connection error" in error.lower()
