-- Months where a series' volume turns: the move into the month is up or down (|change| >= theta)
-- and the most recent non-flat move before it, in the same unbroken chain of months, pointed the
-- other way. Flat moves neither count as a trend nor break it; a missing month breaks the chain
-- (see series_gaps). From 0 to a positive volume is up; from positive to 0 is down.
create or replace view reversals as
with monthly as (
    select * from trade_monthly where net_weight_kg is not null
),

defaults as (
    select * from ops.reversal_settings where reporter_code is null
),

per_series as (
    select * from ops.reversal_settings where reporter_code is not null
),

volumes as (
    select
        monthly.source,
        monthly.reporter_code,
        monthly.partner_code,
        monthly.hs_code,
        monthly.flow,
        monthly.period,
        monthly.net_weight_kg as volume_kg,
        coalesce(per_series.theta, defaults.theta) as theta,
        coalesce(per_series.min_trend_months, defaults.min_trend_months) as min_trend_months,
        coalesce(per_series.low_base_kg, defaults.low_base_kg) as low_base_kg
    from monthly
    cross join defaults
    left join per_series
        on monthly.reporter_code = per_series.reporter_code
        and monthly.partner_code = per_series.partner_code
        and monthly.hs_code = per_series.hs_code
        and monthly.flow = per_series.flow
),

moves as (
    select
        *,
        lag(period) over series_months as previous_period,
        lag(volume_kg) over series_months as previous_kg
    from volumes
    window series_months as (
        partition by source, reporter_code, partner_code, hs_code, flow order by period
    )
),

classified as (
    select
        *,
        case when previous_kg > 0 then (volume_kg - previous_kg) / previous_kg end as change,
        case
            when previous_period is null
                or previous_period <> cast(period - interval 1 month as date) then null
            when previous_kg = 0 and volume_kg > 0 then 'up'
            when previous_kg = 0 then 'flat'
            when (volume_kg - previous_kg) / previous_kg >= theta then 'up'
            when (volume_kg - previous_kg) / previous_kg <= -theta then 'down'
            else 'flat'
        end as direction
    from moves
),

chained as (
    -- Each month without a move (the first, or the one after a gap) starts a new chain.
    select
        *,
        count(*) filter (where direction is null) over (
            partition by source, reporter_code, partner_code, hs_code, flow
            order by period rows between unbounded preceding and current row
        ) as chain
    from classified
),

turns as (
    select
        *,
        lag(direction) over chain_turns as previous_direction
    from chained
    where direction in ('up', 'down')
    window chain_turns as (
        partition by source, reporter_code, partner_code, hs_code, flow, chain order by period
    )
),

runs as (
    select
        *,
        sum(case when direction = previous_direction then 0 else 1 end) over (
            partition by source, reporter_code, partner_code, hs_code, flow, chain
            order by period rows between unbounded preceding and current row
        ) as run_number
    from turns
),

run_lengths as (
    select
        *,
        count(*) over (
            partition by source, reporter_code, partner_code, hs_code, flow, chain, run_number
        ) as run_length
    from runs
),

with_earlier_trend as (
    select
        *,
        lag(run_length) over (
            partition by source, reporter_code, partner_code, hs_code, flow, chain
            order by period
        ) as trend_months
    from run_lengths
)

select
    source,
    reporter_code,
    partner_code,
    hs_code,
    flow,
    period,
    direction,
    round(100 * change, 1) as move_pct,
    previous_kg,
    volume_kg as current_kg,
    previous_direction,
    trend_months,
    previous_kg < low_base_kg and volume_kg < low_base_kg as low_base,
    theta,
    min_trend_months,
    low_base_kg
from with_earlier_trend
where previous_direction is not null
    and direction <> previous_direction
    and trend_months >= min_trend_months
