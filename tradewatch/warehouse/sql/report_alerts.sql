-- The month's reversal alerts, raised or retracted, named.
select *
from alerts_named
where period = $month
order by low_base, abs(coalesce(move_pct, 100)) desc, series_name
