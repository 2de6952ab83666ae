-- The same series and month as China's customs (GACC) and UN Comtrade publish it, side by side.
-- Only series that both sources carry appear; a month one of them lacks shows with a null.
create or replace view source_comparison as
with gacc as (
    select * from trade_monthly where source = 'gacc'
),

comtrade as (
    select * from trade_monthly where source = 'comtrade'
),

shared_series as (
    select distinct gacc.reporter_code, gacc.partner_code, gacc.hs_code, gacc.flow
    from gacc
    inner join comtrade
        on gacc.reporter_code = comtrade.reporter_code
        and gacc.partner_code = comtrade.partner_code
        and gacc.hs_code = comtrade.hs_code
        and gacc.flow = comtrade.flow
),

paired as (
    select
        coalesce(gacc.reporter_code, comtrade.reporter_code) as reporter_code,
        coalesce(gacc.partner_code, comtrade.partner_code) as partner_code,
        coalesce(gacc.hs_code, comtrade.hs_code) as hs_code,
        coalesce(gacc.flow, comtrade.flow) as flow,
        coalesce(gacc.period, comtrade.period) as period,
        gacc.net_weight_kg as gacc_kg,
        comtrade.net_weight_kg as comtrade_kg,
        gacc.value_usd as gacc_usd,
        comtrade.value_usd as comtrade_usd,
        gacc.release_url as gacc_release_url,
        gacc.vintage as gacc_vintage,
        comtrade.vintage as comtrade_vintage
    from gacc
    full outer join comtrade
        on gacc.reporter_code = comtrade.reporter_code
        and gacc.partner_code = comtrade.partner_code
        and gacc.hs_code = comtrade.hs_code
        and gacc.flow = comtrade.flow
        and gacc.period = comtrade.period
)

select
    paired.*,
    gacc_kg - comtrade_kg as difference_kg,
    round(100 * (gacc_kg - comtrade_kg) / nullif(comtrade_kg, 0), 2) as difference_pct,
    gacc_usd - comtrade_usd as difference_usd
from paired
inner join shared_series
    on paired.reporter_code = shared_series.reporter_code
    and paired.partner_code = shared_series.partner_code
    and paired.hs_code = shared_series.hs_code
    and paired.flow = shared_series.flow
