-- Retract the alerts alerts_retract_ids found (ids first: DuckLake has no RETURNING).
update alerts
set status = 'retracted', retracted_at = now(), retracted_notified_at = null
where list_contains($ids, alert_id)
