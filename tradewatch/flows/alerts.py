"""Raise, retract and deliver reversal alerts at the end of a run."""

from __future__ import annotations

import inspect
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.events import emit_event
from prefect.utilities.asyncutils import run_coro_as_sync

from ..errors import describe_failure
from ..pipelines.http import ExchangeLog, RetryPolicy, make_client
from ..schemas import series_key
from ..warehouse import Warehouse, WarehouseBusy
from ..warehouse.alerts import (
    AlertChanges,
    Delivery,
    pending_deliveries,
    reconcile_alerts,
    record_deliveries,
    sync_reversal_settings,
)
from ..warehouse.names import sync_watched_series
from ..watchlist import Watchlist

RAISED_EVENT = "tradewatch.reversal.raised"
RETRACTED_EVENT = "tradewatch.reversal.retracted"
# Webhook delivery: a few quick retries in this run; the next run tries again if they all fail.
WEBHOOK_RETRY = RetryPolicy(attempts=3, backoff_base=0.5, backoff_max=5.0)


@dataclass
class AlertReport:
    """What the alert step did in one run."""

    raised: list[dict] = field(default_factory=list)
    retracted: list[dict] = field(default_factory=list)
    delivered: int = 0
    failed: list[str] = field(default_factory=list)
    held: str | None = None  # why the step could not write: the file held past the run's wait


def series_names(config: Watchlist) -> dict[str, str]:
    return {s.key: s.name for s in config.series}


def alert_key(alert: dict) -> str:
    return series_key(
        alert["reporter_code"], alert["partner_code"], alert["hs_code"], alert["flow"]
    )


def describe(alert: dict, names: dict[str, str], kind: str) -> str:
    """One line an analyst can read: what turned, when, by how much, after how long."""
    month = f"{alert['period']:%Y-%m}"
    if alert.get("alert_kind") == "mirror_gap":
        return describe_mirror_gap(alert, month, kind)
    name = names.get(alert_key(alert), alert_key(alert))
    trade = "imports" if alert["flow"].endswith("M") else "exports"
    if kind == "retracted":
        return (
            f"RETRACTED {name}: the {alert['direction']} turn of {trade} in {month} is gone "
            f"after a revision ({alert['source']})"
        )
    previous, current = alert["previous_kg"] / 1000, alert["current_kg"] / 1000
    move = "from zero" if alert["move_pct"] is None else f"{alert['move_pct']:+.1f}%"
    before = "rising" if alert["direction"] == "down" else "falling"
    months = alert["trend_months"]
    caveat = " [low base]" if alert["low_base"] else ""
    after = (
        f"after {months} month{'s' if months != 1 else ''} {before}"
        if months is not None
        else "leaving its usual pattern"
    )
    return (
        f"{name}: {trade} turned {alert['direction']} in {month}: {current:,.0f} t, {move} "
        f"from {previous:,.0f} t, {after} ({alert['source']}){caveat}; {judged_by(alert)}"
    )


def judged_by(alert: dict) -> str:
    """How the turn was judged: "where April usually moves +3%; outside the usual band ±12%"."""
    if alert.get("rule") == "seasonal":
        calendar_month = f"{alert['period']:%B}"
        return (
            f"where {calendar_month} usually moves {alert['expected_pct']:+.1f}%; outside the "
            f"series' usual band of ±{alert['band_pct']:.0f}% around that (seasonal rule, "
            f"{alert['history_months']} months of history)"
        )
    theta = alert.get("theta") or 0
    return f"simple rule: a move of {100 * theta:.0f}% or more against the last one"


