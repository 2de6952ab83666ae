-- Each alert's channels so far: told (delivered_at set), or owed since an attempt that failed.
select alert_id, kind, channel, delivered_at is not null as delivered, last_error
from ops.alert_deliveries
where list_contains($alert_ids, alert_id)
