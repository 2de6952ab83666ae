-- For each month of a source, its latest ledger row and the sha256 of the bytes it loaded.
select runs.period, responses.sha256, runs.*
from ops.runs as runs
left join raw.http_responses as responses using (exchange_id)
where runs.source = $source
    and list_contains($periods, runs.period)
qualify row_number() over (partition by runs.period order by runs.recorded_at desc) = 1
