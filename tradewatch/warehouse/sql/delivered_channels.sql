select alert_id, kind, channel
from ops.alert_deliveries
where delivered_at is not null and list_contains($alert_ids, alert_id)
