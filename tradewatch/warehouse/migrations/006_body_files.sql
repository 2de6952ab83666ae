-- Large bodies are kept as zstd files beside the warehouse (<warehouse>.bodies/); the row says
-- where, and keeps the sha256 and size of the bytes as fetched.
alter table raw.http_bodies alter column body drop not null;
alter table raw.http_bodies add column stored_as varchar;