def describe_mirror_gap(alert: dict, month: str, kind: str) -> str:
    """A mirror gap in words: who says what about the same trade, and the band it left."""
    from ..schemas.countries import country_name

    importer, exporter = country_name(alert["reporter_code"]), country_name(alert["partner_code"])
    imports_by, exports_by = alert["source"].split("~", 1)
    goods = "all goods" if alert["hs_code"] == "TOTAL" else f"HS {alert['hs_code']}"
    if kind == "retracted":
        return (
            f"RETRACTED mirror gap: {importer}'s imports from {exporter} ({goods}) against "
            f"{exporter}'s exports in {month} are back within their band after a revision"
        )
    side = "above" if alert["direction"] == "mirror_above" else "below"
    return (
        f"mirror gap: {importer} says it imported USD {alert['import_usd'] / 1e6:,.0f} million "
        f"from {exporter} in {month} ({goods}, {imports_by}), {exporter} says it exported USD "
        f"{alert['export_usd'] / 1e6:,.0f} million ({exports_by}): ratio {alert['ratio']:.2f}, "
        f"{side} its band {alert['band_low']:.2f}-{alert['band_high']:.2f} "
        f"({alert['trend_months']} months of history)"
    )


def payload(alert: dict, names: dict[str, str], kind: str) -> dict:
    """The JSON a webhook receives and the payload of the Prefect event."""
    key = alert_key(alert)
    return {
        "event": RAISED_EVENT if kind == "raised" else RETRACTED_EVENT,
        "alert_id": alert["alert_id"],
        "status": alert["status"],
        "series": {
            "key": key,
            "name": names.get(key, key),
            "source": alert["source"],
            "reporter_code": alert["reporter_code"],
            "partner_code": alert["partner_code"],
            "hs_code": alert["hs_code"],
            "flow": alert["flow"],
        },
        "period": f"{alert['period']:%Y-%m}",
        "direction": alert["direction"],
        "move_pct": alert["move_pct"],
        "previous_kg": alert["previous_kg"],
        "current_kg": alert["current_kg"],
        "trend_months": alert["trend_months"],
        "low_base": alert["low_base"],
        "theta": alert["theta"],
        "rule": alert.get("rule"),
        "expected_pct": alert.get("expected_pct"),
        "band_pct": alert.get("band_pct"),
        "history_months": alert.get("history_months"),
        "kind": alert.get("alert_kind", "reversal"),
        **{k: alert.get(k) for k in ("ratio", "band_low", "band_high", "import_usd", "export_usd")},
        "message": describe(alert, names, kind),
    }


@task(name="raise-alerts", cache_policy=NONE)
def raise_alerts(
    warehouse: Warehouse, config: Watchlist, run_id: str, notify: bool
) -> AlertChanges | str:
    """Mirror the reversal settings, then raise and retract alerts from the reversals view
    (or why not: the file held by another process past the run's wait)."""
    logger = get_run_logger()
    defaults = config.alerts
    rule = (defaults.rule, defaults.band_k, defaults.min_history_months)
    per_series = [
        (
            s.reporter,
            s.partner,
            s.hs_code,
            s.flow,
            s.theta if s.theta is not None else defaults.theta,
            s.min_trend_months if s.min_trend_months is not None else defaults.min_trend_months,
            1000
            * (s.low_base_tonnes if s.low_base_tonnes is not None else defaults.low_base_tonnes),
            *rule,
        )
        for s in config.series
    ]
    try:
        with warehouse.writer() as con:
            sync_watched_series(
                con,
                [
                    (s.name, s.reporter, s.partner, s.hs_code, s.flow, s.mirror)
                    for s in config.series
                ],
            )
            sync_reversal_settings(
                con,
                (defaults.theta, defaults.min_trend_months, 1000 * defaults.low_base_tonnes, *rule),
                per_series,
            )
            changes = reconcile_alerts(
                con, run_id=run_id, notify=notify, notify_low_base=defaults.notify_low_base
            )
    except WarehouseBusy as exc:
        return str(exc)
    names = series_names(config)
    for alert in changes.raised:
        told = "" if alert["notify"] else " (recorded, not notified)"
        logger.info("alert raised: %s%s", describe(alert, names, "raised"), told)
    for alert in changes.retracted:
        logger.info("alert retracted: %s", describe(alert, names, "retracted"))
    return changes


