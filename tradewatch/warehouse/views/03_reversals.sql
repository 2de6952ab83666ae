-- Months where a series' volume turns. Two rules (ops.reversal_settings.rule):
--   simple: the move into the month is up or down (|change| >= theta) and the most recent
--     non-flat move before it, in the same unbroken chain of months, pointed the other way;
--   seasonal (the default): the same, but a month's move is judged against the move expected
--     for its calendar month (the mean of the series' own moves in that month in earlier years,
--     on a log scale) and against the series' own noise: up or down only when the surprise
--     (move - expected) leaves the band of band_k robust standard deviations of its earlier
--     surprises (1.4826 x their median absolute value), never narrower than theta. A series
--     needs min_history_months earlier surprises and one earlier year of the calendar month;
--     with less, the simple rule judges the month and the row says so (rule = 'simple'). Under
--     the seasonal rule a month leaving the band is a turn unless the month before left it the
--     same way (a fall right after a fall is no new turn); when no month of the year before
--     left the band, the series left its usual pattern (trend_months is then null).
-- Under the seasonal rule, January and February of a reporter that publishes them combined
-- (ref.combined_months) are judged as one period: both months carry their average, so the Lunar New Year's move between
-- them is no turn. Flat moves neither count as a trend nor break it; a missing month breaks the
-- chain (see series_gaps). From 0 to a positive volume is up; from positive to 0 is down.
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
        coalesce(per_series.low_base_kg, defaults.low_base_kg) as low_base_kg,
        coalesce(per_series.rule, defaults.rule, 'simple') as rule,
        coalesce(per_series.band_k, defaults.band_k, 2.25) as band_k,
        coalesce(per_series.min_history_months, defaults.min_history_months, 12)
            as min_history_months,
        -- the seasonal rule judges a combined January-February as one period
        combined.reporter_code is not null and month(monthly.period) <= 2
            and coalesce(per_series.rule, defaults.rule, 'simple') = 'seasonal' as combined
    from monthly
    cross join defaults
    left join per_series
        on monthly.reporter_code = per_series.reporter_code
        and monthly.partner_code = per_series.partner_code
        and monthly.hs_code = per_series.hs_code
        and monthly.flow = per_series.flow
    left join ref.combined_months as combined on combined.reporter_code = monthly.reporter_code
),

judged_volumes as (
    -- January and February published together: the period's average in each month
    select
        *,
        if(
            combined,
            avg(volume_kg) over (
                partition by source, reporter_code, partner_code, hs_code, flow, year(period),
                combined
            ),
            volume_kg
        ) as judged_kg
    from volumes
),

moves as (
    select
        *,
        lag(period) over series_months as previous_period,
        lag(volume_kg) over series_months as previous_kg,
        lag(judged_kg) over series_months as previous_judged_kg
    from judged_volumes
    window series_months as (
        partition by source, reporter_code, partner_code, hs_code, flow order by period
    )
),

logged as (
    select
        *,
        previous_period = cast(period - interval 1 month as date) as consecutive,
        case
            when previous_period = cast(period - interval 1 month as date)
                and previous_judged_kg > 0 and judged_kg > 0
                then ln(judged_kg / previous_judged_kg)
        end as log_move
    from moves
),

expected as (
    -- what the series' own earlier years did in this calendar month
    select
        *,
        avg(log_move) over same_month as expected_log,
        count(log_move) over same_month as same_month_years
    from logged
    window same_month as (
        partition by source, reporter_code, partner_code, hs_code, flow, month(period)
        order by period rows between unbounded preceding and 1 preceding
    )
),

surprised as (
    select
        *,
        log_move - expected_log as surprise
    from expected
),

banded as (
    -- the series' own noise: its earlier surprises' robust spread
    select
        *,
        greatest(
            ln(1 + theta),
            band_k * 1.4826 * median(abs(surprise)) over earlier
        ) as band_log,
        count(surprise) over earlier as history_months
    from surprised
    window earlier as (
        partition by source, reporter_code, partner_code, hs_code, flow
        order by period rows between unbounded preceding and 1 preceding
    )
),

classified as (
    select
        *,
        case
            when rule = 'seasonal' and same_month_years >= 1
                and history_months >= min_history_months and surprise is not null
                then 'seasonal'
            else 'simple'
        end as judged_by,
        case when previous_judged_kg > 0 then (judged_kg - previous_judged_kg) / previous_judged_kg
        end as change
    from banded
),

directed as (
    select
        *,
        case
            when previous_period is null or not consecutive then null
            when previous_judged_kg = 0 and judged_kg > 0 then 'up'
            when previous_judged_kg = 0 then 'flat'
            when judged_kg = 0 then 'down'
            when judged_by = 'seasonal' and surprise >= band_log then 'up'
            when judged_by = 'seasonal' and surprise <= -band_log then 'down'
            when judged_by = 'seasonal' then 'flat'
            when change >= theta then 'up'
            when change <= -theta then 'down'
            else 'flat'
        end as direction
    from classified
),

chained as (
    -- Each month without a move (the first, or the one after a gap) starts a new chain.
    select
        *,
        count(*) filter (where direction is null) over (
            partition by source, reporter_code, partner_code, hs_code, flow
            order by period rows between unbounded preceding and current row
        ) as chain
    from directed
),

turns as (
    select
        *,
        lag(direction) over chain_turns as previous_direction,
        -- the seasonal rule's own last departure from the band, and when
        lag(direction) over seasonal_turns as previous_seasonal,
        lag(period) over seasonal_turns as previous_seasonal_period
    from chained
    where direction in ('up', 'down')
    window chain_turns as (
        partition by source, reporter_code, partner_code, hs_code, flow, chain order by period
    ),
    seasonal_turns as (
        partition by source, reporter_code, partner_code, hs_code, flow, chain, judged_by
        order by period
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
        ) as trend_months,
        coalesce(previous_seasonal_period >= cast(period - interval 12 month as date), false)
            as continues
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
    -- the volumes as judged: January and February of a combined reporter as their average
    round(100 * (judged_kg / nullif(previous_judged_kg, 0) - 1), 1) as move_pct,
    previous_judged_kg as previous_kg,
    judged_kg as current_kg,
    previous_direction,
    if(judged_by = 'seasonal' and not continues, null, trend_months) as trend_months,
    previous_judged_kg < low_base_kg and judged_kg < low_base_kg as low_base,
    theta,
    min_trend_months,
    low_base_kg,
    judged_by as rule,
    -- what the month usually does, and the band a surprise must leave (seasonal rule only)
    if(judged_by = 'seasonal', round(100 * (exp(expected_log) - 1), 1), null) as expected_pct,
    if(judged_by = 'seasonal', round(100 * (exp(band_log) - 1), 1), null) as band_pct,
    if(judged_by = 'seasonal', history_months, null) as history_months,
    combined
from with_earlier_trend
where judged_by = 'simple'
    and previous_direction is not null
    and direction <> previous_direction
    and trend_months >= min_trend_months
    -- the seasonal rule: a month leaving the band is a turn unless the month before left it the
    -- same way (a fall right after a fall is no new turn)
    or judged_by = 'seasonal' and not (
        continues and previous_seasonal = direction
        and previous_seasonal_period >= cast(period - interval 1 month as date)
    )
