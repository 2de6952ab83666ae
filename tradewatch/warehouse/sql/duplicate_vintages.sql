-- Data test: a series, month and vintage number held by more than one row (expect none).
select source, reporter_code, partner_code, hs_code, flow, period, vintage, count(*) as rows
from trade_vintages
where period between $first and $last
group by all
having count(*) > 1
