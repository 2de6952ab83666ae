insert into raw.http_responses by name
select
    exchange_id, run_id, source, method, url, status, error, attempt,
    request_headers::json as request_headers,
    response_headers::json as response_headers,
    sha256, size_bytes, fetched_at, elapsed_ms
from incoming_exchanges
