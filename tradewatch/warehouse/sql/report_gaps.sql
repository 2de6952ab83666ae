-- Months of the year to the report's month that a source did not deliver: failed, not yet
-- published, or never published where tradewatch reads it.
select source, period, last_status, last_message
from ops.month_status
where period between $year_start and $month
    and last_status in ('failed', 'not_published', 'unavailable')
order by period, source
