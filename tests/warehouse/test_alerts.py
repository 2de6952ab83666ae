from contextlib import closing

import pytest

from tests.warehouse.test_reversals import put
from tradewatch.warehouse import connect
from tradewatch.warehouse.alerts import (
    Delivery,
    pending_deliveries,
    reconcile_alerts,
    record_deliveries,
)


@pytest.fixture
def con(warehouse_path):
    with closing(connect(warehouse_path)) as connection:
        yield connection


def reconcile(con, notify=True):
    return reconcile_alerts(con, run_id="run", notify=notify, notify_low_base=False)


def revise(con, month, tonnes, hs="2701"):
    con.execute(
        "insert into trade_vintages select source, reporter_code, partner_code, hs_code, flow,"
        " period, vintage + 1, ?, quantity, quantity_unit, value_usd, now(), 'e2', 's2', 0, 'r2',"
        " null, null"
        " from trade_monthly where hs_code = ? and strftime(period, '%Y-%m') = ?",
        [tonnes * 1000.0, hs, month],
    )


def test_raised_once_retracted_on_revision_and_raised_again(con):
    put(con, [100_000, 150_000, 200_000, 100_000])
    first = reconcile(con)
    assert [(a["period"].month, a["direction"], a["status"]) for a in first.raised] == [
        (4, "down", "raised")
    ]
    again = reconcile(con)
    assert (again.raised, again.retracted) == ([], [])

    revise(con, "2016-04", 195_000)
    gone = reconcile(con)
    assert [(a["period"].month, a["status"]) for a in gone.retracted] == [(4, "retracted")]

    revise(con, "2016-04", 90_000)
    back = reconcile(con)
    assert [(a["status"], a["current_kg"]) for a in back.raised] == [("raised", 90_000_000.0)]
    assert con.execute("select count(*) from alerts").fetchall() == [(1,)]


def test_low_base_and_unnotified_alerts_are_recorded_but_owed_nothing(con):
    put(con, [100, 150, 200, 100], hs="1001")
    put(con, [100_000, 150_000, 200_000, 100_000], hs="1002")
    changes = reconcile(con, notify=False)
    assert sorted((a["hs_code"], a["notify"]) for a in changes.raised) == [
        ("1001", False),
        ("1002", False),
    ]
    assert pending_deliveries(con) == []


def test_an_alert_is_told_only_when_every_channel_has_delivered(con):
    put(con, [100_000, 150_000, 200_000, 100_000])
    (alert,) = reconcile(con).raised
    (owed,) = pending_deliveries(con)
    assert (owed["kind"], owed["delivered_channels"]) == ("raised", set())

    record_deliveries(
        con,
        [
            Delivery(alert["alert_id"], "raised", "event", True),
            Delivery(alert["alert_id"], "raised", "webhook", False, "webhook answered HTTP 500"),
        ],
    )
    (owed,) = pending_deliveries(con)
    assert owed["delivered_channels"] == {"event"}
    error, told = con.execute("select delivery_error, raised_notified_at from alerts").fetchall()[0]
    assert (error, told) == ("webhook: webhook answered HTTP 500", None)

    record_deliveries(con, [Delivery(alert["alert_id"], "raised", "webhook", True)])
    assert pending_deliveries(con) == []
    error, told = con.execute("select delivery_error, raised_notified_at from alerts").fetchall()[0]
    assert error is None and told is not None
    attempts = con.execute(
        "select channel, attempts from ops.alert_deliveries order by channel"
    ).fetchall()
    assert attempts == [("event", 1), ("webhook", 2)]

    revise(con, "2016-04", 195_000)
    reconcile(con)
    (owed,) = pending_deliveries(con)
    assert (owed["kind"], owed["delivered_channels"]) == ("retracted", set())


def test_a_retraction_of_an_alert_nobody_was_told_about_is_owed_to_nobody(con):
    put(con, [100_000, 150_000, 200_000, 100_000])
    reconcile(con)
    revise(con, "2016-04", 195_000)
    assert [a["status"] for a in reconcile(con).retracted] == ["retracted"]
    assert pending_deliveries(con) == []
