-- The latest vintage of every series and month.
create or replace view trade_monthly as
with vintages as (
    select * from trade_vintages
),

latest as (
    select *
    from vintages
    qualify row_number() over (
        partition by source, reporter_code, partner_code, hs_code, flow, period
        order by vintage desc
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
    exchange_id
from latest
