-- Per month of the payload: valid rows, rejected rows, watched series present. A series key
-- reads "reporter-partner-hs-flow": only rows whose reporter and partner a key names are given
-- a key of their own to compare, not the million others.
with named as (
    select
        try_cast(split_part(key, '-', 1) as integer) as reporter_code,
        try_cast(split_part(key, '-', 2) as integer) as partner_code
    from (select unnest($series_keys) as key)
),

valid as (
    select period, count(*) as rows_valid
    from staged_rows
    group by period
),

watched as (
    select period, list(distinct key) filter (where list_contains($series_keys, key)) as keys
    from (
        select
            period,
            reporter_code || '-' || partner_code || '-' || hs_code || '-' || flow as key
        from staged_rows as staged
        where exists (
            select 1
            from named
            where named.reporter_code = staged.reporter_code
                and named.partner_code = staged.partner_code
        )
    )
    group by period
),

rejected as (
    select period, count(distinct row_index) as rows_quarantined
    from scratch.incoming_quarantine
    group by period
)

select
    months.period,
    coalesce(valid.rows_valid, 0),
    coalesce(rejected.rows_quarantined, 0),
    coalesce(watched.keys, [])
from (select unnest($months) as period) as months
left join valid using (period)
left join watched using (period)
left join rejected using (period)
