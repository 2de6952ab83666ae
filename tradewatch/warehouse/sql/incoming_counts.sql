-- Per month of the payload: valid rows, rejected rows, new vintages, watched series present.
with valid as (
    select
        period,
        count(*) as rows_valid,
        list(distinct key) filter (where list_contains($series_keys, key)) as watched
    from (
        select
            period,
            reporter_code || '-' || partner_code || '-' || hs_code || '-' || flow as key
        from scratch.incoming_rows
    )
    group by period
),

rejected as (
    select period, count(distinct row_index) as rows_quarantined
    from scratch.incoming_quarantine
    group by period
),

new as (
    select period, count(*) as rows_new
    from scratch.staged_vintages
    group by period
)

select
    months.period,
    coalesce(valid.rows_valid, 0),
    coalesce(rejected.rows_quarantined, 0),
    coalesce(new.rows_new, 0),
    coalesce(valid.watched, [])
from (select unnest($months) as period) as months
left join valid using (period)
left join rejected using (period)
left join new using (period)
