-- A row becomes a new vintage when its key is new or any published value differs from the latest.
insert into trade_vintages by name
with incoming as (
    select * from incoming_rows
),

latest as (
    select * from trade_monthly
),

changed as (
    select
        incoming.*,
        coalesce(latest.vintage, 0) + 1 as vintage
    from incoming
    left join latest
        on incoming.source = latest.source
        and incoming.reporter_code = latest.reporter_code
        and incoming.partner_code = latest.partner_code
        and incoming.hs_code = latest.hs_code
        and incoming.flow = latest.flow
        and incoming.period = latest.period
    where latest.vintage is null
        or incoming.net_weight_kg is distinct from latest.net_weight_kg
        or incoming.quantity is distinct from latest.quantity
        or incoming.quantity_unit is distinct from latest.quantity_unit
        or incoming.value_usd is distinct from latest.value_usd
)

select
    source, reporter_code, partner_code, hs_code, flow, period, vintage,
    net_weight_kg, quantity, quantity_unit, value_usd, row_index,
    $fetched_at as fetched_at,
    $exchange_id as exchange_id,
    $sha256 as sha256,
    $run_id as run_id
from changed
returning period
