-- An alert counts as told once every channel tried for its current kind has delivered;
-- until then it carries the errors of the channels that have not.
update alerts
set raised_notified_at = case
        when done.all_delivered and done.kind = 'raised' then now()
        else alerts.raised_notified_at
    end,
    retracted_notified_at = case
        when done.all_delivered and done.kind = 'retracted' then now()
        else alerts.retracted_notified_at
    end,
    delivery_error = done.errors
from (
    select
        deliveries.alert_id,
        deliveries.kind,
        bool_and(deliveries.delivered_at is not null) as all_delivered,
        string_agg(deliveries.channel || ': ' || deliveries.last_error, '; ')
            filter (where deliveries.delivered_at is null) as errors
    from ops.alert_deliveries as deliveries
    where list_contains($alert_ids, deliveries.alert_id)
    group by deliveries.alert_id, deliveries.kind
) as done
where alerts.alert_id = done.alert_id
    and done.kind = case when alerts.status = 'raised' then 'raised' else 'retracted' end
