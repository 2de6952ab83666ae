-- The latest vintage of every series and month: for releases (GACC) the one published last,
-- so re-fetching an older release never outranks a newer one; otherwise the last fetched.
create or replace view trade_monthly as
with vintages as (
    select * from trade_vintages
),

latest as (
    select *
    from vintages
    qualify row_number() over (
        partition by source, reporter_code, partner_code, hs_code, flow, period
        order by coalesce(cast(published_at as timestamptz), fetched_at) desc, vintage desc
    ) = 1
)

select
    source,
    reporter_code,
    partner_code,
    hs_code,
    flow,
    period,
    net_weight_kg,
    quantity,
    quantity_unit,
    value_usd,
    vintage,
    fetched_at,
    exchange_id,
    release_url,
    published_at
from latest
