-- The watched series' figures for the report's month and the month before, with where each came
-- from (the release page, or the API address without secrets), when, which vintage, and the value
-- it replaced when it was revised.
with figures as (
    select *
    from trade_monthly_named
    where series_name is not null
        and period between $previous and $month
),

earlier as (
    select
        v.source, v.reporter_code, v.partner_code, v.hs_code, v.flow, v.period,
        arg_max(v.net_weight_kg, v.vintage) as before_kg,
        arg_max(v.fetched_at, v.vintage) as before_fetched_at
    from trade_vintages as v
    join figures as f
        on v.source = f.source and v.reporter_code = f.reporter_code
        and v.partner_code = f.partner_code and v.hs_code = f.hs_code
        and v.flow = f.flow and v.period = f.period and v.vintage < f.vintage
    group by all
)

select
    f.series_name,
    f.commodity_short,
    f.reporter,
    f.partner,
    f.flow,
    f.source,
    f.period,
    f.tonnes,
    f.value_usd,
    f.vintage,
    f.fetched_at,
    json_extract_string(r.response_headers, '$."x-tradewatch-replay"') is not null as replayed,
    coalesce(f.release_url, r.url) as source_url,
    e.before_kg / 1000 as revised_from_tonnes,
    e.before_fetched_at as revised_from_fetched_at
from figures as f
left join raw.http_responses as r on r.exchange_id = f.exchange_id
left join earlier as e
    on e.source = f.source and e.reporter_code = f.reporter_code
    and e.partner_code = f.partner_code and e.hs_code = f.hs_code
    and e.flow = f.flow and e.period = f.period
order by f.series_name, f.source, f.period
