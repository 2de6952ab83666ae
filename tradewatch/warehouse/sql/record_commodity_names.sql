-- A source's commodity descriptions: a text seen before is seen again; a new one is kept.
insert into ref.commodity_names
select
    $source as source,
    hs_code,
    description,
    now() as first_seen_at,
    now() as last_seen_at,
    $exchange_id as first_exchange_id
from (select unnest($codes) as hs_code, unnest($texts) as description)
on conflict (source, hs_code, description) do update set last_seen_at = excluded.last_seen_at
