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

-- trade_monthly with the watchlist's series name, commodity, reporter and partner names, and
-- the weight in tonnes.
create or replace view trade_monthly_named as
select
    w.name as series_name,
    t.source,
    t.period,
    t.reporter_code,
    coalesce(r.name, cast(t.reporter_code as varchar)) as reporter,
    t.partner_code,
    coalesce(p.name, cast(t.partner_code as varchar)) as partner,
    t.hs_code,
    coalesce(c.description, if(t.hs_code = 'TOTAL', 'All goods', null)) as commodity,
    coalesce(c.short_name, if(t.hs_code = 'TOTAL', 'All goods', 'HS ' || t.hs_code))
        as commodity_short,
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
left join ops.watched_series as w
    on w.reporter_code = t.reporter_code
    and w.partner_code = t.partner_code
    and w.hs_code = t.hs_code
    and w.flow = t.flow
left join ref.countries as r on r.code = t.reporter_code
left join ref.countries as p on p.code = t.partner_code
left join commodities as c on c.hs_code = t.hs_code;

-- alerts with the same names, and tonnes beside the kilograms.
create or replace view alerts_named as
select
    a.*,
    w.name as series_name,
    coalesce(c.description, if(a.hs_code = 'TOTAL', 'All goods', null)) as commodity,
    coalesce(c.short_name, if(a.hs_code = 'TOTAL', 'All goods', 'HS ' || a.hs_code))
        as commodity_short,
    coalesce(r.name, cast(a.reporter_code as varchar)) as reporter,
    coalesce(p.name, cast(a.partner_code as varchar)) as partner,
    a.previous_kg / 1000 as previous_t,
    a.current_kg / 1000 as current_t
from alerts as a
left join ops.watched_series as w
    on w.reporter_code = a.reporter_code
    and w.partner_code = a.partner_code
    and w.hs_code = a.hs_code
    and w.flow = a.flow
left join ref.countries as r on r.code = a.reporter_code
left join ref.countries as p on p.code = a.partner_code
left join commodities as c on c.hs_code = a.hs_code;
