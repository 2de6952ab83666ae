-- Months missing inside a series (between its first and last month), where no move is computed.
create or replace view series_gaps as
with monthly as (
    select * from trade_monthly
),

bounds as (
    select
        source, reporter_code, partner_code, hs_code, flow,
        min(period) as first_period,
        max(period) as last_period
    from monthly
    group by source, reporter_code, partner_code, hs_code, flow
),

calendar as (
    select
        bounds.source,
        bounds.reporter_code,
        bounds.partner_code,
        bounds.hs_code,
        bounds.flow,
        cast(unnest(generate_series(
            cast(bounds.first_period as timestamp),
            cast(bounds.last_period as timestamp),
            interval 1 month
        )) as date) as period
    from bounds
)

select
    calendar.source,
    calendar.reporter_code,
    calendar.partner_code,
    calendar.hs_code,
    calendar.flow,
    calendar.period,
    case when monthly.period is null then 'no figure' else 'no weight' end as reason
from calendar
left join monthly
    on calendar.source = monthly.source
    and calendar.reporter_code = monthly.reporter_code
    and calendar.partner_code = monthly.partner_code
    and calendar.hs_code = monthly.hs_code
    and calendar.flow = monthly.flow
    and calendar.period = monthly.period
where monthly.period is null or monthly.net_weight_kg is null
