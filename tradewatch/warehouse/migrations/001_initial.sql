-- The warehouse contract of DESIGN.md: raw bytes, vintages of every published figure, the ledger.
create schema if not exists raw;
create schema if not exists ops;

-- Each distinct body once, addressed by its sha256.
create table raw.http_bodies (
    sha256 varchar primary key,
    body blob not null,
    size_bytes bigint not null,
    first_seen_at timestamptz not null
);

-- Every HTTP exchange, retried and failed attempts included; secrets are removed before storing.
create table raw.http_responses (
    exchange_id varchar primary key,
    run_id varchar not null,
    source varchar not null,
    method varchar not null,
    url varchar not null,
    status integer,
    error varchar,
    attempt integer not null,
    request_headers json,
    response_headers json,
    sha256 varchar,
    size_bytes bigint,
    fetched_at timestamptz not null,
    elapsed_ms double
);

-- Every value ever published for a series and month; vintage 1 is the first seen.
create table trade_vintages (
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
    primary key (source, reporter_code, partner_code, hs_code, flow, period, vintage)
);

-- One row per run, source and month: what the load of that month did.
create table ops.runs (
    run_id varchar not null,
    flow_run_id varchar,
    source varchar not null,
    period date,
    status varchar not null,
    rows_fetched integer not null,
    rows_valid integer not null,
    rows_new integer not null,
    rows_quarantined integer not null,
    series_expected integer,
    series_found integer,
    exchange_id varchar,
    message varchar,
    recorded_at timestamptz not null
);

-- Rows that failed validation, one per failed check, kept once per payload and row.
create table ops.quarantine (
    source varchar not null,
    sha256 varchar not null,
    row_index integer not null,
    check_name varchar not null,
    column_name varchar,
    failure_case varchar,
    reason varchar not null,
    original json,
    period date,
    exchange_id varchar not null,
    run_id varchar not null,
    quarantined_at timestamptz not null,
    primary key (sha256, row_index, check_name)
);
