-- Where a payload's batches are staged before the set-based load (dropped at its end).
create or replace temp table incoming_rows (
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
create or replace temp table incoming_quarantine (
    row_index bigint,
    column_name varchar,
    check_name varchar,
    failure_case varchar,
    reason varchar,
    period date,
    original varchar
);
