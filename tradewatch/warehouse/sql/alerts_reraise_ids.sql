-- Retracted alerts whose reversal is back (alerts_reraise raises them again).
select alert_id
from alerts
semi join alert_candidates using (source, reporter_code, partner_code, hs_code, flow, period, direction)
where alerts.status = 'retracted'
