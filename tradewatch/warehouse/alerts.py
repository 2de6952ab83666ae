"""Alerts: raised once from the reversals view, retracted when a revision takes them back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from .db import run_sql, sql, transaction

SETTINGS_COLUMNS = [
    "reporter_code",
    "partner_code",
    "hs_code",
    "flow",
    "theta",
    "min_trend_months",
    "low_base_kg",
    "rule",
    "band_k",
    "min_history_months",
]


@dataclass
class AlertChanges:
    """What one reconciliation changed, as full alert rows."""

    raised: list[dict] = field(default_factory=list)
    retracted: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Delivery:
    """The outcome of telling one channel about one alert."""

    alert_id: str
    kind: str
    channel: str
    ok: bool
    error: str | None = None


def sync_reversal_settings(
    con: duckdb.DuckDBPyConnection,
    default: tuple[float, int, float, str, float, int],
    per_series: Sequence[tuple[int, int, str, str, float, int, float, str, float, int]],
) -> None:
    """Replace ``ops.reversal_settings`` with the watchlist's: the default row and each series'."""
    rows = [(None, None, None, None, *default), *per_series]
    frame = pd.DataFrame(rows, columns=SETTINGS_COLUMNS).astype(
        {
            "reporter_code": "Int64",
            "partner_code": "Int64",
            "min_trend_months": "int64",
            "min_history_months": "int64",
        }
    )
    con.register("incoming_settings", frame)
    try:
        with transaction(con):
            con.execute("delete from ops.reversal_settings")
            con.execute(
                "insert into ops.reversal_settings by name"
                " select *, now() as updated_at from incoming_settings"
            )
    finally:
        con.unregister("incoming_settings")


def reconcile_alerts(
    con: duckdb.DuckDBPyConnection, *, run_id: str, notify: bool, notify_low_base: bool
) -> AlertChanges:
    """Raise alerts for new reversals and retract those that are gone, in one transaction."""
    params = {"run_id": run_id, "notify": notify, "notify_low_base": notify_low_base}
    # Each change names its alerts first, then makes it: no RETURNING (DuckLake has none).
    with transaction(con):
        run_sql(con, "alerts_raise", params)
        con.execute("insert into alerts by name select * from raising")
        raised = [r[0] for r in con.execute("select alert_id from raising").fetchall()]
        con.execute("drop table raising")
        again = [r[0] for r in run_sql(con, "alerts_reraise_ids").fetchall()]
        if again:
            run_sql(con, "alerts_reraise", {**params, "ids": again})
            # A reversal that came back is a new story: every channel is owed it again.
            con.execute(
                "delete from ops.alert_deliveries where list_contains(?, alert_id)", [again]
            )
        retracted = [r[0] for r in run_sql(con, "alerts_retract_ids").fetchall()]
        if retracted:
            run_sql(con, "alerts_retract", {"ids": retracted})
    return AlertChanges(
        raised=alerts_by_id(con, raised + again), retracted=alerts_by_id(con, retracted)
    )


def alerts_by_id(con: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> list[dict]:
    if not ids:
        return []
    return _records(run_sql(con, "alerts_by_id", {"ids": list(ids)}))


def pending_deliveries(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Alerts owed a delivery, each with ``kind``, the channels already told and, for those
    an earlier run failed to tell, its reason (``failed_before``: channel -> last error)."""
    pending = _records(run_sql(con, "alerts_pending", {}))
    if not pending:
        return []
    told: dict[tuple[str, str], set[str]] = {}
    failed: dict[tuple[str, str], dict[str, str]] = {}
    ids = [p["alert_id"] for p in pending]
    for alert_id, kind, channel, delivered, last_error in run_sql(
        con, "delivered_channels", {"alert_ids": ids}
    ).fetchall():
        if delivered:
            told.setdefault((alert_id, kind), set()).add(channel)
        else:
            failed.setdefault((alert_id, kind), {})[channel] = last_error
    for p in pending:
        p["delivered_channels"] = told.get((p["alert_id"], p["kind"]), set())
        p["failed_before"] = failed.get((p["alert_id"], p["kind"]), {})
    return pending


def record_deliveries(con: duckdb.DuckDBPyConnection, deliveries: Sequence[Delivery]) -> None:
    """Record attempts; an alert is marked told once all its channels have delivered."""
    if not deliveries:
        return
    frame = pd.DataFrame(
        [(d.alert_id, d.kind, d.channel, d.ok, d.error) for d in deliveries],
        columns=["alert_id", "kind", "channel", "ok", "error"],
    )
    con.register("incoming_deliveries", frame)
    try:
        with transaction(con):
            con.execute(sql("record_delivery"))
            run_sql(con, "mark_notified", {"alert_ids": sorted({d.alert_id for d in deliveries})})
    finally:
        con.unregister("incoming_deliveries")


def _records(result: duckdb.DuckDBPyConnection) -> list[dict]:
    columns = [d[0] for d in result.description]
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]
