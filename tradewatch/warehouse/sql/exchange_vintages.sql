-- How many vintages an exchange has given each of these months: counted before and after its
-- rows are inserted, the difference is what this load added.
select period, count(*) as vintages
from trade_vintages
where period in (select unnest($months)) and exchange_id = $exchange_id
group by period
