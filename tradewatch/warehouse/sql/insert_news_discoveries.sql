insert into news_discoveries by name
select *, $run_id as run_id, now() as discovered_at
from incoming_discoveries
