-- Months of the year to the report's month that a source did not deliver: failed, not yet
-- published, or never published where tradewatch reads it. Consecutive months of one source
-- with the same status and reason are one line (first month, last month, how many): twelve
-- months of "GACC's English archive starts in 2018" are one fact.
with gaps as (
    select source, period, last_status, last_message
    from ops.month_status
    where period between $year_start and $month
        and last_status in ('failed', 'not_published', 'unavailable')
),

runs as (
    select
        *,
        datediff('month', date '1900-01-01', period) - row_number() over (
            partition by source, last_status, last_message order by period
        ) as island
    from gaps
)

select
    source,
    min(period) as period,
    max(period) as last_period,
    count(*) as months,
    last_status,
    last_message
from runs
group by source, last_status, last_message, island
order by period, source
