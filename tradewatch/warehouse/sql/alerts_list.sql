select
    alert_id,
    period,
    series_name,
    commodity,
    commodity_short,
    reporter,
    partner,
    source,
    reporter_code,
    partner_code,
    hs_code,
    flow,
    direction,
    move_pct,
    previous_t,
    current_t,
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
from alerts_named
where period >= coalesce($since, date '1900-01-01')
    and ($status is null or status = $status)
order by period, hs_code, partner_code, source
