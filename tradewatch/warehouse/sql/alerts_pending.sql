-- Alerts owed a delivery: raised and not yet told, or retracted after having been told.
select
    alert_id, source, reporter_code, partner_code, hs_code, flow, period, direction,
    move_pct, previous_kg, current_kg, trend_months, low_base, theta, status,
    coalesce(kind, 'reversal') as alert_kind, ratio, band_low, band_high, import_usd,
    export_usd, rule, expected_pct, band_pct, history_months,
    raised_at, retracted_at,
    case when status = 'raised' then 'raised' else 'retracted' end as kind
from alerts
where notify
    and (
        (status = 'raised' and raised_notified_at is null)
        or (status = 'retracted' and raised_notified_at is not null
            and retracted_notified_at is null)
    )
order by period, hs_code, partner_code
