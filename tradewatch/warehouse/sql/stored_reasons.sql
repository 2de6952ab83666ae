-- The same for a payload loaded before (its quarantine rows are kept once per payload and row).
select period, reason, count(distinct row_index) as rows
from ops.quarantine
where source = $source and sha256 = $sha256
group by period, reason
order by rows desc, reason
