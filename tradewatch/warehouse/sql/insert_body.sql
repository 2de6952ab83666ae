-- One distinct body, kept once whatever number of exchanges carried it.
insert into raw.http_bodies
select $sha256, $body, octet_length($body), $at
where not exists (select 1 from raw.http_bodies where sha256 = $sha256)
