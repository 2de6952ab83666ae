-- Names a person reads beside the codes.
--   ref.countries: tradewatch's one country table (M49 code, ISO alpha-3, usual English name),
--     rewritten by every writer whose code or pycountry differs from what filled it.
--   ref.commodity_names: each commodity description a source sent, as sent, with when it was
--     first and last seen (a changed text is a new row: descriptions have vintages too).
--   ops.watched_series: the watchlist's series names, rewritten by every run.
create schema if not exists ref;

create table ref.countries (
    code integer primary key,
    iso3 varchar,
    name varchar not null
);

create table ref.commodity_names (
    source varchar not null,
    hs_code varchar not null,
    description varchar not null,
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null,
    first_exchange_id varchar not null,
    primary key (source, hs_code, description)
);

create table ops.watched_series (
    name varchar primary key,
    reporter_code integer not null,
    partner_code integer not null,
    hs_code varchar not null,
    flow varchar not null,
    updated_at timestamptz not null
);
