-- One delivery attempt per alert, kind and channel: counted, and delivered once delivered.
-- MERGE rather than ON CONFLICT: it needs no key constraint (DuckLake has none).
merge into ops.alert_deliveries as t
using incoming_deliveries as s
on t.alert_id = s.alert_id and t.kind = s.kind and t.channel = s.channel
when matched then update set
    attempts = t.attempts + 1,
    delivered_at = coalesce(t.delivered_at, case when s.ok then now() end),
    last_error = s.error,
    last_attempt_at = now()
when not matched then insert (
    alert_id, kind, channel, attempts, delivered_at, last_error, last_attempt_at
) values (s.alert_id, s.kind, s.channel, 1, case when s.ok then now() end, s.error, now())
