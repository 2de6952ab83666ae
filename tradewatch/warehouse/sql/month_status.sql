select source, period, last_status, last_message, last_rows_quarantined, series_loaded
from ops.month_status
where period between $start and $end
order by period, source