def _send_event(alert: dict, names: dict[str, str], kind: str) -> None:
    key = alert_key(alert)
    event = emit_event(
        event=RAISED_EVENT if kind == "raised" else RETRACTED_EVENT,
        resource={
            "prefect.resource.id": f"tradewatch.series.{key}",
            "prefect.resource.name": names.get(key, key),
            "tradewatch.source": alert["source"],
        },
        payload=payload(alert, names, kind),
    )
    if event is None:
        raise RuntimeError("Prefect did not accept the event (no events client)")


def _event_channel_problem() -> str | None:
    """Why events would reach no one, or None. An event counts only where someone can receive
    it: on a Prefect server that outlives the run. Without ``PREFECT_API_URL`` the run's
    temporary server, and its events, end with it."""
    from prefect.settings import get_current_settings

    if get_current_settings().api.url:
        return None
    return (
        "no Prefect server to receive it: PREFECT_API_URL is unset, and the run's "
        "temporary server ends with the run (the alert stays owed to this channel)"
    )


def apprise_channel(url: str) -> str:
    """The channel name an apprise URL is recorded under: the URL with its secrets masked."""
    import apprise

    plugin = apprise.Apprise.instantiate(url)
    if plugin is None:  # sending says why; the name shows no part that might be a secret
        return f"apprise {url.split('://')[0]}://(a URL apprise cannot use)"
    return "apprise " + plugin.url(privacy=True).split("?")[0]


def _send_apprise(url: str, subject: str, body: str) -> None:
    import apprise

    with apprise.LogCapture(level=apprise.logging.WARNING) as captured:
        sender = apprise.Apprise()
        sender.add(url)
        result = sender.notify(body=body, title=subject)
    if not result:
        said = [line.split(" - ", 2)[-1] for line in captured.getvalue().splitlines() if line]
        raise RuntimeError(said[-1] if said else "apprise reported a failure")


def _send_webhook(client: httpx.Client, url: str, body: dict) -> None:
    response = client.post(
        url,
        content=json.dumps(body, default=str).encode(),
        headers={"Content-Type": "application/json"},
    )
    if response.status_code >= 300:
        raise RuntimeError(f"webhook answered HTTP {response.status_code}")


def _send_block(block_name: str, subject: str, body: str) -> None:
    from prefect.blocks.core import Block

    block = Block.load(block_name)
    with block.raise_on_failure():
        result = block.notify(body=body, subject=subject)
        if inspect.isawaitable(result):
            run_coro_as_sync(result)


@task(name="deliver-alerts", cache_policy=NONE)
def deliver_alerts(warehouse: Warehouse, config: Watchlist) -> AlertReport:
    """Tell every channel about every alert still owed; failures are recorded, never raised."""
    logger = get_run_logger()
    names = series_names(config)
    webhook, block = config.alerts.webhook(), config.alerts.notification_block
    apprise_urls = {apprise_channel(url): url for url in config.alerts.notify}
    channels = [
        "event",
        *(["webhook"] if webhook else []),
        *(["block"] if block else []),
        *apprise_urls,
    ]
    try:
        with warehouse.writer() as con:
            pending = pending_deliveries(con)
    except WarehouseBusy as exc:
        return AlertReport(held=str(exc))
    event_problem = _event_channel_problem() if pending else None
    report = AlertReport()
    undelivered: dict[tuple[str, str], list[str]] = {}
    with make_client(
        "alerts", ExchangeLog(), retry=WEBHOOK_RETRY, min_interval=0, timeout=15.0
    ) as client:
        for alert in pending:
            kind = alert["kind"]
            text = describe(alert, names, kind)
            outcomes = []
            for channel in channels:
                if channel in alert["delivered_channels"]:
                    continue
                try:
                    subject = f"tradewatch: {kind} {alert['direction']}"
                    if channel == "event":
                        if event_problem:
                            raise RuntimeError(event_problem)
                        _send_event(alert, names, kind)
                    elif channel == "webhook":
                        _send_webhook(client, webhook, payload(alert, names, kind))
                    elif channel == "block":
                        _send_block(block, subject, text)
                    else:
                        _send_apprise(apprise_urls[channel], subject, text)
                    outcomes.append(Delivery(alert["alert_id"], kind, channel, True))
                except Exception as exc:  # recorded on the alert and retried by the next run
                    reason = describe_failure(exc).splitlines()[0]
                    outcomes.append(Delivery(alert["alert_id"], kind, channel, False, reason))
                    report.failed.append(f"{alert['alert_id']} {channel}: {reason}")
                    again = alert["failed_before"].get(channel) == reason
                    undelivered.setdefault((channel, reason, again), []).append(alert["alert_id"])
            try:
                with warehouse.writer() as con:
                    record_deliveries(con, outcomes)
            except WarehouseBusy as exc:  # told, but not written down: stop telling
                report.held = f"{exc}; alert {alert['alert_id']} was sent but not recorded"
                break
            report.delivered += sum(o.ok for o in outcomes)
    # one line per channel and reason, not one per alert: nine alerts owed to an absent Prefect
    # server are one fact; a warning the first time, then a reminder that is no warning
    for (channel, reason, again), ids in undelivered.items():
        (logger.info if again else logger.warning)(
            "%d alert%s %s delivered to %s: %s (%s)",
            len(ids), "s" if len(ids) != 1 else "", "still not" if again else "not", channel,
            reason, ", ".join(ids),
        )  # fmt: skip
    return report


