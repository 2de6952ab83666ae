select
    alert_id,
    period,
    source,
    reporter_code,
    partner_code,
    hs_code,
    flow,
    direction,
    move_pct,
    previous_kg,
    current_kg,
    trend_months,
    low_base,
    status,
    notify,
    raised_at,
    raised_notified_at,
    retracted_at,
    retracted_notified_at,
    delivery_error
from alerts
where period >= coalesce($since, date '1900-01-01')
    and ($status is null or status = $status)
order by period, hs_code, partner_code, source
