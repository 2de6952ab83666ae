-- Rejected rows whose month is unreadable or not one the payload was asked for.
select count(distinct row_index)
from scratch.incoming_quarantine
where period is null or not list_contains($months, period)
