-- Where a payload's batches are staged before the set-based load (dropped at its end; a load
-- that died leaves them to be replaced by the next, never touching the warehouse's tables).
create schema if not exists scratch;
create or replace table scratch.incoming_rows (
    source varchar,
    reporter_code integer,
    partner_code integer,
    hs_code varchar,
    flow varchar,
    period date,
    net_weight_kg double,
    quantity double,
    quantity_unit varchar,
    value_usd double,
    row_index bigint
);
create or replace table scratch.incoming_quarantine (
    row_index bigint,
    column_name varchar,
    check_name varchar,
    failure_case varchar,
    reason varchar,
    period date,
    original varchar
);
