-- Monthly volumes of the matching series, with their names, where each figure came from, and
-- the reversal (if any) of each month.
with monthly as (
    select * from trade_monthly_named
),

turns as (
    select * from reversals
)

select
    monthly.source,
    monthly.reporter_code,
    monthly.partner_code,
    monthly.hs_code,
    monthly.flow,
    monthly.period,
    monthly.net_weight_kg,
    monthly.series_name,
    monthly.commodity_short,
    monthly.reporter,
    monthly.partner,
    monthly.fetched_at,
    json_extract_string(r.response_headers, '$."x-tradewatch-replay"') is not null as replayed,
    turns.direction,
    turns.move_pct,
    turns.low_base
from monthly
left join raw.http_responses as r on r.exchange_id = monthly.exchange_id
left join turns
    on monthly.source = turns.source
    and monthly.reporter_code = turns.reporter_code
    and monthly.partner_code = turns.partner_code
    and monthly.hs_code = turns.hs_code
    and monthly.flow = turns.flow
    and monthly.period = turns.period
where monthly.hs_code = $hs_code
    and ($partner is null or monthly.partner_code = $partner)
    and ($reporter is null or monthly.reporter_code = $reporter)
    and ($flow is null or monthly.flow = $flow)
    and ($source is null or monthly.source = $source)
    and monthly.period between coalesce($start, date '1900-01-01')
        and coalesce($end, date '2999-12-01')
order by monthly.source, monthly.reporter_code, monthly.partner_code, monthly.flow, monthly.period
