-- Alerts of a second kind: a mirror gap, when what one country says it imported from another
-- and what that one says it exported to it part further than their history allows. The kind
-- (null: a reversal, as every alert before this migration), the ratio and its band, and the two
-- sides in US dollars.
alter table alerts add column kind varchar;
alter table alerts add column ratio double;
alter table alerts add column band_low double;
alter table alerts add column band_high double;
alter table alerts add column import_usd double;
alter table alerts add column export_usd double;
-- A watched series asks for its mirror (``mirror = true`` in the watchlist).
alter table ops.watched_series add column mirror boolean;
