-- trade_vintages without its primary-key index: DuckDB keeps an ART index wholly in memory,
-- which made a streamed load's memory grow with the payload (190 MB per million rows) and cost
-- a third of a million-row insert. Vintages stay unique because the loader numbers them in one
-- set-based statement under the warehouse's single-writer lock; the duplicate_vintages data
-- test (sql/duplicate_vintages.sql, run by the test suite and after every load) returns any
-- offending rows.
create table trade_vintages_rebuilt (
    source varchar not null,
    reporter_code integer not null,
    partner_code integer not null,
    hs_code varchar not null,
    flow varchar not null,
    period date not null,
    vintage integer not null,
    net_weight_kg double,
    quantity double,
    quantity_unit varchar,
    value_usd double,
    fetched_at timestamptz not null,
    exchange_id varchar not null,
    sha256 varchar not null,
    row_index integer not null,
    run_id varchar not null,
    release_url varchar,
    published_at date
);
insert into trade_vintages_rebuilt by name select * from trade_vintages;
drop table trade_vintages;
alter table trade_vintages_rebuilt rename to trade_vintages;
