-- GACC beside Comtrade for the month, named.
select l.commodity_short, l.reporter, l.partner, c.*
from source_comparison as c
left join series_labels as l using (reporter_code, partner_code, hs_code, flow)
where c.period = $month
order by c.hs_code, c.partner_code
