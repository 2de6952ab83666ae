-- Codes with their names, kilograms with tonnes: what a person reads.

-- The latest description of each HS code, whichever source sent it last, and a short name for
-- titles and tables: the text before the first semicolon, without "including ..." and the like
-- ("Coal", "Iron ores and concentrates").
create or replace view commodities as
select
    hs_code,
    description,
    trim(regexp_replace(
        split_part(description, ';', 1), ',\s*(including|whether|other than|n\.e\.c).*$', ''
    )) as short_name,
    source,
    last_seen_at
from ref.commodity_names
qualify row_number() over (
    partition by hs_code order by last_seen_at desc, source
) = 1;

-- Every series key with its names: the watchlist's series name, reporter, partner, commodity.
-- A series a source loads without the watchlist asking (GACC's table of China's imports holds
-- iron ore from the world) gets a name of the same form, its HS code and the two countries'
-- ISO codes ("2601-chn-world"): no alert goes out without one.
create or replace view series_labels as
select
    k.reporter_code,
    k.partner_code,
    k.hs_code,
    k.flow,
    coalesce(
        w.name,
        lower(concat_ws(
            '-',
            if(k.flow = 'X', 'exports', null),
            k.hs_code,
            coalesce(r.iso3, cast(k.reporter_code as varchar)),
            coalesce(p.iso3, if(k.partner_code = 0, 'world', cast(k.partner_code as varchar)))
        ))
    ) as series_name,
    coalesce(r.name, cast(k.reporter_code as varchar)) as reporter,
    coalesce(p.name, cast(k.partner_code as varchar)) as partner,
    coalesce(c.description, if(k.hs_code = 'TOTAL', 'All goods', null)) as commodity,
    coalesce(c.short_name, if(k.hs_code = 'TOTAL', 'All goods', 'HS ' || k.hs_code))
        as commodity_short
from (
    select distinct reporter_code, partner_code, hs_code, flow from trade_vintages
    union
    select reporter_code, partner_code, hs_code, flow from alerts
    union
    select reporter_code, partner_code, hs_code, flow from ops.watched_series
) as k
left join ops.watched_series as w
    on w.reporter_code = k.reporter_code
    and w.partner_code = k.partner_code
    and w.hs_code = k.hs_code
    and w.flow = k.flow
left join ref.countries as r on r.code = k.reporter_code
left join ref.countries as p on p.code = k.partner_code
left join commodities as c on c.hs_code = k.hs_code;

-- trade_monthly with its names, and the weight in tonnes.
create or replace view trade_monthly_named as
select
    l.series_name,
    t.source,
    t.period,
    t.reporter_code,
    l.reporter,
    t.partner_code,
    l.partner,
    t.hs_code,
    l.commodity,
    l.commodity_short,
    t.flow,
    t.net_weight_kg / 1000 as tonnes,
    t.value_usd,
    t.net_weight_kg,
    t.quantity,
    t.quantity_unit,
    t.vintage,
    t.fetched_at,
    t.exchange_id,
    t.release_url,
    t.published_at
from trade_monthly as t
left join series_labels as l using (reporter_code, partner_code, hs_code, flow);

-- alerts with the same names, and tonnes beside the kilograms.
create or replace view alerts_named as
select
    a.*,
    l.series_name,
    l.commodity,
    l.commodity_short,
    l.reporter,
    l.partner,
    a.previous_kg / 1000 as previous_t,
    a.current_kg / 1000 as current_t
from alerts as a
left join series_labels as l using (reporter_code, partner_code, hs_code, flow);
