-- The month's reversal alerts, raised or retracted, named (mirror gaps have their section).
select *
from alerts_named
where period = $month and coalesce(kind, 'reversal') = 'reversal'
order by low_base, abs(coalesce(move_pct, 100)) desc, series_name
