-- Values with their currency, in US dollars beside them, and the two sides of a trade flow.

-- The latest monthly rate of each currency, per euro (EUR itself is 1).
create or replace view fx_monthly as
select period, currency, per_eur, source, exchange_id, loaded_at
from ref.fx_rates
qualify row_number() over (partition by period, currency order by loaded_at desc) = 1;

-- Every series' month with its value as published (currency and figure) and in US dollars:
-- as published when the source publishes dollars, else converted at the month's rates
-- (value / currency per euro x dollars per euro; null while a rate is not loaded).
create or replace view trade_values_usd as
with published as (
    select *
    from trade_values
    qualify row_number() over (
        partition by source, reporter_code, partner_code, hs_code, flow, period
        order by loaded_at desc
    ) = 1
)

select
    t.source,
    t.reporter_code,
    t.partner_code,
    t.hs_code,
    t.flow,
    t.period,
    coalesce(p.currency, if(t.value_usd is not null, 'USD', null)) as currency,
    coalesce(p.value, t.value_usd) as value,
    coalesce(
        t.value_usd,
        p.value / if(p.currency = 'EUR', 1.0, rate.per_eur) * usd.per_eur
    ) as value_usd,
    t.value_usd is null and p.value is not null as value_usd_converted,
    t.net_weight_kg,
    t.exchange_id
from trade_monthly as t
left join published as p
    on p.source = t.source
    and p.reporter_code = t.reporter_code
    and p.partner_code = t.partner_code
    and p.hs_code = t.hs_code
    and p.flow = t.flow
    and p.period = t.period
left join fx_monthly as rate on rate.period = t.period and rate.currency = p.currency
left join fx_monthly as usd on usd.period = t.period and usd.currency = 'USD';

-- Mirror statistics: what reporter A says it imported from B beside what B says it exported to
-- A, for the same commodity code and month, from any two loaded sources, both in US dollars.
-- Imports are valued CIF and exports FOB, goods shipped late in a month arrive the next, and
-- re-exports (Hong Kong's) count once on one side: the ratio runs above 1 and wanders. Its
-- band is the pair's own history: the median ratio of up to twelve months before (at least six),
-- widened by three median absolute deviations and never narrower than 15% either side; with
-- less history, 0.9 to 1.3 (CIF/FOB and timing alone). See README "Mirror statistics".
create or replace view mirror_flows as
with sides as (
    select *
    from trade_values_usd
    where partner_code <> 0 and value_usd is not null
),

pairs as (
    select
        i.period,
        i.hs_code,
        i.reporter_code as importer_code,
        i.partner_code as exporter_code,
        i.value_usd as import_usd,
        e.value_usd as export_usd,
        i.value_usd / nullif(e.value_usd, 0) as ratio,
        i.source as import_source,
        e.source as export_source,
        i.value_usd_converted or e.value_usd_converted as converted
    from sides as i
    inner join sides as e
        on e.flow = 'X'
        and e.reporter_code = i.partner_code
        and e.partner_code = i.reporter_code
        and e.hs_code = i.hs_code
        and e.period = i.period
    where i.flow = 'M'
),

history as (
    select
        pairs.*,
        list(ratio) over (
            partition by hs_code, importer_code, exporter_code, import_source, export_source
            order by period
            range between interval 12 month preceding and interval 1 month preceding
        ) as earlier
    from pairs
),

bands as (
    select
        history.*,
        coalesce(len(list_filter(earlier, lambda r: r is not null)), 0) as history_months,
        list_median(earlier) as median_ratio,
        list_median(list_transform(earlier, lambda r: abs(r - list_median(earlier)))) as mad
    from history
)

select
    period,
    hs_code,
    importer_code,
    exporter_code,
    import_usd,
    export_usd,
    ratio,
    import_source,
    export_source,
    converted,
    history_months,
    if(history_months >= 6, median_ratio, null) as median_ratio,
    if(history_months >= 6,
        median_ratio - greatest(3 * mad, 0.15 * median_ratio), 0.9) as band_low,
    if(history_months >= 6,
        median_ratio + greatest(3 * mad, 0.15 * median_ratio), 1.3) as band_high
from bands;
