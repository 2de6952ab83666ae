insert into raw.http_bodies
select sha256, body, size_bytes, fetched_at
from incoming_exchanges
where sha256 is not null
    and sha256 not in (select sha256 from raw.http_bodies)
qualify row_number() over (partition by sha256 order by fetched_at) = 1
