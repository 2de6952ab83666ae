-- Raised alerts whose reversal a revision (or a change of settings) has taken away.
update alerts
set status = 'retracted', retracted_at = now(), retracted_notified_at = null
where status = 'raised'
    and not exists (
        select 1
        from reversals
        where alerts.source = reversals.source
            and alerts.reporter_code = reversals.reporter_code
            and alerts.partner_code = reversals.partner_code
            and alerts.hs_code = reversals.hs_code
            and alerts.flow = reversals.flow
            and alerts.period = reversals.period
            and alerts.direction = reversals.direction
    )
returning alert_id
