-- A row becomes a new vintage when any published value differs from the latest and, for a row
-- from a release page (GACC), that release has not given these values before: re-reading an
-- older release after a newer one revised it must not make it the latest again. Inserted
-- straight from the staged rows: a table of them in between would write every row once more.
insert into trade_vintages by name
with incoming as (
    select * replace (cast(period as date) as period) from staged_rows
),

latest as (
    select * from trade_monthly
),

numbered as (
    select
        source, reporter_code, partner_code, hs_code, flow, period,
        max(vintage) as last_vintage
    from trade_vintages
    group by source, reporter_code, partner_code, hs_code, flow, period
),

changed as (
    select
        incoming.*,
        coalesce(numbered.last_vintage, 0) + 1 as vintage
    from incoming
    left join latest
        on incoming.source = latest.source
        and incoming.reporter_code = latest.reporter_code
        and incoming.partner_code = latest.partner_code
        and incoming.hs_code = latest.hs_code
        and incoming.flow = latest.flow
        and incoming.period = latest.period
    left join numbered
        on incoming.source = numbered.source
        and incoming.reporter_code = numbered.reporter_code
        and incoming.partner_code = numbered.partner_code
        and incoming.hs_code = numbered.hs_code
        and incoming.flow = numbered.flow
        and incoming.period = numbered.period
    where (
        latest.vintage is null
        or incoming.net_weight_kg is distinct from latest.net_weight_kg
        or incoming.quantity is distinct from latest.quantity
        or incoming.quantity_unit is distinct from latest.quantity_unit
        or incoming.value_usd is distinct from latest.value_usd
    )
    and ($release_url is null or not exists (
            select 1
            from trade_vintages as seen
            where seen.release_url = $release_url
                and seen.source = incoming.source
                and seen.reporter_code = incoming.reporter_code
                and seen.partner_code = incoming.partner_code
                and seen.hs_code = incoming.hs_code
                and seen.flow = incoming.flow
                and seen.period = incoming.period
                and seen.net_weight_kg is not distinct from incoming.net_weight_kg
                and seen.quantity is not distinct from incoming.quantity
                and seen.quantity_unit is not distinct from incoming.quantity_unit
                and seen.value_usd is not distinct from incoming.value_usd
    ))
)

select
    source, reporter_code, partner_code, hs_code, flow, period, vintage,
    net_weight_kg, quantity, quantity_unit, value_usd, row_index,
    $fetched_at as fetched_at,
    $exchange_id as exchange_id,
    $sha256 as sha256,
    $run_id as run_id,
    $release_url as release_url,
    $published_at as published_at
from changed
