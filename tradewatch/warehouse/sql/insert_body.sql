-- One distinct body, kept once whatever number of exchanges carried it: inline, or as a file
-- beside the warehouse (stored_as).
insert into raw.http_bodies (sha256, body, size_bytes, first_seen_at, stored_as)
select $sha256, $body, $size_bytes, $at, $stored_as
where not exists (select 1 from raw.http_bodies where sha256 = $sha256)
