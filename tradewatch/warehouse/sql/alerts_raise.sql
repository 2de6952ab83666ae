-- Reversals and mirror gaps (alert_candidates) with no alert yet, as the alerts they become
-- (once per series, month and direction); reconcile_alerts inserts them. Staged, not
-- RETURNING: DuckLake has none.
create or replace temp table raising as
with reversals as (
    select * from alert_candidates
)

select
    substr(sha256(concat_ws('|', source, reporter_code, partner_code, hs_code, flow,
        period, direction)), 1, 16) as alert_id,
    source, reporter_code, partner_code, hs_code, flow, period, direction,
    move_pct, previous_kg, current_kg, trend_months, low_base, theta,
    kind, ratio, band_low, band_high, import_usd, export_usd,
    rule, expected_pct, band_pct, history_months,
    'raised' as status,
    $notify and (not low_base or $notify_low_base) as notify,
    now() as raised_at,
    $run_id as run_id
from reversals
where not exists (
    select 1
    from alerts
    where alerts.source = reversals.source
        and alerts.reporter_code = reversals.reporter_code
        and alerts.partner_code = reversals.partner_code
        and alerts.hs_code = reversals.hs_code
        and alerts.flow = reversals.flow
        and alerts.period = reversals.period
        and alerts.direction = reversals.direction
)
