-- A retracted alert whose reversal a later revision brings back is raised again, with the
-- figures of the new vintage, and delivered again.
update alerts
set status = 'raised',
    move_pct = reversals.move_pct,
    previous_kg = reversals.previous_kg,
    current_kg = reversals.current_kg,
    trend_months = reversals.trend_months,
    low_base = reversals.low_base,
    theta = reversals.theta,
    ratio = reversals.ratio,
    band_low = reversals.band_low,
    band_high = reversals.band_high,
    import_usd = reversals.import_usd,
    export_usd = reversals.export_usd,
    rule = reversals.rule,
    expected_pct = reversals.expected_pct,
    band_pct = reversals.band_pct,
    history_months = reversals.history_months,
    notify = $notify and (not reversals.low_base or $notify_low_base),
    raised_at = now(),
    retracted_at = null,
    raised_notified_at = null,
    retracted_notified_at = null,
    delivery_error = null,
    run_id = $run_id
from alert_candidates as reversals
where list_contains($ids, alerts.alert_id)
    and alerts.source = reversals.source
    and alerts.reporter_code = reversals.reporter_code
    and alerts.partner_code = reversals.partner_code
    and alerts.hs_code = reversals.hs_code
    and alerts.flow = reversals.flow
    and alerts.period = reversals.period
    and alerts.direction = reversals.direction
