-- A source's commodity descriptions: a text seen before is seen again; a new one is kept.
-- MERGE rather than ON CONFLICT: it needs no key constraint (DuckLake has none).
merge into ref.commodity_names as t
using (
    select $source as source, unnest($codes) as hs_code, unnest($texts) as description
) as s
on t.source = s.source and t.hs_code = s.hs_code and t.description = s.description
when matched then update set last_seen_at = now()
when not matched then insert (
    source, hs_code, description, first_seen_at, last_seen_at, first_exchange_id
) values (s.source, s.hs_code, s.description, now(), now(), $exchange_id)
