insert into ops.alert_deliveries
select alert_id, kind, channel, 1, case when ok then now() end, error, now()
from incoming_deliveries
on conflict (alert_id, kind, channel) do update set
    attempts = ops.alert_deliveries.attempts + 1,
    delivered_at = coalesce(ops.alert_deliveries.delivered_at, excluded.delivered_at),
    last_error = excluded.last_error,
    last_attempt_at = excluded.last_attempt_at