def alert_step(
    warehouse: Warehouse, config: Watchlist, run_id: str, notify: bool, title: str
) -> AlertReport:
    """Raise/retract, deliver, and summarise in a markdown artifact (with charts)."""
    changes = raise_alerts(warehouse, config, run_id, notify)
    if isinstance(changes, str):
        get_run_logger().warning("alerts not judged: %s; the next run judges them", changes)
        return AlertReport(held=changes)
    report = deliver_alerts(warehouse, config)
    if report.held:
        get_run_logger().warning(
            "alerts not delivered: %s; the next run delivers them", report.held
        )
    report.raised, report.retracted = changes.raised, changes.retracted
    create_markdown_artifact(
        markdown=summary_markdown(warehouse, config, report, title),
        key="tradewatch-alerts",
        description=title,
    )
    return report


def summary_markdown(
    warehouse: Warehouse, config: Watchlist, report: AlertReport, title: str
) -> str:
    names = series_names(config)
    lines = [f"# {title}", ""]
    if not report.raised and not report.retracted:
        lines.append("No reversal raised or retracted in this run.")
    for alert in report.raised:
        lines.append(f"- **raised** {describe(alert, names, 'raised')}")
    for alert in report.retracted:
        lines.append(f"- **retracted** {describe(alert, names, 'retracted')}")
    if report.failed:
        lines += ["", f"{len(report.failed)} deliveries failed; the next run retries them."]
    charts = chart_files(warehouse, report.raised + report.retracted)
    if charts:
        # named, not linked: a file:// link is dead in a Prefect UI on another machine
        lines += ["", f"Charts written beside the warehouse, in `{charts[0].parent}`:", ""]
        lines += [f"- `{path.name}`" for path in charts]
    return "\n".join(lines) + "\n"


def chart_files(warehouse: Warehouse, alerts: list[dict]) -> list[Path]:
    """One PNG per series that gained or lost an alert, next to the warehouse."""
    from ..charts import charts_folder, draw_series

    folder = charts_folder(warehouse)
    paths = []
    for key in sorted(
        {
            (a["source"], a["reporter_code"], a["partner_code"], a["hs_code"], a["flow"])
            for a in alerts
        }
    ):
        source, reporter, partner, hs, flow = key
        path = folder / f"{source}-{reporter}-{partner}-{hs}-{flow}.png"
        os.makedirs(folder, exist_ok=True)
        draw_series(
            warehouse,
            path,
            hs_code=hs,
            partner=partner,
            reporter=reporter,
            flow=flow,
            source=source,
        )
        paths.append(path)
    return paths
