select sha256, fetched_at from raw.http_responses where exchange_id = $exchange_id
