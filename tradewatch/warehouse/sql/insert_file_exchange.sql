-- A payload read from a file (a bulk download): kept like a fetched body, its origin the file.
insert into raw.http_responses by name
select
    $exchange_id as exchange_id,
    $run_id as run_id,
    $source as source,
    'FILE' as method,
    $url as url,
    200 as status,
    null as error,
    1 as attempt,
    '{}' as request_headers,
    '{}' as response_headers,
    $sha256 as sha256,
    $size_bytes as size_bytes,
    now() as fetched_at,
    0.0 as elapsed_ms
