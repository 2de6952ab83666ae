-- How many new vintages each month gained, for the ledger.
select period, count(*) as new_rows
from staged_vintages
group by period
