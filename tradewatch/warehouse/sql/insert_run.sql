insert into ops.runs by name
select *, now() as recorded_at
from incoming_runs
