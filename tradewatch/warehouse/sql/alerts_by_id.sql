select
    alert_id, source, reporter_code, partner_code, hs_code, flow, period, direction,
    move_pct, previous_kg, current_kg, trend_months, low_base, theta, status,
    coalesce(kind, 'reversal') as alert_kind, ratio, band_low, band_high, import_usd,
    export_usd, rule, expected_pct, band_pct, history_months, notify,
    raised_at, retracted_at
from alerts
where list_contains($ids, alert_id)
order by period, hs_code, partner_code
