-- China Customs releases: which release a figure came from, every figure as published, and
-- release-aware vintages (a page re-fetched adds nothing; a later release revises).
alter table trade_vintages add column release_url varchar;
alter table trade_vintages add column published_at date;

create table gacc_releases (
    url varchar not null,
    sha256 varchar not null,
    exchange_id varchar not null,
    publication varchar not null,
    table_kind varchar not null,
    title varchar not null,
    year integer not null,
    month integer not null,
    combined_jan_feb boolean not null,
    release_date date not null,
    currency varchar not null,
    unit varchar not null,
    first_loaded_at timestamptz not null,
    primary key (url, sha256)
);

-- Every figure of every release table: month, cumulative (1 to M) and year-on-year, with the
-- number and unit as published beside the normalised value (kg, or units of the currency).
create table gacc_figures (
    url varchar not null,
    sha256 varchar not null,
    row_number integer not null,
    column_number integer not null,
    table_kind varchar not null,
    name varchar not null,
    hs_code varchar,
    partner_code integer,
    flow varchar not null,
    measure varchar not null,
    period_kind varchar not null,
    period_start date not null,
    period_end date not null,
    value double not null,
    unit varchar not null,
    published varchar not null,
    published_unit varchar,
    primary key (sha256, row_number, column_number)
);
