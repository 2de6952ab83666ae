-- One row per source and month ever run: the latest outcome, and every series ever loaded.
create or replace view ops.month_status as
with ledger as (
    select * from ops.runs where period is not null
),

latest as (
    select source, period, status, message, rows_quarantined, recorded_at
    from ledger
    qualify row_number() over (partition by source, period order by recorded_at desc) = 1
),

loaded as (
    select
        source,
        period,
        list_sort(list_distinct(flatten(
            list(series_loaded) filter (where series_loaded is not null)
        ))) as series_loaded,
        max(recorded_at) filter (where status in ('loaded', 'partial')) as last_loaded_at
    from ledger
    group by source, period
)

select
    latest.source,
    latest.period,
    latest.status as last_status,
    latest.message as last_message,
    latest.rows_quarantined as last_rows_quarantined,
    latest.recorded_at as last_run_at,
    coalesce(loaded.series_loaded, []) as series_loaded,
    loaded.last_loaded_at
from latest
left join loaded
    on latest.source = loaded.source and latest.period = loaded.period
