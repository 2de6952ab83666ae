-- Raised alerts whose reversal a revision (or a change of settings) has taken away.
select alert_id
from alerts
anti join alert_candidates using (source, reporter_code, partner_code, hs_code, flow, period, direction)
where alerts.status = 'raised'
