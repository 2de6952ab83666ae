-- Which series each load asked for and which it loaded, so a backfill can tell a month that is
-- complete for today's watchlist from one loaded before a series was added.
alter table ops.runs add column series_keys varchar[];
alter table ops.runs add column series_loaded varchar[];
