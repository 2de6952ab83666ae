-- Why the payload's rows were quarantined: rows per month and reason (a row failing two
-- checks counts under both).
select period, reason, count(distinct row_index) as rows
from scratch.incoming_quarantine
group by period, reason
order by rows desc, reason
